import { routingSections } from '../modules/routing/routing.provisioning.js';
import type { ProvisioningSection } from './section.js';

/** Every module's provisioning section; each module adds one line. */
export const provisioningSections: ProvisioningSection[] = [...routingSections];
