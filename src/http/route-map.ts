import type { RouteTable } from './route-table.js';

export const ROUTE_MAP_START = '<!-- route-map:start (npm run routes:print -- --write) -->';
export const ROUTE_MAP_END = '<!-- route-map:end -->';

const cell = (s: string) => s.replaceAll('|', '\\|');

/** The README's route map: every route of the table, grouped as registered, in matching order within a group. */
export function routeMapMarkdown(table: RouteTable): string {
  const groups = new Map<string, string[]>(table.groups().map((g) => [g, []]));
  for (const r of table.summaries()) {
    const method = r.method === '*' ? 'any' : r.method;
    const access = r.admin ? 'admin' : 'public';
    const rows = groups.get(r.tag) ?? [];
    rows.push(`| ${method} | \`${cell(r.pattern)}\` | ${access} | ${cell(r.summary)} |`);
    groups.set(r.tag, rows);
  }
  const out = ['| Method | Path | Access | What |', '|---|---|---|---|'];
  for (const [tag, rows] of groups) if (rows.length) out.push(`| | **${tag}** | | |`, ...rows);
  return out.join('\n');
}

/** `readme` with the map between its markers replaced; throws when the markers are missing. */
export function withRouteMap(readme: string, table: RouteTable): string {
  const start = readme.indexOf(ROUTE_MAP_START);
  const end = readme.indexOf(ROUTE_MAP_END);
  if (start < 0 || end < start) throw new Error('README.md has no route-map markers');
  return `${readme.slice(0, start + ROUTE_MAP_START.length)}\n${routeMapMarkdown(table)}\n${readme.slice(end)}`;
}
