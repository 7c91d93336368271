import { ForbiddenError, UnauthorizedError, ValidationError } from '../../errors.js';
import { jsonResponse } from '../../http/http-errors.js';
import type { LegacyContext, LegacyRequest } from '../../http/legacy-request.js';
import type { RouteDoc, RouteTable } from '../../http/route-table.js';
import { requestParamsFromBody } from '../sessions/sessions.legacy.js';
import { callbackRecord, dialogBody } from './callback.legacy.js';
import { parseInstant } from './callback.rules.js';
import { CALLBACK_STATES, type CallbackState } from './callback.tables.js';

const baseUrl = (req: LegacyRequest, ctx: LegacyContext) => ctx.deps.config.publicUrl ?? req.url.origin;

/**
 * A `_callback_state` / `states` value: one state or a comma list, each optionally negated with a
 * leading `!` (GMS: `!COMPLETED` is "every state but COMPLETED"; Genesys' QA clean-up helper relies on
 * it). Plain and negated states cannot be mixed: that has no sensible reading, so it is a 400.
 */
export interface StateFilter {
  states: CallbackState[] | null;
  excludeStates: CallbackState[] | null;
}

export function stateFilter(value: string | null, field: string): StateFilter {
  const none: StateFilter = { states: null, excludeStates: null };
  if (!value?.trim()) return none;
  const plain: CallbackState[] = [];
  const negated: CallbackState[] = [];
  for (const raw of value.split(',').map((v) => v.trim().toUpperCase())) {
    const s = raw.startsWith('!') ? raw.slice(1).trim() : raw;
    if (!(CALLBACK_STATES as readonly string[]).includes(s))
      throw new ValidationError(
        'callback/invalid_state',
        `Unknown callback state '${raw}' in ${field} (states: ${CALLBACK_STATES.join(', ')}, each may be negated with a leading !)`,
        field,
      );
    (raw.startsWith('!') ? negated : plain).push(s as CallbackState);
  }
  if (plain.length && negated.length)
    throw new ValidationError(
      'callback/invalid_state',
      `${field} mixes states and negated states ('${value}'): give either STATE[,STATE] or !STATE[,!STATE]`,
      field,
    );
  return plain.length ? { ...none, states: plain } : { ...none, excludeStates: negated };
}

const stateMatches = (f: StateFilter, state: unknown) =>
  f.states ? f.states.includes(state as CallbackState) : !f.excludeStates?.includes(state as CallbackState);

/** An admin operation asked by a device: 401 without credentials (so it can retry with them), else 403. */
const adminOnly = (req: LegacyRequest, message: string) =>
  req.headers.get('authorization') ? new ForbiddenError(message) : new UnauthorizedError(message);

const RESERVED_QUERY_KEYS = new Set(['operand', 'max']);

/** Most records one query may ask for. */
const MAX_RECORDS = 10_000;

/** `max`: absent or empty → the default; otherwise a whole number from 1 to MAX_RECORDS, else a 400. */
function maxParam(value: string | null, fallback: number): number {
  if (value === null || value.trim() === '') return fallback;
  const n = /^\s*\d{1,9}\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_RECORDS)
    throw new ValidationError(
      'callback/invalid_max',
      `max must be a whole number from 1 to ${MAX_RECORDS}`,
      'max',
    );
  return n;
}

/** The callback API as the OpenAPI document and the README's route map describe it. */
const ROUTE_DOCS: Record<string, RouteDoc> = {
  'POST /genesys/1/service/callback/:name': {
    summary: 'Start a callback (immediate, scheduled with _desired_time, or a customer-originated call)',
    body: {
      fields: {
        _customer_number: { description: 'The number to call back', example: '5115' },
        _desired_time: {
          type: 'date-time',
          description: 'When to call (ISO 8601); absent: as soon as possible',
        },
      },
      free: true,
    },
  },
  'GET /genesys/1/service/callback/:name': {
    summary: "Query a service's callbacks by properties (operand AND|OR over key=value pairs)",
    query: {
      operand: { enum: ['AND', 'OR'], description: 'How the key=value filters combine (default AND)' },
      max: { type: 'integer', description: 'Most records (default 1000)' },
      _customer_number: { description: 'Strict mode: required unless admin' },
      _callback_state: { description: 'A state, a comma list, or !STATE (every state but it)' },
    },
  },
  'GET /genesys/1/service/callback': {
    summary: 'Callbacks by id, or by customer number and state, across services',
    query: {
      _id: { description: 'A callback id' },
      _customer_number: { description: 'The customer number' },
      _callback_state: { description: 'A state, a comma list, or !STATE (every state but it)' },
    },
  },
  'DELETE /genesys/1/service/callback/:name/:id': { summary: 'Cancel a callback' },
  'PUT /genesys/1/service/callback/:name/:id': {
    summary: 'Reschedule a callback (_new_desired_time) and/or store properties (user data)',
    body: {
      fields: {
        _new_desired_time: {
          type: 'date-time',
          description:
            'The new desired time, ISO 8601 (e.g. 2013-05-28T15:30:00.000Z); omit it to only store properties',
        },
      },
      free: true,
    },
  },
  'GET /genesys/1/admin/callback/queues': {
    summary: 'Callbacks by service in a time window (default 15 min back to 24 h ahead)',
    query: {
      start_time: { type: 'date-time', description: 'Start of the window (default 15 minutes ago)' },
      end_time: { type: 'date-time', description: 'End of the window (default 24 hours from now)' },
      target: { description: 'A virtual queue, target or service name (GMS clients pass the service here)' },
      service_name: { description: 'A callback service name' },
      states: {
        description: 'A state, a comma list, or !STATE (default SCHEDULED,QUEUED,ROUTING,PROCESSING)',
      },
      max: { type: 'integer', description: 'Most records (default 500)' },
    },
  },
  'POST /genesys/1/admin/callback/cancel': {
    summary: 'Cancel callbacks in bulk',
    body: {
      fields: {
        ids: { required: true, description: 'Comma-separated callback ids' },
        reason: {
          description: 'Kept as the routing cancel reason (each becomes COMPLETED, CANCELLED_BY_ADMIN)',
        },
      },
      free: false,
    },
  },
};

/**
 * The callback service API (reference §7.1): start, cancel, reschedule, queries, availability and
 * the admin queue query / bulk cancel. Session requests (`connect`, `check-queue-position`,
 * notifications) are registered by the manager on the Service API's request registry.
 */
export function registerCallbackRoutes(router: RouteTable): void {
  router.describe(ROUTE_DOCS);
  router.add('POST', '/genesys/1/service/callback/:name', async (req, ctx) => {
    const answer = await ctx.managers.callbacks.start(
      req.params.name ?? '',
      requestParamsFromBody(await req.body()),
      { ...req.caller, baseUrl: baseUrl(req, ctx) },
    );
    return jsonResponse(dialogBody(answer));
  });

  // Query by properties: ?operand=AND|OR&<key>=<value>… over the service's callbacks.
  router.add('GET', '/genesys/1/service/callback/:name', async (req, { managers }) => {
    const name = req.params.name ?? '';
    await managers.services.resolve(name);
    const q = req.url.searchParams;
    const operand = (q.get('operand') ?? 'AND').toUpperCase();
    if (operand !== 'AND' && operand !== 'OR')
      throw new ValidationError(
        'callback/invalid_operand',
        `operand must be AND or OR, not '${q.get('operand')}'`,
        'operand',
      );
    const filters = [...q.entries()].filter(([k]) => !RESERVED_QUERY_KEYS.has(k));
    // Strict mode: the whole list (every customer's number and user data) is for admins only.
    if (req.caller.rules === 'strict' && req.viewer.kind !== 'admin' && !q.get('_customer_number'))
      throw adminOnly(req, 'Listing callbacks without _customer_number needs admin credentials');
    // `_callback_state` takes a state list or `!STATE` (every state but it), like the other forms.
    const byState = new Map(
      filters.filter(([k]) => k === '_callback_state').map(([k, v]) => [v, stateFilter(v, k)]),
    );
    const hit = (rec: Record<string, unknown>) => {
      if (filters.length === 0) return true;
      const tests = filters.map(([k, v]) => {
        const f = k === '_callback_state' ? byState.get(v) : undefined;
        return f ? stateMatches(f, rec[k]) : String(rec[k] ?? '') === v;
      });
      return operand === 'AND' ? tests.every(Boolean) : tests.some(Boolean);
    };
    // `max` limits the answer, not the callbacks looked at: the manager reads page after page, in
    // SQL only the customer's when AND names one (an empty one also matches callbacks without).
    const customerNumbers = q.getAll('_customer_number').filter(Boolean);
    const rows = await managers.callbacks.findInService(
      name,
      (page) => managers.callbacks.visibleTo(req.caller, page).filter((r) => hit(callbackRecord(r))),
      {
        max: maxParam(q.get('max'), 1000),
        customerNumber:
          operand === 'AND' && customerNumbers.length === 1 ? (customerNumbers[0] ?? null) : null,
      },
    );
    return jsonResponse(rows.map((r) => callbackRecord(r)));
  });

  // Query by id, or by customer number and state, across services.
  router.add('GET', '/genesys/1/service/callback', async (req, { managers }) => {
    const q = req.url.searchParams;
    const id = q.get('_id');
    const number = q.get('_customer_number');
    if (!id && !number)
      throw new ValidationError(
        'callback/missing_query',
        'Give _id, or _customer_number (and optionally _callback_state)',
        '_id',
      );
    const rows = await managers.callbacks.list({
      ids: id ? [id] : null,
      customerNumber: number,
      ...stateFilter(q.get('_callback_state'), '_callback_state'),
    });
    return jsonResponse(managers.callbacks.visibleTo(req.caller, rows).map((r) => callbackRecord(r)));
  });

  router.add('DELETE', '/genesys/1/service/callback/:name/:id', async (req, { managers }) => {
    const own = await managers.callbacks.owned(req.caller, req.params.id ?? '');
    const row = await managers.callbacks.cancel(own.id, { serviceName: req.params.name ?? '' });
    return jsonResponse(callbackRecord(row));
  });

  router.add('PUT', '/genesys/1/service/callback/:name/:id', async (req, { managers }) => {
    const body = await req.body();
    const when = body.fields._new_desired_time ?? body.fields._desired_time;
    // The clients send _new_desired_time only when the time changes, with the properties to store
    // (keys without `_`: user data); other `_` keys (_callback_state, …) are not theirs to set.
    const properties = Object.fromEntries(Object.entries(body.fields).filter(([k]) => !k.startsWith('_')));
    const own = await managers.callbacks.owned(req.caller, req.params.id ?? '');
    const row = await managers.callbacks.update(
      own.id,
      { newDesiredTime: when || null, properties },
      req.params.name ?? '',
    );
    return jsonResponse(callbackRecord(row));
  });

  // Admin: callbacks by service, in a time window (default 15 min back to 24 h ahead).
  router.add(
    'GET',
    '/genesys/1/admin/callback/queues',
    async (req, { managers, deps }) => {
      const q = req.url.searchParams;
      const now = deps.clock.now();
      const from = q.get('start_time')
        ? parseInstant(q.get('start_time') ?? '', 'start_time')
        : new Date(now.getTime() - 15 * 60_000);
      const to = q.get('end_time')
        ? parseInstant(q.get('end_time') ?? '', 'end_time')
        : new Date(now.getTime() + 86_400_000);
      const filter = stateFilter(q.get('states') ?? q.get('_callback_state'), 'states');
      const rows = await managers.callbacks.list({
        // GMS clients pass the service name as `target` (QA suite, Android sample): any of the three matches.
        queue: q.get('target'),
        serviceName: q.get('service_name'),
        states:
          filter.states ?? (filter.excludeStates ? null : ['SCHEDULED', 'QUEUED', 'ROUTING', 'PROCESSING']),
        excludeStates: filter.excludeStates,
        from,
        to,
        limit: maxParam(q.get('max'), 500),
      });
      const out: Record<string, Record<string, unknown>[]> = {};
      for (const r of rows) {
        const list = out[r.serviceName] ?? [];
        list.push(callbackRecord(r));
        out[r.serviceName] = list;
      }
      return jsonResponse(out);
    },
    { admin: true },
  );

  router.add(
    'POST',
    '/genesys/1/admin/callback/cancel',
    async (req, { managers }) => {
      const body = await req.body();
      const ids = Array.isArray(body.json?.ids)
        ? (body.json.ids as unknown[]).map(String)
        : (body.fields.ids ?? '')
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean);
      if (ids.length === 0)
        throw new ValidationError('callback/missing_parameter', 'Give ids: the callbacks to cancel', 'ids');
      const result = await managers.callbacks.adminCancel(ids, body.fields.reason);
      return jsonResponse(result);
    },
    { admin: true },
  );
}
