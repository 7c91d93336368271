import { jsonResponse } from '../../http/http-errors.js';
import type { LegacyHandler, LegacyRouter } from '../../http/legacy-router.js';

/**
 * GMS Stat API: `objectId`, `objectType`, `metric` (or `statisticType`) as multipart, urlencoded
 * (or JSON) fields. `tenant`, `tenantPassword`, `filter`, `notificationMode` and `timeRange` are
 * accepted and ignored (one tenant; values are computed on every request, hence `Age: 0`).
 */
const peekStatistic: LegacyHandler = async (req, { managers }) => {
  const { fields } = await req.body();
  const stat = await managers.routing.legacyStatistic(fields);
  return jsonResponse(stat, 200, { age: '0' });
};

export function registerRoutingRoutes(router: LegacyRouter): void {
  router.add('POST', '/genesys/1/statistic', peekStatistic, { admin: true });
  // The internal flavour needs no credentials, as in GMS.
  router.add('POST', '/genesys/1/internal_statistic', peekStatistic);
}
