import { ValidationError } from '../../errors.js';
import { jsonResponse, unsupportedMediaType } from '../../http/http-errors.js';
import type { LegacyRequest } from '../../http/legacy-request.js';
import type { RouteDoc, RouteTable } from '../../http/route-table.js';
import { parsePublish, parseSubscription } from './notification.manager.js';

/** The Notification API is JSON only (reference §3.1): anything else is 415. */
async function jsonBody(req: LegacyRequest): Promise<Record<string, unknown>> {
  const mediaType = (req.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json')
    throw unsupportedMediaType('The Notification API accepts application/json only');
  const body = await req.body();
  if (!body.json) throw new ValidationError('notification/invalid_body', 'Expected a JSON object');
  return body.json;
}

/** The Notification API as the OpenAPI document and the README's route map describe it. */
const ROUTE_DOCS: Record<string, RouteDoc> = {
  'POST /genesys/1/notification/subscription': {
    summary: 'Subscribe a device to session events',
    body: { media: ['application/json'] },
  },
  'DELETE /genesys/1/notification/subscription/:id': { summary: 'Unsubscribe' },
  'POST /genesys/1/notification/publish': {
    summary: 'Publish an event to a session’s subscribers',
    body: { media: ['application/json'] },
  },
};

/** GMS Notification API: `/genesys/1/notification/...`. */
export function registerPushRoutes(router: RouteTable): void {
  router.describe(ROUTE_DOCS);
  router.add('POST', '/genesys/1/notification/subscription', async (req, { managers }) => {
    const input = parseSubscription(await jsonBody(req));
    const subscription = await managers.notifications.subscribe(input, req.caller);
    return jsonResponse({ id: subscription.id });
  });
  router.add('DELETE', '/genesys/1/notification/subscription/:id', async (req, { managers }) => {
    await managers.notifications.unsubscribe(req.params.id ?? '', req.caller);
    return jsonResponse({});
  });
  router.add('POST', '/genesys/1/notification/publish', async (req, { managers }) => {
    await managers.notifications.publish(parsePublish(await jsonBody(req)), req.caller);
    return jsonResponse({});
  });
}
