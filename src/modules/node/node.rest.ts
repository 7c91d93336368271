import { textResponse } from '../../http/http-errors.js';
import type { RouteDoc, RouteTable } from '../../http/route-table.js';
import { parseNodeStatus } from './node.manager.js';

/** The node routes as the OpenAPI document and the README's route map describe them. */
const ROUTE_DOCS: Record<string, RouteDoc> = {
  'GET /genesys/1/admin/node/status': { summary: 'This node’s status: ONLINE or OFFLINE (text/plain)' },
  'POST /genesys/1/admin/node/changestatus/:status': {
    summary: 'Set this node ONLINE or OFFLINE',
    params: { status: 'ONLINE or OFFLINE' },
    body: false,
  },
  'GET /genesys/1/node': { summary: 'Liveness (GMS 8.1.1): 200, no body' },
};

export function registerNodeRoutes(router: RouteTable): void {
  router.describe(ROUTE_DOCS);
  // Load balancers probe this one, so it needs no credentials.
  router.add('GET', '/genesys/1/admin/node/status', async (_req, { managers }) =>
    textResponse(await managers.nodes.ownStatus()),
  );
  router.add(
    'POST',
    '/genesys/1/admin/node/changestatus/:status',
    async (req, { managers, deps }) => {
      const node = await managers.nodes.setStatus(deps.node.id, parseNodeStatus(req.params.status ?? ''));
      return textResponse(node.status);
    },
    { admin: true },
  );
  // GMS 8.1.1 liveness form: 200, no body.
  router.add('GET', '/genesys/1/node', async () => new Response(null, { status: 200 }));
}
