import { registerNodeRoutes } from '../modules/node/node.rest.js';
import { registerPatternRoutes } from '../modules/pattern/pattern.rest.js';
import { registerRoutingRoutes } from '../modules/routing/routing.rest.js';
import type { LegacyRouter } from './legacy-router.js';

/** Every legacy `/genesys/...` route, one registration call per module. */
export function registerLegacyRoutes(router: LegacyRouter): void {
  registerNodeRoutes(router);
  registerPatternRoutes(router);
  registerRoutingRoutes(router);
}
