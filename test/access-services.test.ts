import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock.js';
import type { MatchResult } from '../src/modules/resource/resource.manager.js';
import { graphql } from './gql/index.js';
import {
  backend,
  createTestApp,
  createTestDatabase,
  multipart,
  type TestApp,
  type TestDatabase,
} from './harness.js';

/**
 * The legacy access-number services end to end: request-interaction, request-access and
 * match-interaction over the Service API, as the seed's "Simple Voice Inbound-Immediate Call",
 * "Request-access", "Match-interaction" and "Access Number Allocation Call Flows" pages describe.
 */

type Json = Record<string, unknown>;

const RequestAccess = graphql(`
  mutation AccessRequest($sessionId: ID!, $group: String!, $code: Boolean) {
    requestAccess(sessionId: $sessionId, resourceGroup: $group, provideCode: $code, accessCodeLength: 4) {
      __typename
      ... on MutationRequestAccessSuccess {
        data {
          accessNumber
          accessCode
          expirationTime
        }
      }
      ... on Error {
        code
      }
    }
  }
`);

const MatchCall = graphql(`
  mutation AccessMatch($number: String!, $code: String) {
    matchAccessNumber(accessNumber: $number, accessCode: $code) {
      __typename
      ... on MutationMatchAccessNumberSuccess {
        data {
          sessionId
          session {
            id
            dataId
            userData {
              key
              text
            }
          }
        }
      }
      ... on Error {
        code
      }
    }
  }
`);

async function post(
  t: TestApp,
  path: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
) {
  const res = await t.fetch(path, { method: 'POST', body: multipart(fields), headers });
  return { status: res.status, body: (await res.json()) as Json };
}

async function configure(t: TestApp) {
  const { services, resources } = t.app.managers;
  await resources.createGroup({
    name: 'DNIS',
    locking: true,
    bookingExpirationTimeout: 30,
    resources: [
      { name: 'Key1', accessNumber: '1-800-1234' },
      { name: 'Key2', accessNumber: '1-800-5678' },
    ],
  });
  await resources.createGroup({
    name: 'Shared',
    locking: false,
    bookingExpirationTimeout: 60,
    resources: [{ name: 'Main', accessNumber: '1-888-0000' }],
  });
  // request-interaction, request-access and match-interaction are served unconfigured, as built-ins.
  // The seed's customization example: a service built on request-interaction with its own group.
  await services.create({
    name: 'iPhoneService',
    template: 'request-interaction',
    options: [
      { name: '_ttl', value: '7200' },
      { name: '_provide_code', value: 'true' },
      { name: '_resource_group', value: 'Shared' },
    ],
  });
}

describe('access-number services over the Service API', () => {
  let t: TestApp;
  const clock = new ManualClock(new Date('2026-03-02T10:00:00Z'));
  const matched: MatchResult[] = [];

  beforeAll(async () => {
    t = await createTestApp({ clock });
    await configure(t);
    t.app.managers.resources.onMatched(async (m) => {
      matched.push(m);
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  const freeNumbers = async (group: string) => (await t.app.managers.resources.getGroup(group)).health.free;

  it('request-interaction: books a number, keeps the user data, and answers the seed shape', async () => {
    const { status, body } = await post(t, '/genesys/1/service/request-interaction', {
      _phone_number: '6504669999',
      _resource_group: 'DNIS',
      current_location_latitude: '48.8583',
    });
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['_access_number', '_data_id', '_expiration_time', '_id', 'id']);
    expect(['1-800-1234', '1-800-5678']).toContain(body._access_number);
    expect(body._expiration_time).toBe(30);
    expect(await t.app.managers.sessions.userData(String(body._id))).toEqual({
      current_location_latitude: '48.8583',
    });
    await t.fetch(`/genesys/1/service/${body._id}`, { method: 'DELETE' });
  });

  it('request-interaction: an access code only when asked, with the configured group and length', async () => {
    const { body } = await post(t, '/genesys/1/service/iPhoneService', { _phone_number: '6504669999' });
    expect(body._access_number).toBe('1-888-0000');
    expect(body._access_code).toMatch(/^\d{6}$/);
    expect(body._expiration_time).toBe(60);
    const short = await post(t, '/genesys/1/service/request-interaction', {
      _phone_number: '555',
      _provide_code: 'true',
      _access_code_length: '4',
      _resource_group: 'Shared',
      _booking_expiration_timeout: '90',
    });
    expect(short.body._access_code).toMatch(/^\d{4}$/);
    expect(short.body._expiration_time).toBe(90);
  });

  it('request-interaction: clear 400/404 errors and nothing half-written', async () => {
    const before = (await t.app.managers.sessions.list()).length;
    const missing = await post(t, '/genesys/1/service/request-interaction', { name: 'x' });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toContain('_phone_number');
    // The bare built-in has no configured group: the request must name one.
    const noGroup = await post(t, '/genesys/1/service/request-interaction', { _phone_number: '1' });
    expect(noGroup.status).toBe(400);
    expect(noGroup.body.message).toContain('_resource_group');
    const unknown = await post(t, '/genesys/1/service/request-interaction', {
      _phone_number: '1',
      _resource_group: 'Nowhere',
    });
    expect(unknown.status).toBe(404);
    const badFlag = await post(t, '/genesys/1/service/request-interaction', {
      _phone_number: '1',
      _resource_group: 'DNIS',
      _provide_code: 'maybe',
    });
    expect(badFlag.status).toBe(400);
    expect(badFlag.body.message).toContain('_provide_code');
    expect((await t.app.managers.sessions.list()).length).toBe(before);
  });

  it('a locking pool answers 503 at once when exhausted, leaves no session behind, and records the exhaustion', async () => {
    const a = await post(t, '/genesys/1/service/request-interaction', {
      _phone_number: '111',
      _resource_group: 'DNIS',
    });
    const b = await post(t, '/genesys/1/service/request-interaction', {
      _phone_number: '222',
      _resource_group: 'DNIS',
    });
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(a.body._access_number).not.toBe(b.body._access_number);
    const sessionsBefore = (await t.app.managers.sessions.list()).length;
    const c = await post(t, '/genesys/1/service/request-interaction', {
      _phone_number: '333',
      _resource_group: 'DNIS',
    });
    expect(c.status).toBe(503);
    expect(c.body).toMatchObject({ code: 503 });
    expect((await t.app.managers.sessions.list()).length).toBe(sessionsBefore);
    const events = await t.app.managers.resources.listEvents({ group: 'DNIS', limit: 5 });
    expect(events[0]?.kind).toBe('exhausted');

    // Stopping a session frees its number at once.
    await t.fetch(`/genesys/1/service/${a.body._id}`, { method: 'DELETE' });
    expect(await freeNumbers('DNIS')).toBe(1);
    const d = await post(t, '/genesys/1/service/request-interaction', {
      _phone_number: '444',
      _resource_group: 'DNIS',
    });
    expect(d.body._access_number).toBe(a.body._access_number);

    // An expired booking frees its number for everyone.
    clock.advance(31_000);
    expect(await freeNumbers('DNIS')).toBe(2);
    for (const id of [b.body._id, d.body._id])
      await t.fetch(`/genesys/1/service/${id}`, { method: 'DELETE' });
  });

  it('request-access: books a number for a live session, with overrides; unknown session → 404', async () => {
    const session = await post(t, '/genesys/1/service/request-interaction', {
      _phone_number: '6501112222',
      _resource_group: 'Shared',
    });
    const access = await post(t, '/genesys/1/service/request-access', {
      _id: String(session.body._id),
      _resource_group: 'DNIS',
      _provide_code: 'true',
      _access_code_length: '8',
      _booking_expiration_timeout: '120',
    });
    expect(access.status).toBe(200);
    expect(Object.keys(access.body).sort()).toEqual(['_access_code', '_access_number', '_expiration_time']);
    expect(access.body._access_code).toMatch(/^\d{8}$/);
    expect(access.body._expiration_time).toBe(120);
    const bookings = await t.app.managers.resources.sessionBookings(String(session.body._id));
    expect(bookings.map((b) => b.group).sort()).toEqual(['DNIS', 'Shared']);

    const gone = await post(t, '/genesys/1/service/request-access', {
      _id: 'no-such-session',
      _resource_group: 'DNIS',
    });
    expect(gone.status).toBe(404);
    const noId = await post(t, '/genesys/1/service/request-access', { _resource_group: 'DNIS' });
    expect(noId.status).toBe(400);

    // Stopping the session releases every booking it holds.
    await t.fetch(`/genesys/1/service/${session.body._id}`, { method: 'DELETE' });
    expect(await t.app.managers.resources.sessionBookings(String(session.body._id))).toEqual([]);
  });

  it('match-interaction: DNIS only, DNIS + ANI, DNIS + access code, no match; _data_id reads the user data', async () => {
    // DNIS only (locking).
    const voice = await post(t, '/genesys/1/service/request-interaction', {
      _phone_number: '+1 650 466 9999',
      _resource_group: 'DNIS',
      usr_reason: 'billing',
    });
    const dnisOnly = await post(t, '/genesys/1/service/match-interaction', {
      _access_number: String(voice.body._access_number).replaceAll('-', ''),
    });
    expect(dnisOnly.status).toBe(200);
    expect(Object.keys(dnisOnly.body).sort()).toEqual(['_data_id', '_id']);
    expect(dnisOnly.body._id).toBe(voice.body._id);
    const data = await t.fetch(`/genesys/1/storage/${dnisOnly.body._data_id}`);
    expect(await data.json()).toMatchObject({ usr_reason: 'billing' });
    expect(matched.at(-1)?.sessionId).toBe(voice.body._id);
    // The match released the booking: the same call does not match twice.
    const again = await post(t, '/genesys/1/service/match-interaction', {
      _access_number: String(voice.body._access_number),
    });
    expect(again.status).toBe(404);
    expect(again.body).toMatchObject({ code: 404 });

    // DNIS + ANI on a shared number.
    const alice = await post(t, '/genesys/1/service/request-interaction', {
      _phone_number: '6505550001',
      _resource_group: 'Shared',
    });
    const bob = await post(t, '/genesys/1/service/request-interaction', {
      _phone_number: '6505550002',
      _resource_group: 'Shared',
    });
    const byAni = await post(t, '/genesys/1/service/match-interaction', {
      _access_number: '1-888-0000',
      _phone_number: '6505550001',
    });
    expect(byAni.body._id).toBe(alice.body._id);

    // DNIS + access code.
    const coded = await post(t, '/genesys/1/service/iPhoneService', { _phone_number: '6505550003' });
    const byCode = await post(t, '/genesys/1/service/match-interaction', {
      _access_number: '1-888-0000',
      _access_code: String(coded.body._access_code),
    });
    expect(byCode.body._id).toBe(coded.body._id);

    // No match; and _access_number is mandatory.
    const none = await post(t, '/genesys/1/service/match-interaction', { _access_number: '1-555-0000' });
    expect(none.status).toBe(404);
    const noNumber = await post(t, '/genesys/1/service/match-interaction', { _phone_number: '1' });
    expect(noNumber.status).toBe(400);
    expect(noNumber.body.message).toContain('_access_number');
    await t.fetch(`/genesys/1/service/${bob.body._id}`, { method: 'DELETE' });
  });
});

describe('access-number GraphQL for devices and IVR integrations', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await configure(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a device books a number for its own session; the IVR matches it and reads the user data', async () => {
    const created = await post(
      t,
      '/genesys/1/service/iPhoneService',
      { _phone_number: '6505550100', usr_topic: 'roaming' },
      { gms_user: 'device-1' },
    );
    const sessionId = String(created.body._id);
    const stranger = await t.gql(RequestAccess, { sessionId, group: 'DNIS' }, { gms_user: 'device-2' });
    expect(stranger.requestAccess).toMatchObject({ code: 'sessions/not_found' });

    const granted = await t.gql(
      RequestAccess,
      { sessionId, group: 'DNIS', code: true },
      { gms_user: 'device-1' },
    );
    if (granted.requestAccess.__typename !== 'MutationRequestAccessSuccess') throw new Error('not granted');
    const grant = granted.requestAccess.data;
    expect(grant.accessCode).toMatch(/^\d{4}$/);
    expect(grant.expirationTime).toBe(30);

    const matched = await t.admin(MatchCall, { number: grant.accessNumber, code: grant.accessCode });
    if (matched.matchAccessNumber.__typename !== 'MutationMatchAccessNumberSuccess')
      throw new Error('no match');
    expect(matched.matchAccessNumber.data.sessionId).toBe(sessionId);
    expect(matched.matchAccessNumber.data.session?.userData).toEqual([{ key: 'usr_topic', text: 'roaming' }]);

    // With every DNIS number booked, the device gets the typed 503 and the exhaustion is on record.
    for (const phone of ['1', '2'])
      expect(
        (
          await post(t, '/genesys/1/service/request-interaction', {
            _phone_number: phone,
            _resource_group: 'DNIS',
          })
        ).status,
      ).toBe(200);
    const refused = await t.gql(RequestAccess, { sessionId, group: 'DNIS' }, { gms_user: 'device-1' });
    expect(refused.requestAccess).toMatchObject({ code: 'resource/pool_exhausted' });
    const [latest] = await t.app.managers.resources.listEvents({ group: 'DNIS', limit: 1 });
    expect(latest?.kind).toBe('exhausted');
  });
});

describe.skipIf(backend !== 'postgres')('request-interaction on two instances, one Postgres', () => {
  let database: TestDatabase;
  let one: TestApp;
  let two: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase();
    const namespace = `access-${randomUUID().slice(0, 8)}`;
    const env = { DATABASE_POOL_SIZE: '20' };
    one = await createTestApp({ database, namespace, env });
    two = await createTestApp({ database, namespace, env });
    await one.app.managers.resources.createGroup({
      name: 'Herd',
      locking: true,
      resources: Array.from({ length: 20 }, (_, i) => ({ name: `K${i}`, accessNumber: `1-877-${1000 + i}` })),
    });
    await one.app.managers.services.create({
      name: 'herd',
      template: 'request-interaction',
      options: [{ name: '_resource_group', value: 'Herd' }],
    });
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
    await database?.drop();
  });

  it('60 concurrent requests per instance against 20 numbers: 20 sessions with distinct numbers, 100 × 503, no stray session', async () => {
    const calls = [one, two].flatMap((app) =>
      Array.from({ length: 60 }, (_, i) =>
        post(app, '/genesys/1/service/herd', { _phone_number: `650${i}` }),
      ),
    );
    const results = await Promise.all(calls);
    const ok = results.filter((r) => r.status === 200);
    expect(ok).toHaveLength(20);
    expect(new Set(ok.map((r) => r.body._access_number)).size).toBe(20);
    expect(results.filter((r) => r.status === 503)).toHaveLength(100);
    expect(await one.app.managers.sessions.list({ serviceName: 'herd' })).toHaveLength(20);
  });
});
