import { NotFoundError } from '../../errors.js';
import { jsonResponse } from '../../http/http-errors.js';
import type { LegacyHandler, LegacyRequest } from '../../http/legacy-request.js';
import type { RouteDoc, RouteTable } from '../../http/route-table.js';
import type { Managers } from '../../managers.types.js';
import { storageEntryJson, storageInputFromBody, storedValueResponse } from '../storage/storage.legacy.js';
import {
  type Caller,
  requestMethods,
  type SessionRequestSpec,
  type SessionView,
} from './session-handlers.js';
import { requestParamsFromBody } from './sessions.legacy.js';

/** A session whose data area was deleted on its own (DELETE /storage/{_data_id}) shows no user data. */
const notFoundAsNull = (err: unknown) => {
  if (err instanceof NotFoundError) return null;
  throw err;
};

const SESSION_ID_SHAPE = /^\d+-[0-9a-f]{8}-/i;

const caller = (req: LegacyRequest): Caller => req.caller;

/** A service type's GMS JSON body (an absent one is `{}`). */
const reply = (body: unknown) => jsonResponse(body ?? {});

const sessionBinaryPath = (id: string) => (key: string) =>
  `/genesys/1/service/${encodeURIComponent(id)}/storage/binary/${encodeURIComponent(key)}`;

/** GET /genesys/1/service/{id}: the session's ids, request control parameters and user data. */
async function sessionJson(managers: Managers, session: SessionView): Promise<Record<string, unknown>> {
  const data = await managers.storage.get({ id: session.dataId }).catch(notFoundAsNull);
  return {
    _id: session.id,
    _data_id: session.dataId,
    _service_name: session.serviceName,
    _expires_at: session.expiresAt.toISOString(),
    ...session.requestParams,
    ...(data ? storageEntryJson(data, sessionBinaryPath(session.id)) : {}),
    ...(await managers.sessions.describe(session)),
  };
}

/** The Service API as the OpenAPI document and the README's route map describe it. */
const ROUTE_DOCS: Record<string, RouteDoc> = {
  'POST /genesys/1/service/:name': {
    summary: 'Create a session of a service (or run a built-in service type by name)',
    description:
      'Keys starting with `_` are control parameters (merged with the service configuration); every other key, files too, is user data.',
    params: { name: 'The service (execution) name, or a built-in type such as request-interaction' },
  },
  'GET /genesys/1/service/:name': {
    summary: 'Read a session, or query a service (office hours, capacity)',
    params: { name: 'A session id, or a service name whose type answers queries' },
  },
  'DELETE /genesys/1/service/:id': { summary: 'Stop a session' },
  'GET /genesys/1/service/:id/storage': { summary: "The session's user data: every key" },
  'GET /genesys/1/service/:id/storage/:key': { summary: "One value of the session's user data, raw" },
  'GET /genesys/1/service/:id/storage/binary/:key': {
    summary: "A file of the session's user data, with its content type",
  },
  'POST /genesys/1/service/:id/storage': { summary: "Add or replace values of the session's user data" },
  'DELETE /genesys/1/service/:id/storage/:key': { summary: "Delete one key of the session's user data" },
  ...Object.fromEntries(
    ['GET', 'POST', 'PUT', 'DELETE'].map((method) => [
      `${method} /genesys/1/service/:id/*request`,
      {
        summary:
          'Any other per-session request: 404, or 405 when the session’s type serves it with other methods',
        description:
          'Every request a module serves has its own route above; this one answers the rest through the same registry.',
        params: { request: 'The request path after the session id' },
        ...(method === 'GET' || method === 'DELETE' ? { body: false as const } : {}),
      },
    ]),
  ),
};

/** `connect` → `/genesys/1/service/:id/connect`; a subtree `ixn/chat/*` → `…/ixn/chat/*rest`. */
const sessionRequestPattern = (spec: SessionRequestSpec) =>
  `/genesys/1/service/:id/${spec.path.endsWith('/*') ? `${spec.path.slice(0, -2)}/*rest` : spec.path}`;

/** The request path the registry dispatches on, from the matched route's parameters. */
const requestPathOf = (spec: SessionRequestSpec | null, params: Record<string, string>): string => {
  if (!spec) return params.request ?? '';
  if (!spec.path.endsWith('/*')) return spec.path;
  return [spec.path.slice(0, -2), params.rest].filter(Boolean).join('/');
};

function sessionRequestDoc(specs: SessionRequestSpec[], method: string): RouteDoc {
  const [first] = specs as [SessionRequestSpec];
  const types = specs.flatMap((s) => s.serviceTypes ?? []);
  return {
    summary: first.summary,
    description: specs.every((s) => s.serviceTypes?.length)
      ? `Sessions of service type ${[...new Set(types)].join(', ')} (any other: 404).`
      : 'Sessions of every service type.',
    params: { id: 'The session id', ...(first.rest ? { rest: first.rest } : {}) },
    ...(method === 'GET' || method === 'DELETE' ? { body: false as const } : {}),
  };
}

/**
 * The Service API: /genesys/1/service/{name} creates (POST) or queries (GET) a service;
 * /genesys/1/service/{id} reads (GET) or stops (DELETE) a session; /genesys/1/service/{id}/storage…
 * is its user data; each per-session request the modules declare (`requests`, from http/routes.ts)
 * has its route /genesys/1/service/{id}/{request}, and /genesys/1/service/{id}/{request…} answers
 * any other. All of them go through the request registry, which picks the handler by the session's
 * service type. Static routes other modules add (e.g. /service/callback/{name}) outrank these.
 */
export function registerSessionRoutes(
  router: RouteTable,
  requests: readonly SessionRequestSpec[] = [],
): void {
  router.describe(ROUTE_DOCS);
  router.add('POST', '/genesys/1/service/:name', async (req, { managers }) => {
    const result = await managers.sessions.create(
      req.params.name ?? '',
      requestParamsFromBody(await req.body()),
      caller(req),
    );
    return reply(result.response);
  });

  router.add('GET', '/genesys/1/service/:name', async (req, { managers }) => {
    const target = req.params.name ?? '';
    const session = await managers.sessions.find(target);
    if (session)
      return jsonResponse(await sessionJson(managers, await managers.sessions.owned(caller(req), target)));
    // Service names never look like session ids, so this one is an unknown or expired session.
    if (SESSION_ID_SHAPE.test(target)) await managers.sessions.get(target);
    const result = await managers.sessions.query(target, req.url.searchParams, caller(req));
    return reply(result.response);
  });

  router.add('DELETE', '/genesys/1/service/:id', async (req, { managers }) => {
    const session = await managers.sessions.owned(caller(req), req.params.id ?? '');
    const event = await managers.sessions.stop(session.id);
    return jsonResponse({ _id: event.id, message: 'Service stopped' });
  });

  // Per-session storage (reference §1.4): the session's user data area.
  const dataRef = async (req: LegacyRequest, managers: Managers) => ({
    id: (await managers.sessions.owned(caller(req), req.params.id ?? '')).dataId,
  });
  router.add('GET', '/genesys/1/service/:id/storage', async (req, { managers }) => {
    const entry = await managers.storage.get(await dataRef(req, managers));
    return jsonResponse(storageEntryJson(entry, sessionBinaryPath(req.params.id ?? '')));
  });
  router.add('GET', '/genesys/1/service/:id/storage/:key', async (req, { managers }) =>
    storedValueResponse(await managers.storage.getValue(await dataRef(req, managers), req.params.key ?? '')),
  );
  router.add('GET', '/genesys/1/service/:id/storage/binary/:key', async (req, { managers }) =>
    storedValueResponse(await managers.storage.getValue(await dataRef(req, managers), req.params.key ?? '')),
  );
  router.add('POST', '/genesys/1/service/:id/storage', async (req, { managers }) => {
    const ref = await dataRef(req, managers);
    await managers.storage.put(ref, storageInputFromBody(await req.body()));
    return jsonResponse({ _id: req.params.id, _data_id: ref.id });
  });
  router.add('DELETE', '/genesys/1/service/:id/storage/:key', async (req, { managers }) => {
    const removed = await managers.storage.deleteKeys(await dataRef(req, managers), [req.params.key ?? '']);
    return jsonResponse({ _id: req.params.id, removed });
  });

  const handler =
    (method: string, spec: SessionRequestSpec | null): LegacyHandler =>
    async (req, { managers }) => {
      // GET carries its parameters in the query string (dialog follow-ups, check-queue-position).
      const params =
        method === 'GET'
          ? requestParamsFromBody({
              fields: Object.fromEntries(req.url.searchParams),
              files: [],
              json: null,
              kind: 'urlencoded',
            })
          : requestParamsFromBody(await req.body());
      const result = await managers.sessions.request(
        req.params.id ?? '',
        requestPathOf(spec, req.params),
        method,
        params,
        req.url.searchParams,
        caller(req),
      );
      return reply(result.response);
    };
  // One route per declared request and method (a generic request and a type's refinement share it).
  const declared = new Map<string, SessionRequestSpec[]>();
  for (const spec of requests)
    for (const method of requestMethods(spec)) {
      const key = `${method} ${sessionRequestPattern(spec)}`;
      declared.set(key, [...(declared.get(key) ?? []), spec]);
    }
  for (const [key, specs] of declared) {
    const [method, pattern] = key.split(' ') as [string, string];
    router.add(method, pattern, handler(method, specs[0] as SessionRequestSpec), {
      doc: sessionRequestDoc(specs, method),
    });
  }
  for (const method of ['GET', 'POST', 'PUT', 'DELETE'])
    router.add(method, '/genesys/1/service/:id/*request', handler(method, null));
}
