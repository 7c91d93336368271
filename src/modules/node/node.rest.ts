import { textResponse } from '../../http/http-errors.js';
import type { LegacyRouter } from '../../http/legacy-router.js';
import { parseNodeStatus } from './node.manager.js';

export function registerNodeRoutes(router: LegacyRouter): void {
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
