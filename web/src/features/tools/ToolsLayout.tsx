import { Outlet } from '@tanstack/react-router';
import { SubNav } from '../../ui/SubNav';

export const TOOLS_TABS = [
  { to: '/tools/patterns', label: 'Patterns' },
  { to: '/tools/resource-groups', label: 'Resources' },
  { to: '/tools/service-templates', label: 'Service Templates' },
] as const;

export function ToolsLayout() {
  return (
    <section aria-labelledby="tools-title">
      <h1 id="tools-title">Tools</h1>
      <SubNav label="Tools" tabs={TOOLS_TABS} />
      <Outlet />
    </section>
  );
}
