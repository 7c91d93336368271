import { jsonResponse } from '../../http/http-errors.js';
import type { LegacyHandler } from '../../http/legacy-request.js';
import type { RouteDoc, RouteTable } from '../../http/route-table.js';

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

const statisticDoc: RouteDoc = {
  summary: 'The current value of a statistic',
  body: {
    fields: {
      objectId: { required: true, description: 'A virtual queue, agent group or agent' },
      objectType: { required: true, example: 'RegDN', description: 'RegDN (a queue), GroupAgents or Agent' },
      metric: {
        required: true,
        example: 'CurrNumberWaitingCalls',
        description: 'The Stat Server metric (also as statisticType)',
      },
    },
    free: true,
  },
};

/** The Stat API as the OpenAPI document and the README's route map describe it. */
const ROUTE_DOCS: Record<string, RouteDoc> = {
  'POST /genesys/1/statistic': statisticDoc,
  'POST /genesys/1/internal_statistic': {
    ...statisticDoc,
    summary: 'The current value of a statistic (internal: no credentials, as in GMS)',
  },
};

export function registerRoutingRoutes(router: RouteTable): void {
  router.describe(ROUTE_DOCS);
  router.add('POST', '/genesys/1/statistic', peekStatistic, { admin: true });
  // The internal flavour needs no credentials, as in GMS.
  router.add('POST', '/genesys/1/internal_statistic', peekStatistic);
}
