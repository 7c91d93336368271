import { jsonResponse } from '../../http/http-errors.js';
import type { LegacyContext, LegacyRequest } from '../../http/legacy-request.js';
import type { RouteDoc, RouteTable } from '../../http/route-table.js';
import type { ScheduledCounter, SlotRules } from './capacity.engine.js';
import {
  buildAvailabilityV1,
  buildAvailabilityV2,
  buildLegacyCalendarResponse,
  parseAvailabilityQuery,
  parseCalendarQuery,
} from './office-hours.legacy.js';
import type { OptionMap } from './office-hours.options.js';

const availabilityQuery = {
  start: { type: 'date-time' as const, description: 'First instant to list (default now)' },
  end: { type: 'date-time' as const, description: 'Last instant to list (or number-of-days)' },
  'number-of-days': {
    type: 'integer' as const,
    description: 'Days to list from start, when no end is given',
  },
  'max-time-slots': { type: 'integer' as const, description: 'Most slots to return' },
  timezone: { description: 'v2: the IANA time zone of the local times in the answer' },
};

/** The availability routes as the OpenAPI document and the README's route map describe them. */
const ROUTE_DOCS: Record<string, RouteDoc> = {
  'GET /genesys/1/service/callback/:name/availability': {
    summary: 'Free callback slots (v1: remaining per slot start)',
    query: availabilityQuery,
  },
  'GET /genesys/2/service/callback/:name/availability': {
    summary: 'Free callback slots (v2: durationMin, timezone, slots)',
    query: availabilityQuery,
  },
};

/**
 * Legacy routes of this module: callback availability v1/v2. The calendar query
 * (`GET /genesys/1/service/{office-hours-service}`) goes through the Service API: the
 * `office-hours` service type (office-hours.service-types.ts) calls `buildLegacyCalendarResponse`. Errors: unknown callback service 404,
 * bad parameter 400 naming it, both as GMS error JSON.
 *
 * `availability` is a static segment, so these routes outrank `/genesys/1/service/callback/:name/:id`.
 */
export function registerOfficeHoursRoutes(router: RouteTable): void {
  router.describe(ROUTE_DOCS);
  for (const version of [1, 2] as const)
    router.add('GET', `/genesys/${version}/service/callback/:name/availability`, async (req, ctx) => {
      const cap = await ctx.managers.officeHours.callbackCapacity(req.params.name ?? '');
      return legacyAvailabilityResponse(
        version,
        cap.rules,
        ctx.managers.officeHours.reservationCounter(cap.capacityService),
        req,
        ctx,
      );
    });
}

/** `GET /genesys/1/service/{office-hours-service}?start=&end=|number-of-days=` */
export function legacyCalendarResponse(options: OptionMap, req: LegacyRequest, ctx: LegacyContext): Response {
  const now = ctx.deps.clock.now();
  return jsonResponse(
    buildLegacyCalendarResponse(options, parseCalendarQuery(req.url.searchParams, now), now),
  );
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
