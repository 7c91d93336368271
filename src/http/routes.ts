import { registerCallbackRoutes } from '../modules/callback/callback.rest.js';
import { registerNodeRoutes } from '../modules/node/node.rest.js';
import { registerOfficeHoursRoutes } from '../modules/office-hours/office-hours.rest.js';
import { registerPatternRoutes } from '../modules/pattern/pattern.rest.js';
import { registerPushRoutes } from '../modules/push/push.rest.js';
import { registerRoutingRoutes } from '../modules/routing/routing.rest.js';
import { registerSessionRoutes } from '../modules/sessions/sessions.rest.js';
import { registerStorageRoutes } from '../modules/storage/storage.rest.js';
import type { LegacyRouter } from './legacy-router.js';

/** Every legacy `/genesys/...` route, one registration call per module. */
export function registerLegacyRoutes(router: LegacyRouter): void {
  registerNodeRoutes(router);
  registerOfficeHoursRoutes(router);
  registerPatternRoutes(router);
  registerSessionRoutes(router);
  registerStorageRoutes(router);
  registerRoutingRoutes(router);
  registerPushRoutes(router);
  registerCallbackRoutes(router);
}
