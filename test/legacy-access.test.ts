import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, pushService, raise } from '../src/modules/push/push.test-support.js';
import { graphql } from './gql/index.js';
import { adminAuth, createTestApp, type TestApp } from './harness.js';

/**
 * Ownership (auth/ownership.ts): LEGACY_ACCESS=compatible keeps GMS 8.1's open ids on the legacy
 * paths but closes what costs real clients nothing; LEGACY_ACCESS=strict binds everything to the
 * device that created it; GraphQL is strict in both modes.
 */

const StorageRead = graphql(`
  query AccessStorageRead($id: String!) { storageEntry(id: $id) { id values { key text } } }
`);
const StorageWrite = graphql(`
  mutation AccessStorageWrite($id: String!) {
    updateStorageEntry(id: $id, values: [{ key: "forged", value: "1" }]) {
      __typename
      ... on Error { code }
    }
  }
`);
const Inbox = graphql(`
  query AccessInbox($gmsUser: String) {
    deviceEvents(gmsUser: $gmsUser) { __typename ... on QueryDeviceEventsSuccess { data { tag message } } }
  }
`);
const Subscriptions = graphql(`
  query AccessSubscriptions { notificationSubscriptions { id gmsUser } }
`);

const form = (params: Record<string, string>, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  body: new URLSearchParams(params).toString(),
});
const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

async function setUp(t: TestApp): Promise<void> {
  await pushService(t);
  await t.app.managers.routing.agents.upsertGroup({ name: 'AccessGroup' });
  await t.app.managers.services.create({
    name: 'access-cb',
    template: 'callback',
    preset: 'Chat-Delayed',
    options: [
      { name: '_target', value: 'AccessGroup@StatServer.GA' },
      { name: '_urs_virtual_queue', value: 'VQ_Access' },
    ],
  });
}

describe('LEGACY_ACCESS=compatible (default)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await setUp(t);
  });
  afterAll(() => t.close());

  const subscribe = async (gmsUser: string) => {
    const r = await t.fetch(
      '/genesys/1/notification/subscription',
      json({ subscriberId: gmsUser, filter: 'acc.*', expire: 3600 }, { gms_user: gmsUser }),
    );
    return ((await r.json()) as { id: string }).id;
  };

  it('a device cannot delete another device’s notification subscription; its owner and an anonymous caller (GMS push sample) can', async () => {
    const alice = await subscribe('alice');
    const other = await t.fetch(`/genesys/1/notification/subscription/${alice}`, {
      method: 'DELETE',
      headers: { gms_user: 'mallory' },
    });
    expect(other.status).toBe(404);
    expect((await t.admin(Subscriptions)).notificationSubscriptions.map((s) => s.id)).toContain(alice);
    const own = await t.fetch(`/genesys/1/notification/subscription/${alice}`, {
      method: 'DELETE',
      headers: { gms_user: 'alice' },
    });
    expect(own.status).toBe(200);
    const sample = await subscribe('alice');
    expect(
      (await t.fetch(`/genesys/1/notification/subscription/${sample}`, { method: 'DELETE' })).status,
    ).toBe(200);
  });

  it('a subscription created without gms_user (comet by deviceId) is nobody’s: any device may delete it', async () => {
    const r = await t.fetch(
      '/genesys/1/notification/subscription',
      json({
        subscriberId: 'anon',
        filter: 'acc.*',
        notificationDetails: { type: 'comet', deviceId: 'kiosk' },
      }),
    );
    const { id } = (await r.json()) as { id: string };
    const del = await t.fetch(`/genesys/1/notification/subscription/${id}`, {
      method: 'DELETE',
      headers: { gms_user: 'mallory' },
    });
    expect(del.status).toBe(200);
  });

  it('a device reads only its own device events over GraphQL (strict in both modes): 403 for another’s, or without gms_user', async () => {
    const sessionId = await createSession(t, 'reader');
    await raise(t, sessionId, 'reader', 'acc.own', 'mine');
    const read = async (headers: Record<string, string>, gmsUser?: string) => {
      const r = await t.fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({
          query:
            'query ($u: String) { deviceEvents(gmsUser: $u) { __typename ... on QueryDeviceEventsSuccess { data { tag } } ... on Error { code message } } }',
          variables: { u: gmsUser ?? null },
        }),
      });
      return ((await r.json()) as { data: { deviceEvents: Record<string, unknown> } }).data.deviceEvents;
    };
    expect(await read({ gms_user: 'reader' })).toEqual({
      __typename: 'QueryDeviceEventsSuccess',
      data: [{ tag: 'acc.own' }],
    });
    expect(await read({ gms_user: 'reader' }, 'reader')).toMatchObject({ data: [{ tag: 'acc.own' }] });
    expect(await read({ gms_user: 'mallory' }, 'reader')).toMatchObject({
      code: 'auth/forbidden',
      message: 'A device may read only its own events (its gms_user)',
    });
    expect(await read({}, 'reader')).toMatchObject({
      code: 'auth/forbidden',
      message: expect.stringMatching(/gms_user header/),
    });
  });

  it('nobody but the device itself (or an admin) publishes a comet push to a device’s gms_user', async () => {
    const forged = {
      message: { _action: 'DialNumber', _tel_url: 'tel:+19005550100' },
      tag: 'service.agentavailable.x',
      notificationDetails: { type: 'comet', deviceId: 'victim' },
    };
    const anonymous = await t.fetch('/genesys/1/notification/publish', json(forged));
    expect(anonymous.status).toBe(403);
    expect(await anonymous.json()).toMatchObject({
      code: 403,
      exception: 'com.genesyslab.gsg.services.security.AuthorizationException',
      message: expect.stringMatching(/may publish only to itself/),
    });
    const other = await t.fetch('/genesys/1/notification/publish', json(forged, { gms_user: 'mallory' }));
    expect(other.status).toBe(403);
    expect(await other.json()).toMatchObject({
      message: expect.stringMatching(/may publish only to itself/),
    });
    const inbox = await t.admin(Inbox, { gmsUser: 'victim' });
    expect(inbox.deviceEvents).toMatchObject({ data: [] });
    expect(
      (await t.fetch('/genesys/1/notification/publish', json(forged, { gms_user: 'victim' }))).status,
    ).toBe(200);
    const admin = await t.fetch(
      '/genesys/1/notification/publish',
      json(forged, { authorization: adminAuth }),
    );
    expect(admin.status).toBe(200);
    expect((await t.admin(Inbox, { gmsUser: 'victim' })).deviceEvents).toMatchObject({
      data: [{ tag: 'service.agentavailable.x' }, { tag: 'service.agentavailable.x' }],
    });
    // A broadcast by tag stays open (the GMS push sample publishes anonymously).
    expect(
      (await t.fetch('/genesys/1/notification/publish', json({ message: 'm', tag: 'acc.b' }))).status,
    ).toBe(200);
  });

  it('keeps GMS-open legacy ids: storage and sessions by id, the callback list', async () => {
    const created = await t.fetch('/genesys/1/storage/60', form({ k: 'v' }, { gms_user: 'alice' }));
    const { id } = (await created.json()) as { id: string };
    expect(created.headers.get('x-gms-device-token')).toBeNull();
    expect((await t.fetch(`/genesys/1/storage/${id}`, { headers: { gms_user: 'bob' } })).status).toBe(200);
    expect((await t.fetch('/genesys/1/service/callback/access-cb')).status).toBe(200);
  });

  it('GraphQL is strict: storageEntry reads and writes only your own areas, a session’s _data_id included', async () => {
    const stored = await t.fetch('/genesys/1/storage/60', form({ secret: 's1' }, { gms_user: 'alice' }));
    const { id } = (await stored.json()) as { id: string };
    const session = await t.fetch(
      '/genesys/1/service/pushsvc',
      form({ card: '4111' }, { gms_user: 'alice' }),
    );
    const { _data_id: dataId } = (await session.json()) as { _data_id: string };
    for (const target of [id, dataId]) {
      expect((await t.gql(StorageRead, { id: target }, { gms_user: 'bob' })).storageEntry).toBeNull();
      expect((await t.gql(StorageRead, { id: target })).storageEntry).toBeNull();
      expect(
        (await t.gql(StorageWrite, { id: target }, { gms_user: 'bob' })).updateStorageEntry,
      ).toMatchObject({
        code: 'storage/not_found',
      });
      expect((await t.gql(StorageRead, { id: target }, { gms_user: 'alice' })).storageEntry?.id).toBe(target);
      expect((await t.admin(StorageRead, { id: target })).storageEntry?.values).not.toContainEqual(
        expect.objectContaining({ key: 'forged' }),
      );
    }
  });
});

describe('LEGACY_ACCESS=strict', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { LEGACY_ACCESS: 'strict' } });
    await setUp(t);
  });
  afterAll(() => t.close());

  it('a session is its creator’s: gms_user plus the device token handed out at creation', async () => {
    const created = await t.fetch('/genesys/1/service/pushsvc', form({ note: 'n' }, { gms_user: 'alice' }));
    expect(created.status).toBe(200);
    const token = created.headers.get('x-gms-device-token') ?? '';
    expect(token).toMatch(/^[\w-]{40,}$/);
    const { _id: id } = (await created.json()) as { _id: string };
    const get = (headers: Record<string, string>) => t.fetch(`/genesys/1/service/${id}`, { headers });
    expect((await get({})).status).toBe(404);
    expect((await get({ gms_user: 'bob' })).status).toBe(404);
    expect((await get({ gms_user: 'bob', 'x-gms-device-token': token })).status).toBe(404);
    expect((await get({ gms_user: 'alice' })).status).toBe(404);
    expect((await get({ gms_user: 'alice', 'x-gms-device-token': token })).status).toBe(200);
    expect((await get({ authorization: adminAuth })).status).toBe(200);
    const update = (headers: Record<string, string>) =>
      t.fetch(`/genesys/1/service/${id}/storage`, form({ forged: '1' }, headers));
    expect((await update({ gms_user: 'bob' })).status).toBe(404);
    expect((await update({ gms_user: 'alice', 'x-gms-device-token': token })).status).toBe(200);
    expect(
      (await t.fetch(`/genesys/1/service/${id}`, { method: 'DELETE', headers: { gms_user: 'bob' } })).status,
    ).toBe(404);
    // A device that presents its token keeps it: everything it creates shares one token.
    const second = await t.fetch(
      '/genesys/1/service/pushsvc',
      form({}, { gms_user: 'alice', 'x-gms-device-token': token }),
    );
    expect(second.headers.get('x-gms-device-token')).toBeNull();
    const { _id: secondId } = (await second.json()) as { _id: string };
    expect((await get({ gms_user: 'alice', 'x-gms-device-token': token })).status).toBe(200);
    expect(
      (
        await t.fetch(`/genesys/1/service/${secondId}`, {
          headers: { gms_user: 'alice', 'x-gms-device-token': token },
        })
      ).status,
    ).toBe(200);
  });

  it('storage is its creator’s; creating one needs a gms_user', async () => {
    expect((await t.fetch('/genesys/1/storage/60', form({ k: 'v' }))).status).toBe(400);
    const created = await t.fetch('/genesys/1/storage/60', form({ k: 'v' }, { gms_user: 'alice' }));
    const token = created.headers.get('x-gms-device-token') ?? '';
    const { id } = (await created.json()) as { id: string };
    expect((await t.fetch(`/genesys/1/storage/${id}`, { headers: { gms_user: 'bob' } })).status).toBe(404);
    expect((await t.fetch(`/genesys/1/storage/${id}`)).status).toBe(404);
    const own = await t.fetch(`/genesys/1/storage/${id}`, {
      headers: { gms_user: 'alice', 'x-gms-device-token': token },
    });
    expect(await own.json()).toEqual({ k: 'v' });
  });

  it('listing callbacks without a customer number is for admins; a device sees and changes only its own', async () => {
    const list = await t.fetch('/genesys/1/service/callback/access-cb');
    expect(list.status).toBe(401);
    expect(
      (await t.fetch('/genesys/1/service/callback/access-cb', { headers: { gms_user: 'bob' } })).status,
    ).toBe(401);
    const started = await t.fetch(
      '/genesys/1/service/callback/access-cb',
      json({ _customer_number: '5551234' }, { gms_user: 'alice' }),
    );
    expect(started.status).toBe(200);
    const token = started.headers.get('x-gms-device-token') ?? '';
    const { _id: id } = (await started.json()) as { _id: string };
    const alice = { gms_user: 'alice', 'x-gms-device-token': token };
    const admin = await t.fetch('/genesys/1/service/callback/access-cb', {
      headers: { authorization: adminAuth },
    });
    expect(((await admin.json()) as { _id: string }[]).map((r) => r._id)).toContain(id);
    const byNumber = (headers: Record<string, string>) =>
      t.fetch('/genesys/1/service/callback/access-cb?_customer_number=5551234', { headers });
    expect(await (await byNumber({ gms_user: 'bob' })).json()).toEqual([]);
    expect(((await (await byNumber(alice)).json()) as { _id: string }[]).map((r) => r._id)).toEqual([id]);
    const byId = await t.fetch(`/genesys/1/service/callback?_id=${id}`, { headers: { gms_user: 'bob' } });
    expect(await byId.json()).toEqual([]);
    const cancel = (headers: Record<string, string>) =>
      t.fetch(`/genesys/1/service/callback/access-cb/${id}`, { method: 'DELETE', headers });
    expect((await cancel({ gms_user: 'bob' })).status).toBe(404);
    expect((await cancel(alice)).status).toBe(200);
  });

  it('a device deletes and publishes only to its own subscriptions', async () => {
    const sub = async (gmsUser: string, extra: Record<string, unknown> = {}) => {
      const r = await t.fetch(
        '/genesys/1/notification/subscription',
        json({ subscriberId: gmsUser, filter: 'strict.*', expire: 3600, ...extra }, { gms_user: gmsUser }),
      );
      return {
        id: ((await r.json()) as { id: string }).id,
        token: r.headers.get('x-gms-device-token') ?? '',
      };
    };
    const alice = await sub('alice');
    const bob = await sub('bob');
    const del = (id: string, headers: Record<string, string>) =>
      t.fetch(`/genesys/1/notification/subscription/${id}`, { method: 'DELETE', headers });
    expect((await del(alice.id, {})).status).toBe(404);
    expect((await del(alice.id, { gms_user: 'alice' })).status).toBe(404);
    expect(
      (await t.fetch('/genesys/1/notification/publish', json({ message: 'm', tag: 'strict.x' }))).status,
    ).toBe(403);
    const aliceHeaders = { gms_user: 'alice', 'x-gms-device-token': alice.token };
    expect(
      (
        await t.fetch(
          '/genesys/1/notification/publish',
          json({ message: 'to me', tag: 'strict.x' }, aliceHeaders),
        )
      ).status,
    ).toBe(200);
    expect((await t.admin(Inbox, { gmsUser: 'alice' })).deviceEvents).toMatchObject({
      data: [{ tag: 'strict.x', message: 'to me' }],
    });
    expect((await t.admin(Inbox, { gmsUser: 'bob' })).deviceEvents).toMatchObject({ data: [] });
    const direct = await t.fetch(
      '/genesys/1/notification/publish',
      json(
        { message: 'm', tag: 't', notificationDetails: { type: 'gcm', deviceId: 'someone-elses-token' } },
        aliceHeaders,
      ),
    );
    expect(direct.status).toBe(403);
    expect((await del(alice.id, aliceHeaders)).status).toBe(200);
    expect((await del(bob.id, { gms_user: 'bob', 'x-gms-device-token': bob.token })).status).toBe(200);
  });
});
