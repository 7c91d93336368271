import { jsonResponse } from '../../http/http-errors.js';
import type { LegacyContext, LegacyRequest } from '../../http/legacy-router.js';
import type { ScheduledCounter, SlotRules } from './capacity.engine.js';
import {
  buildAvailabilityV1,
  buildAvailabilityV2,
  parseAvailabilityQuery,
  parseCalendarQuery,
} from './office-hours.legacy.js';
import type { OptionMap } from './office-hours.options.js';

/**
 * Legacy handlers' bodies. The routes are GETs on configured service names
 * (`/genesys/1/service/{office-hours-service}`, `/genesys/{1,2}/service/callback/{name}/availability`),
 * so the service and callback modules own the routes and call these once they have resolved the
 * service's options. Errors thrown here are ValidationErrors (→ 400 GMS error JSON).
 */

/** `GET /genesys/1/service/{office-hours-service}?start=&end=|number-of-days=` */
export function legacyCalendarResponse(options: OptionMap, req: LegacyRequest, ctx: LegacyContext): Response {
  const range = parseCalendarQuery(req.url.searchParams, ctx.deps.clock.now());
  return jsonResponse(ctx.managers.officeHours.legacyCalendar(options, range));
}

/**
 * `GET /genesys/1/service/callback/{name}/availability` (v1: `{ "<ISO>": remaining }`) and
 * `GET /genesys/2/service/callback/{name}/availability` (v2: `{ durationMin, timezone, slots }`).
 */
export async function legacyAvailabilityResponse(
  version: 1 | 2,
  rules: SlotRules,
  countScheduled: ScheduledCounter,
  req: LegacyRequest,
  ctx: LegacyContext,
): Promise<Response> {
  const now = ctx.deps.clock.now();
  const query = parseAvailabilityQuery(req.url.searchParams, version, now);
  const availability = await ctx.managers.officeHours.availability(rules, { ...query, now }, countScheduled);
  return jsonResponse(version === 1 ? buildAvailabilityV1(availability) : buildAvailabilityV2(availability));
}
