import { servicesSection } from '../modules/services/services.provisioning.js';
import { serviceTemplatesSection } from '../modules/services/templates.provisioning.js';
import type { ProvisioningSection } from './section.js';

/** Every module's provisioning section; each module adds one line. */
export const provisioningSections: ProvisioningSection[] = [serviceTemplatesSection, servicesSection];
