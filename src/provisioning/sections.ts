import { officeHoursSection } from '../modules/office-hours/office-hours.provisioning.js';
import { patternGroupsSection } from '../modules/pattern/pattern.provisioning.js';
import { routingSections } from '../modules/routing/routing.provisioning.js';
import { servicesSection } from '../modules/services/services.provisioning.js';
import { serviceTemplatesSection } from '../modules/services/templates.provisioning.js';
import type { ProvisioningSection } from './section.js';

/** Every module's provisioning section; each module adds one line. */
export const provisioningSections: ProvisioningSection[] = [
  patternGroupsSection,
  officeHoursSection,
  serviceTemplatesSection,
  servicesSection,
  ...routingSections,
  resourceGroupsSection,
];

import { resourceGroupsSection } from '../modules/resource/resource.provisioning.js';
