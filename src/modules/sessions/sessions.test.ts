import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { graphql } from '../../../test/gql/index.js';
import { backend, createTestApp, createTestDatabase, type TestApp } from '../../../test/harness.js';
import { ConflictError, DomainError, UnavailableError } from '../../errors.js';
import { jsonResponse } from '../../http/http-errors.js';
import { RouteTable } from '../../http/route-table.js';
import { registerStorageRoutes } from '../storage/storage.rest.js';
import { SessionHandlerRegistry } from './session-handlers.js';
import type { SessionStoppedEvent } from './sessions.manager.js';
import { registerSessionRoutes } from './sessions.rest.js';

/** The gms_user header of the seed's captures. */
const SEED_GMS_USER = 'b16416334828b1d26ef14f329628b55b5a8c631d8928a371a5584722dd7fb673';

/**
 * The seed's iPhoneService Create request ("Customization", request-interaction). The PDF copy is
 * damaged: its Content-Type names boundary `----Boundary`, its first delimiter is `-----Boundary`,
 * the others `-----WebKitFormBoundaryy16qocbN6tmPORZL`, and the blank line after each part's headers
 * is lost. The replay keeps every delimiter line exactly as printed for the WebKit boundary (so the
 * Content-Type boundary is that line minus its leading `--`), the part names and values, and
 * restores the CRLFs and the blank lines the multipart format requires.
 */
const SEED_BOUNDARY = '---WebKitFormBoundaryy16qocbN6tmPORZL';
const seedIPhoneBody = [
  `--${SEED_BOUNDARY}`,
  'Content-Disposition: form-data; name="_phone_number"',
  '',
  '6504669999',
  `--${SEED_BOUNDARY}`,
  'Content-Disposition: form-data; name="current_location_latitude"',
  '',
  '48.8583',
  `--${SEED_BOUNDARY}`,
  'Content-Disposition: form-data; name="current_location_longitude"',
  '',
  '2.2944',
  `--${SEED_BOUNDARY}--`,
  '',
].join('\r\n');

const seedHeaders = {
  accept: '*/*',
  'accept-charset': 'ISO-8859-1,utf-8;q=0.7,*;q=0.3',
  'accept-language': 'en-US,en;q=0.8',
  'content-type': `multipart/form-data; boundary=${SEED_BOUNDARY}`,
  gms_user: SEED_GMS_USER,
};

const SESSION_ID = /^\d+-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const SessionsCreate = graphql(`
  mutation SessionsCreate($service: String!, $parameters: [ServiceOptionInput!]) {
    createServiceSession(service: $service, parameters: $parameters) {
      __typename
      ... on MutationCreateServiceSessionSuccess {
        data {
          response
          session {
            id
            serviceName
            serviceType
            dataId
            gmsUser
            expiresAt
            requestParameters {
              name
              value
            }
            userData {
              key
              text
            }
          }
        }
      }
      ... on Error {
        code
        message
      }
      ... on ValidationError {
        field
      }
    }
  }
`);

const SessionsRead = graphql(`
  query SessionsRead($id: ID!) {
    serviceSession(id: $id) {
      id
      serviceName
      gmsUser
      userData {
        key
        text
      }
    }
  }
`);

const SessionsReadParams = graphql(`
  query SessionsReadParams($id: ID!) {
    serviceSession(id: $id) {
      parameters {
        name
        value
      }
    }
  }
`);

const SessionsList = graphql(`
  query SessionsList($service: String) {
    serviceSessions(service: $service) {
      id
      serviceName
    }
  }
`);

const SessionsStop = graphql(`
  mutation SessionsStop($id: ID!) {
    stopServiceSession(id: $id) {
      __typename
      ... on MutationStopServiceSessionSuccess {
        data {
          id
          reason
        }
      }
      ... on Error {
        code
      }
    }
  }
`);

const SessionsRequest = graphql(`
  mutation SessionsRequest($id: ID!, $request: String!, $parameters: [ServiceOptionInput!]) {
    serviceSessionRequest(id: $id, request: $request, parameters: $parameters) {
      __typename
      ... on MutationServiceSessionRequestSuccess {
        data
      }
      ... on Error {
        code
      }
    }
  }
`);

const SessionsUpdateData = graphql(`
  mutation SessionsUpdateData($id: ID!, $values: [StorageValueInput!]!) {
    updateServiceSessionData(id: $id, values: $values) {
      __typename
      ... on MutationUpdateServiceSessionDataSuccess {
        data {
          userData {
            key
            text
          }
        }
      }
      ... on Error {
        code
      }
    }
  }
`);

const SessionsDeleteData = graphql(`
  mutation SessionsDeleteData($id: ID!, $keys: [String!]!) {
    deleteServiceSessionData(id: $id, keys: $keys) {
      __typename
      ... on MutationDeleteServiceSessionDataSuccess {
        data
      }
    }
  }
`);

async function iPhoneService(t: TestApp): Promise<void> {
  // The service books from its own shared pool (request-interaction allocates an access number).
  await t.app.managers.resources.createGroup({
    name: 'iPhoneService',
    resources: [{ name: 'Key1', accessNumber: '1-800-1234' }],
  });
  await t.app.managers.services.create({
    name: 'iPhoneService',
    template: 'request-interaction',
    options: [
      { name: '_ttl', value: '7200' },
      { name: '_provide_code', value: 'false' },
      { name: '_resource_group', value: 'iPhoneService' },
    ],
  });
}

const createSeedSession = async (t: TestApp) => {
  const r = await t.fetch('/genesys/1/service/iPhoneService', {
    method: 'POST',
    body: seedIPhoneBody,
    headers: seedHeaders,
  });
  return { response: r, body: (await r.json()) as Record<string, string> };
};

describe('Service API sessions (legacy)', () => {
  let t: TestApp;
  const stopped: { event: SessionStoppedEvent; inTx: boolean }[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    await iPhoneService(t);
    t.app.managers.sessions.onStopped(async (event, tx) => {
      stopped.push({ event, inTx: tx !== t.app.deps.db });
    });
  });
  afterAll(() => t.close());

  it('replays the seed iPhoneService create: a session with the user data under _data_id', async () => {
    const { response, body } = await createSeedSession(t);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    // The generic Service API answer plus request-interaction's access data.
    expect(Object.keys(body).sort()).toEqual(['_access_number', '_data_id', '_expiration_time', '_id', 'id']);
    expect(body._access_number).toBe('1-800-1234');
    expect(body._id).toMatch(SESSION_ID);
    expect(body._id?.startsWith(`${t.app.deps.node.id}-`)).toBe(true);
    expect(body.id).toBe(body._id);
    expect(body._data_id).toMatch(SESSION_ID);
    expect(body._data_id).not.toBe(body._id);

    // Non-underscore keys are user data, readable through the Storage API by _data_id.
    const data = await t.fetch(`/genesys/1/storage/${body._data_id}`);
    expect(await data.json()).toEqual({
      current_location_latitude: '48.8583',
      current_location_longitude: '2.2944',
    });

    const session = await t.app.managers.sessions.get(body._id as string);
    expect(session).toMatchObject({
      serviceName: 'iPhoneService',
      serviceType: 'request-interaction',
      type: 'builtin',
      gmsUser: SEED_GMS_USER,
      requestParams: { _phone_number: '6504669999' },
      params: {
        _phone_number: '6504669999',
        _provide_code: 'false',
        _resource_group: 'iPhoneService',
        _ttl: '7200',
        _type: 'builtin',
        _service: 'request-interaction',
      },
    });
    // TTL from the configured _ttl (7200 s).
    expect(session.expiresAt.getTime() - session.createdAt.getTime()).toBe(7_200_000);
  });

  it('answers the capture exactly as printed (boundary mismatch) with a JSON 400, never a 500', async () => {
    const printed = [
      '-----Boundary',
      'Content-Disposition: form-data; name="_phone_number"',
      '6504669999',
      '-----WebKitFormBoundaryy16qocbN6tmPORZL',
      'Content-Disposition: form-data; name="current_location_latitude"',
      '48.8583',
      '-----WebKitFormBoundaryy16qocbN6tmPORZL',
    ].join('\r\n');
    const r = await t.fetch('/genesys/1/service/iPhoneService', {
      method: 'POST',
      body: printed,
      headers: { ...seedHeaders, 'content-type': 'multipart/form-data; boundary=----Boundary' },
    });
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ code: 400, phrase: 'Bad Request', exception: expect.any(String) });
  });

  it('accepts urlencoded and JSON bodies; configured values supersede the request', async () => {
    const form = await t.fetch('/genesys/1/service/iPhoneService', {
      method: 'POST',
      body: '_phone_number=6504669999&_ttl=5&_resource_group=Other&note=hello',
      headers: { 'content-type': 'application/x-www-form-urlencoded', gms_user: 'u1' },
    });
    const a = (await form.json()) as Record<string, string>;
    const sa = await t.app.managers.sessions.get(a._id as string);
    expect(sa.params).toMatchObject({ _ttl: '7200', _resource_group: 'iPhoneService' });
    expect(sa.requestParams).toEqual({ _phone_number: '6504669999', _ttl: '5', _resource_group: 'Other' });
    expect(await t.app.managers.sessions.userData(sa.id)).toEqual({ note: 'hello' });

    const json = await t.fetch('/genesys/1/service/iPhoneService', {
      method: 'POST',
      body: JSON.stringify({ _phone_number: 6504669999, first_name: 'Ann', vip: true }),
      headers: { 'content-type': 'application/json' },
    });
    const b = (await json.json()) as Record<string, string>;
    expect(await t.app.managers.sessions.userData(b._id as string)).toEqual({
      first_name: 'Ann',
      vip: 'true',
    });
    expect((await t.app.managers.sessions.get(b._id as string)).gmsUser).toBeNull();
  });

  it('keeps files sent as user data, readable per session and through the Storage API', async () => {
    const png = randomBytes(1500);
    const form = new FormData();
    form.append('_phone_number', '123');
    form.append('screen', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'temp');
    const r = await t.fetch('/genesys/1/service/iPhoneService', { method: 'POST', body: form });
    const { _id, _data_id } = (await r.json()) as Record<string, string>;
    for (const path of [
      `/genesys/1/service/${_id}/storage/binary/screen`,
      `/genesys/1/storage/binary/${_data_id}/screen`,
    ]) {
      const bin = await t.fetch(path);
      expect(bin.headers.get('content-type')).toBe('image/png');
      expect(Buffer.from(await bin.arrayBuffer()).equals(png)).toBe(true);
    }
    const controlFile = new FormData();
    controlFile.append('_phone_number', new Blob(['123']), 'x.txt');
    const refused = await t.fetch('/genesys/1/service/iPhoneService', { method: 'POST', body: controlFile });
    expect(refused.status).toBe(400);
  });

  it('GET /genesys/1/service/{id}: ids, request control parameters and user data', async () => {
    const { body } = await createSeedSession(t);
    const r = await t.fetch(`/genesys/1/service/${body._id}`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({
      _id: body._id,
      _data_id: body._data_id,
      _service_name: 'iPhoneService',
      _expires_at: new Date(t.clock.now().getTime() + 7_200_000).toISOString(),
      _phone_number: '6504669999',
      current_location_latitude: '48.8583',
      current_location_longitude: '2.2944',
    });
  });

  it('per-session storage (reference §1.4)', async () => {
    const { body } = await createSeedSession(t);
    const base = `/genesys/1/service/${body._id}/storage`;
    expect(await (await t.fetch(base)).json()).toEqual({
      current_location_latitude: '48.8583',
      current_location_longitude: '2.2944',
    });
    const form = new FormData();
    form.append('comment', 'called twice');
    form.append(
      'screen',
      new Blob([new Uint8Array([1, 2, 3])], { type: 'application/octet-stream' }),
      'temp',
    );
    const posted = await t.fetch(base, { method: 'POST', body: form });
    expect(await posted.json()).toEqual({ _id: body._id, _data_id: body._data_id });
    expect(await (await t.fetch(`${base}/comment`)).text()).toBe('called twice');
    expect(await (await t.fetch(base)).json()).toMatchObject({ screen: `${base}/binary/screen` });
    const del = await t.fetch(`${base}/comment`, { method: 'DELETE' });
    expect(await del.json()).toEqual({ _id: body._id, removed: ['comment'] });
    expect((await t.fetch(`${base}/comment`)).status).toBe(404);
    expect((await t.fetch('/genesys/1/service/1-00000000-0000-0000-0000-000000000000/storage')).status).toBe(
      404,
    );
  });

  it('unknown service → 404 JSON; unknown session → 404; invalid _ttl → 400 naming it', async () => {
    const unknown = await t.fetch('/genesys/1/service/noSuchService', {
      method: 'POST',
      body: 'a=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({
      code: 404,
      phrase: 'Not Found',
      message: "Service 'noSuchService' is not configured",
      exception: 'com.genesyslab.gsg.services.NotFoundException',
    });
    for (const [method, path] of [
      ['GET', '/genesys/1/service/7-00000000-0000-0000-0000-000000000000'],
      ['DELETE', '/genesys/1/service/7-00000000-0000-0000-0000-000000000000'],
      ['POST', '/genesys/1/service/7-00000000-0000-0000-0000-000000000000/update'],
      ['GET', '/genesys/1/service/noSuchService'],
    ] as const) {
      const r = await t.fetch(path, { method });
      expect(r.status, `${method} ${path}`).toBe(404);
      expect(((await r.clone().json()) as { message: string }).message).toMatch(
        path.includes('7-0000') ? /Service session .* not found or expired/ : /is not configured/,
      );
      expect(r.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    }
    await t.app.managers.services.create({
      name: 'no-ttl',
      options: [
        { name: '_type', value: 'builtin' },
        { name: '_service', value: 'test-generic' },
      ],
    });
    const bad = await t.fetch('/genesys/1/service/no-ttl', {
      method: 'POST',
      body: '_ttl=soon',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ message: expect.stringContaining('_ttl') });
    const fallback = await t.fetch('/genesys/1/service/no-ttl', { method: 'POST' });
    const { _id } = (await fallback.json()) as Record<string, string>;
    const s = await t.app.managers.sessions.get(_id as string);
    expect(s.expiresAt.getTime() - s.createdAt.getTime()).toBe(30_000);
    const fromRequest = await t.fetch('/genesys/1/service/no-ttl', {
      method: 'POST',
      body: '_ttl=90',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const s2 = await t.app.managers.sessions.get(
      ((await fromRequest.json()) as Record<string, string>)._id as string,
    );
    expect(s2.expiresAt.getTime() - s2.createdAt.getTime()).toBe(90_000);
    // A service with no query handler does not answer GET.
    const get = await t.fetch('/genesys/1/service/no-ttl');
    expect(get.status).toBe(405);
  });

  it('expires after its TTL for every read; the sweeper removes it and tells the listeners', async () => {
    const r = await t.fetch('/genesys/1/service/no-ttl', {
      method: 'POST',
      body: 'k=v',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const { _id, _data_id } = (await r.json()) as Record<string, string>;
    t.clock.advance(29_000);
    expect((await t.fetch(`/genesys/1/service/${_id}`)).status).toBe(200);
    t.clock.advance(1_000);
    for (const path of [
      `/genesys/1/service/${_id}`,
      `/genesys/1/service/${_id}/storage`,
      `/genesys/1/storage/${_data_id}`,
    ])
      expect((await t.fetch(path)).status, path).toBe(404);
    expect((await t.fetch(`/genesys/1/service/${_id}`, { method: 'DELETE' })).status).toBe(404);
    expect(await t.app.managers.sessions.find(_id as string)).toBeNull();

    stopped.length = 0;
    const removed = await t.app.managers.sessions.sweepExpired();
    expect(removed).toBeGreaterThanOrEqual(1);
    const mine = stopped.find((s) => s.event.id === _id);
    expect(mine).toMatchObject({
      inTx: true,
      event: { reason: 'expired', dataId: _data_id, serviceName: 'no-ttl' },
    });
    expect(await t.app.managers.sessions.sweepExpired()).toBe(0);
  });

  it('DELETE stops the session: data released, listeners told inside the transaction, event published', async () => {
    const { body } = await createSeedSession(t);
    const events = t.app.deps.bus.subscribe('session:stopped', body._id as string);
    await events.ready;
    stopped.length = 0;
    const r = await t.fetch(`/genesys/1/service/${body._id}`, { method: 'DELETE' });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ _id: body._id, message: 'Service stopped' });
    expect(stopped).toEqual([
      {
        inTx: true,
        event: {
          id: body._id,
          serviceName: 'iPhoneService',
          serviceType: 'request-interaction',
          type: 'builtin',
          dataId: body._data_id,
          gmsUser: SEED_GMS_USER,
          reason: 'stopped',
          at: t.clock.now().toISOString(),
        },
      },
    ]);
    const next = await events.next();
    expect(next.value).toMatchObject({ id: body._id, reason: 'stopped' });
    await events.return();
    expect((await t.fetch(`/genesys/1/service/${body._id}`)).status).toBe(404);
    expect((await t.fetch(`/genesys/1/storage/${body._data_id}`)).status).toBe(404);
  });

  it('a failing stop listener undoes the stop', async () => {
    const { body } = await createSeedSession(t);
    let fail = true;
    t.app.managers.sessions.onStopped(async (event) => {
      if (fail && event.id === body._id) throw new ConflictError('test/busy', 'Cannot release yet');
    });
    const r = await t.fetch(`/genesys/1/service/${body._id}`, { method: 'DELETE' });
    expect(r.status).toBe(409);
    expect((await t.fetch(`/genesys/1/service/${body._id}`)).status).toBe(200);
    expect((await t.fetch(`/genesys/1/storage/${body._data_id}`)).status).toBe(200);
    fail = false;
    expect((await t.fetch(`/genesys/1/service/${body._id}`, { method: 'DELETE' })).status).toBe(200);
  });
});

describe('Service API dispatch seams', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    const { handlers } = t.app.managers.sessions;
    const typed = (name: string, type: string) =>
      t.app.managers.services.create({
        name,
        options: [
          { name: '_type', value: 'builtin' },
          { name: '_service', value: type },
          { name: '_ttl', value: '300' },
        ],
      });

    // A built-in type with a mandatory request parameter, answering in its own shape.
    handlers.registerServiceType('test-allocate', {
      required: ['_phone_number'],
      async create(session, params, service, ctx) {
        if (params._phone_number === 'busy')
          throw new UnavailableError('test/exhausted', 'No access number is free');
        await ctx.tx.execute('select 1');
        return {
          _id: session?.id,
          _access_number: `1-800-${params._phone_number}`,
          _service_seen: service.name,
        };
      },
    });
    // A type answering without a session of its own (as match-interaction does).
    handlers.registerServiceType('test-match', {
      createsSession: false,
      async create(session, params) {
        return { matched: params._access_number ?? null, hadSession: session !== null };
      },
    });
    // A type answering GET (as office-hours does).
    handlers.registerServiceType('test-calendar', {
      async query(params, service, ctx) {
        return { service: service.name, start: ctx.query.get('start'), tz: params._timezone ?? null };
      },
      async describe(session) {
        return { _state: `described-${session.serviceType}` };
      },
    });
    handlers.registerRequest(
      { path: 'connect', summary: 'test', serviceTypes: ['test-allocate'] },
      async (session, params, service, ctx) => ({
        _id: session.id,
        _action: 'DialNumber',
        limit: params._userorig_connect_limit ?? null,
        method: ctx.method,
        from: ctx.gmsUser,
        service: service?.name ?? null,
      }),
    );
    handlers.registerRequest(
      { path: 'ixn/probe/*', summary: 'test' },
      async (session, _params, _service, ctx) => ({
        _id: session.id,
        sub: ctx.path,
        comet_channel: '/_genesys',
      }),
    );
    handlers.registerRequest(
      { path: 'check-queue-position', summary: 'test', methods: ['GET'] },
      async () => ({ _position: 2, _eta: 'n/a' }),
    );
    await typed('alloc', 'test-allocate');
    await typed('matcher', 'test-match');
    await typed('calendar', 'test-calendar');
  });
  afterAll(() => t.close());

  const post = (path: string, body = '', headers: Record<string, string> = {}) =>
    t.fetch(path, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    });

  it('dispatches create on the built-in type; a missing mandatory parameter is a 400 naming it', async () => {
    const missing = await post('/genesys/1/service/alloc', 'note=x');
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({
      message: "Missing mandatory parameter _phone_number for service 'alloc'",
      code: 400,
    });
    const ok = await post('/genesys/1/service/alloc', '_phone_number=5551234');
    expect(await ok.json()).toEqual({
      _id: expect.stringMatching(SESSION_ID),
      _access_number: '1-800-5551234',
      _service_seen: 'alloc',
    });
  });

  it('a handler failure leaves nothing behind (session and data roll back)', async () => {
    const before = (await t.app.managers.sessions.list({ serviceName: 'alloc' })).length;
    const r = await post('/genesys/1/service/alloc', '_phone_number=busy&user=data');
    expect(r.status).toBe(503);
    expect(await r.json()).toMatchObject({ message: 'No access number is free', code: 503 });
    expect((await t.app.managers.sessions.list({ serviceName: 'alloc' })).length).toBe(before);
  });

  it('runs session-less types and GET queries; GET on a session adds the type’s description', async () => {
    const m = await post('/genesys/1/service/matcher', '_access_number=1-800-1234');
    expect(await m.json()).toEqual({ matched: '1-800-1234', hadSession: false });
    expect(await t.app.managers.sessions.list({ serviceName: 'matcher' })).toEqual([]);
    const q = await t.fetch('/genesys/1/service/calendar?start=2026-01-05T10:00:00Z&_timezone=Europe/Paris');
    expect(await q.json()).toEqual({
      service: 'calendar',
      start: '2026-01-05T10:00:00Z',
      tz: 'Europe/Paris',
    });
    const created = (await (await post('/genesys/1/service/calendar')).json()) as Record<string, string>;
    expect(await (await t.fetch(`/genesys/1/service/${created._id}`)).json()).toMatchObject({
      _state: 'described-test-calendar',
    });
  });

  it('dispatches /service/{id}/{request}: by path, method and service type; unknown → 404 JSON', async () => {
    const { _id } = (await (await post('/genesys/1/service/alloc', '_phone_number=1')).json()) as Record<
      string,
      string
    >;
    const connect = await post(`/genesys/1/service/${_id}/connect`, '', { gms_user: 'dev-1' });
    expect(await connect.json()).toEqual({
      _id,
      _action: 'DialNumber',
      limit: null,
      method: 'POST',
      from: 'dev-1',
      service: 'alloc',
    });
    const chat = await post(`/genesys/1/service/${_id}/ixn/probe/send`, 'message=hi');
    expect(await chat.json()).toEqual({ _id, sub: 'ixn/probe/send', comet_channel: '/_genesys' });
    const chatRoot = await post(`/genesys/1/service/${_id}/ixn/probe`);
    expect(await chatRoot.json()).toMatchObject({ sub: 'ixn/probe' });
    const queue = await t.fetch(`/genesys/1/service/${_id}/check-queue-position`);
    expect(await queue.json()).toEqual({ _position: 2, _eta: 'n/a' });
    const wrongMethod = await post(`/genesys/1/service/${_id}/check-queue-position`);
    expect(wrongMethod.status).toBe(405);

    const unknown = await post(`/genesys/1/service/${_id}/no-such-request`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({
      code: 404,
      message: expect.stringContaining("no request 'no-such-request'"),
    });
    // connect is registered for test-allocate sessions only.
    const { _id: calendarSession } = (await (await post('/genesys/1/service/calendar')).json()) as Record<
      string,
      string
    >;
    expect((await post(`/genesys/1/service/${calendarSession}/connect`)).status).toBe(404);
  });

  it('the built-in update request adds user data', async () => {
    const { _id } = (await (await post('/genesys/1/service/alloc', '_phone_number=1&a=1')).json()) as Record<
      string,
      string
    >;
    const { dataId: _data_id } = await t.app.managers.sessions.get(_id as string);
    const r = await post(`/genesys/1/service/${_id}/update`, 'a=2&b=3&_ignored=1');
    expect(await r.json()).toEqual({ _id, _data_id });
    expect(await (await t.fetch(`/genesys/1/storage/${_data_id}`)).json()).toEqual({ a: '2', b: '3' });
  });

  it('the registry refuses duplicates but lets a type-specific request refine a generic one', () => {
    const registry = new SessionHandlerRegistry();
    const generic = async () => 'generic';
    const specific = async () => 'specific';
    registry.registerRequest({ path: 'update', summary: 'generic' }, generic);
    expect(() => registry.registerRequest({ path: 'update', summary: 'again' }, generic)).toThrow(
      /already registered/,
    );
    registry.registerRequest({ path: 'update', summary: 'specific', serviceTypes: ['callback'] }, specific);
    expect(registry.findRequest('update', 'POST', 'callback')).toBe(specific);
    expect(registry.findRequest('update', 'POST', 'other')).toBe(generic);
    registry.registerServiceType('x', {});
    expect(() => registry.registerServiceType('x', {})).toThrow(/already registered/);
    expect(registry.serviceType('unregistered').create).toBeDefined();
  });

  it('route ranking: static routes other modules add outrank the session routes', async () => {
    const router = new RouteTable();
    registerSessionRoutes(router);
    registerStorageRoutes(router);
    const marker = async () => jsonResponse({});
    router.add('POST', '/genesys/1/service/callback/:name', marker);
    router.add('DELETE', '/genesys/1/service/callback/:name/:id', marker);
    router.add('GET', '/genesys/1/service/callback', marker);
    const route = (method: string, path: string) => {
      const m = router.match(method, path);
      return m && m !== 'method' && m.route.kind === 'legacy' ? { route: m.route, params: m.params } : null;
    };
    expect(route('POST', '/genesys/1/service/callback/voice-userorig-immediate')?.route.handler).toBe(marker);
    expect(route('DELETE', '/genesys/1/service/callback/x/7-abc')?.route.handler).toBe(marker);
    expect(route('GET', '/genesys/1/service/callback')?.route.handler).toBe(marker);
    expect(route('POST', '/genesys/1/service/iPhoneService')?.params).toEqual({ name: 'iPhoneService' });
    expect(route('POST', '/genesys/1/service/7-abc/connect')?.params).toEqual({
      id: '7-abc',
      request: 'connect',
    });
    expect(route('POST', '/genesys/1/service/7-abc/ixn/chat/refresh')?.params).toEqual({
      id: '7-abc',
      request: 'ixn/chat/refresh',
    });
    expect(route('GET', '/genesys/1/service/7-abc/storage')?.params).toEqual({ id: '7-abc' });
    expect(route('GET', '/genesys/1/service/7-abc/storage/binary/k')?.params).toEqual({
      id: '7-abc',
      key: 'k',
    });
    expect(route('GET', '/genesys/1/storage/binary/7-abc/k')?.params).toEqual({ id: '7-abc', key: 'k' });
    expect(route('POST', '/genesys/1/storage/custom/cid/60')?.params).toEqual({ customId: 'cid', ttl: '60' });
    expect(route('POST', '/genesys/1/storage/7-abc/60')?.params).toEqual({ id: '7-abc', ttl: '60' });
  });

  it('errors thrown by handlers keep their status', async () => {
    t.app.managers.sessions.handlers.registerRequest({ path: 'teapot', summary: 'test' }, async () => {
      throw new DomainError('test/teapot', 'I am a teapot', { status: 418 });
    });
    const { _id } = (await (await post('/genesys/1/service/calendar')).json()) as Record<string, string>;
    const r = await post(`/genesys/1/service/${_id}/teapot`);
    expect(r.status).toBe(418);
    expect(await r.json()).toMatchObject({ message: 'I am a teapot', code: 418 });
  });
});

describe('office-hours services through the Service API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('checks office-hours options when saved and answers GET with the calendar', async () => {
    await expect(
      t.app.managers.services.create({
        name: 'business-hours',
        template: 'office-hours',
        options: [{ name: '_bh_regular1', value: 'Someday 9-5' }],
      }),
    ).rejects.toMatchObject({ field: '_bh_regular1' });
    await t.app.managers.services.create({
      name: 'business-hours',
      template: 'office-hours',
      options: [
        { name: '_timezone', value: 'Europe/Paris' },
        { name: '_bh_regular1', value: 'Mon-Fri 09:00-17:00' },
      ],
    });
    // ManualClock starts on Monday 2026-01-05 10:00 UTC (11:00 in Paris).
    const r = await t.fetch('/genesys/1/service/business-hours?number-of-days=1');
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({
      error: null,
      timezone: 'Europe/Paris',
      startDate: '2026-01-05',
      openNow: true,
    });
    const bad = await t.fetch('/genesys/1/service/business-hours?start=yesterday');
    expect(bad.status).toBe(400);
  });
});

describe('Service API sessions (GraphQL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await iPhoneService(t);
  });
  afterAll(() => t.close());

  const create = (gmsUser: string | null) =>
    t.gql(
      SessionsCreate,
      {
        service: 'iPhoneService',
        parameters: [
          { name: '_phone_number', value: '6504669999' },
          { name: 'current_location_latitude', value: '48.8583' },
        ],
      },
      gmsUser ? { gms_user: gmsUser } : {},
    );

  it('creates a session: the legacy response plus the typed session', async () => {
    const r = await create('device-a');
    if (r.createServiceSession.__typename !== 'MutationCreateServiceSessionSuccess')
      throw new Error(JSON.stringify(r));
    const { session, response } = r.createServiceSession.data;
    expect(response).toEqual({
      _access_number: '1-800-1234',
      _expiration_time: 30,
      _id: session?.id,
      id: session?.id,
      _data_id: session?.dataId,
    });
    expect(session).toMatchObject({
      serviceName: 'iPhoneService',
      serviceType: 'request-interaction',
      gmsUser: 'device-a',
      requestParameters: [{ name: '_phone_number', value: '6504669999' }],
      userData: [{ key: 'current_location_latitude', text: '48.8583' }],
    });
    const unknown = await t.gql(SessionsCreate, { service: 'nope' });
    expect(unknown.createServiceSession).toMatchObject({
      __typename: 'NotFoundError',
      code: 'services/not_found',
    });
  });

  it('a device sees and stops only its own sessions; an admin sees all', async () => {
    const r = await create('device-a');
    if (r.createServiceSession.__typename !== 'MutationCreateServiceSessionSuccess')
      throw new Error('create failed');
    const id = r.createServiceSession.data.session?.id as string;
    expect((await t.gql(SessionsRead, { id }, { gms_user: 'device-a' })).serviceSession?.id).toBe(id);
    expect((await t.gql(SessionsRead, { id }, { gms_user: 'device-b' })).serviceSession).toBeNull();
    expect((await t.gql(SessionsRead, { id })).serviceSession).toBeNull();
    expect((await t.admin(SessionsRead, { id })).serviceSession?.gmsUser).toBe('device-a');
    await expect(t.gql(SessionsReadParams, { id }, { gms_user: 'device-a' })).rejects.toThrow(
      /Not authorized/,
    );
    const params = await t.admin(SessionsReadParams, { id });
    expect(params.serviceSession?.parameters).toContainEqual({ name: '_ttl', value: '7200' });
    const list = await t.admin(SessionsList, { service: 'iPhoneService' });
    expect(list.serviceSessions.map((s) => s.id)).toContain(id);

    const foreign = await t.gql(SessionsStop, { id }, { gms_user: 'device-b' });
    expect(foreign.stopServiceSession).toMatchObject({ __typename: 'NotFoundError' });
    const own = await t.gql(SessionsStop, { id }, { gms_user: 'device-a' });
    expect(own.stopServiceSession).toMatchObject({ data: { id, reason: 'stopped' } });
    expect((await t.admin(SessionsRead, { id })).serviceSession).toBeNull();
  });

  it('a session created without gms_user is visible to admins only', async () => {
    const r = await create(null);
    if (r.createServiceSession.__typename !== 'MutationCreateServiceSessionSuccess')
      throw new Error('create failed');
    const id = r.createServiceSession.data.session?.id as string;
    expect((await t.gql(SessionsRead, { id })).serviceSession).toBeNull();
    expect((await t.admin(SessionsRead, { id })).serviceSession?.id).toBe(id);
  });

  it('requests, user data updates and removals on one’s own session', async () => {
    const r = await create('device-c');
    if (r.createServiceSession.__typename !== 'MutationCreateServiceSessionSuccess')
      throw new Error('create failed');
    const id = r.createServiceSession.data.session?.id as string;
    const h = { gms_user: 'device-c' };
    const upd = await t.gql(
      SessionsRequest,
      { id, request: 'update', parameters: [{ name: 'mood', value: 'happy' }] },
      h,
    );
    expect(upd.serviceSessionRequest).toMatchObject({ data: { _id: id } });
    const unknown = await t.gql(SessionsRequest, { id, request: 'nothing' }, h);
    expect(unknown.serviceSessionRequest).toMatchObject({ code: 'sessions/unknown_request' });
    const data = await t.gql(
      SessionsUpdateData,
      {
        id,
        values: [
          { key: 'mood', value: 'calm' },
          { key: 'x', value: '1' },
        ],
      },
      h,
    );
    expect(data.updateServiceSessionData).toMatchObject({
      data: {
        userData: [
          { key: 'current_location_latitude', text: '48.8583' },
          { key: 'mood', text: 'calm' },
          { key: 'x', text: '1' },
        ],
      },
    });
    const removed = await t.gql(SessionsDeleteData, { id, keys: ['x'] }, h);
    expect(removed.deleteServiceSessionData).toMatchObject({ data: ['x'] });
    const other = await t.gql(
      SessionsUpdateData,
      { id, values: [{ key: 'mood', value: 'sad' }] },
      { gms_user: 'intruder' },
    );
    expect(other.updateServiceSessionData).toMatchObject({ __typename: 'NotFoundError' });
  });

  it('serviceSessionStopped fires once when the session stops (SSE)', async () => {
    const r = await create('device-d');
    if (r.createServiceSession.__typename !== 'MutationCreateServiceSessionSuccess')
      throw new Error('create failed');
    const id = r.createServiceSession.data.session?.id as string;
    const response = await t.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', gms_user: 'device-d' },
      body: JSON.stringify({
        query: 'subscription SessionsStopped($id: ID!) { serviceSessionStopped(id: $id) { id reason } }',
        variables: { id },
      }),
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    // The event stream starts when read; stop only once the subscription listens on the bus.
    const before = t.app.deps.bus.stats().activeSubscriptions;
    let text = new TextDecoder().decode((await reader.read()).value);
    await vi.waitFor(() => expect(t.app.deps.bus.stats().activeSubscriptions).toBeGreaterThan(before));
    await t.app.managers.sessions.stop(id);
    while (!text.includes('"reason"')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    await reader.cancel();
    expect(text).toContain(`"serviceSessionStopped":{"id":"${id}","reason":"stopped"}`);

    // Subscribing to a session that is gone (or someone else's) is a NOT_FOUND error.
    const late = await t.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', gms_user: 'device-d' },
      body: JSON.stringify({
        query: 'subscription SessionsStoppedLate($id: ID!) { serviceSessionStopped(id: $id) { id } }',
        variables: { id },
      }),
    });
    const lateReader = (late.body as ReadableStream<Uint8Array>).getReader();
    let lateText = '';
    while (!lateText.includes('errors')) {
      const { value, done } = await lateReader.read();
      if (done) break;
      lateText += new TextDecoder().decode(value);
    }
    await lateReader.cancel();
    expect(lateText).toContain('NOT_FOUND');
    expect(lateText).toContain('not found or expired');
  });
});

describe.skipIf(backend !== 'postgres')('sessions across instances', () => {
  it('a session created on A is read and stopped on B; A’s subscriber hears it', async () => {
    const database = await createTestDatabase();
    const namespace = `ses${randomUUID().slice(0, 6)}`;
    const a = await createTestApp({ database, namespace });
    const b = await createTestApp({ database, namespace, clock: a.clock });
    try {
      await iPhoneService(a);
      const { body } = await createSeedSession(a);
      expect(body._id?.startsWith(`${a.app.deps.node.id}-`)).toBe(true);
      expect(await (await b.fetch(`/genesys/1/service/${body._id}`)).json()).toMatchObject({
        _phone_number: '6504669999',
      });
      const events = a.app.deps.bus.subscribe('session:stopped', body._id as string);
      await events.ready;
      expect((await b.fetch(`/genesys/1/service/${body._id}`, { method: 'DELETE' })).status).toBe(200);
      expect((await events.next()).value).toMatchObject({ id: body._id, reason: 'stopped' });
      await events.return();
      expect((await a.fetch(`/genesys/1/service/${body._id}`)).status).toBe(404);

      const second = await createSeedSession(b);
      a.clock.advance(7_200_000);
      expect((await a.fetch(`/genesys/1/service/${second.body._id}`)).status).toBe(404);
      expect((await b.fetch(`/genesys/1/service/${second.body._id}`)).status).toBe(404);
    } finally {
      await a.close();
      await b.close();
      await database.drop();
    }
  });
});
