import { resourceGroupsSection } from '../modules/resource/resource.provisioning.js';
import type { ProvisioningSection } from './section.js';

/** Every module's provisioning section; each module adds one line. */
export const provisioningSections: ProvisioningSection[] = [resourceGroupsSection];
