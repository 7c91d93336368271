import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../../../test/gql/index.js';
import {
  backend,
  createTestApp,
  createTestDatabase,
  gqlUpload,
  type TestApp,
} from '../../../test/harness.js';

/** Exactly what `curl -F key1=Value1 -F key2=Value2 …/storage/30` sends. */
const CURL_BOUNDARY = '------------------------d74496d66958873e';
const curlBody = [
  `--${CURL_BOUNDARY}`,
  'Content-Disposition: form-data; name="key1"',
  '',
  'Value1',
  `--${CURL_BOUNDARY}`,
  'Content-Disposition: form-data; name="key2"',
  '',
  'Value2',
  `--${CURL_BOUNDARY}--`,
  '',
].join('\r\n');

const StorageCreate = graphql(`
  mutation StorageCreate($ttl: Int, $values: [StorageValueInput!]!) {
    createStorageEntry(ttl: $ttl, values: $values) {
      __typename
      ... on MutationCreateStorageEntrySuccess {
        data {
          id
          expiresAt
          values {
            key
            kind
            text
            base64
            contentType
            filename
            size
            path
          }
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

const StorageRead = graphql(`
  query StorageRead($id: String!, $custom: Boolean) {
    storageEntry(id: $id, customId: $custom) {
      id
      customId
      expiresAt
      values {
        key
        kind
        text
      }
      value(key: "key1") {
        text
      }
    }
  }
`);

const StorageUpdate = graphql(`
  mutation StorageUpdate($id: String!, $ttl: Int, $values: [StorageValueInput!]!, $custom: Boolean) {
    updateStorageEntry(id: $id, ttl: $ttl, values: $values, customId: $custom) {
      __typename
      ... on MutationUpdateStorageEntrySuccess {
        data {
          expiresAt
          values {
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

const StorageCreateCustom = graphql(`
  mutation StorageCreateCustom($customId: String!, $ttl: Int, $values: [StorageValueInput!]!) {
    createCustomStorageEntry(customId: $customId, ttl: $ttl, values: $values) {
      __typename
      ... on MutationCreateCustomStorageEntrySuccess {
        data {
          id
          customId
        }
      }
      ... on ValidationError {
        code
        field
      }
    }
  }
`);

const StorageDelete = graphql(`
  mutation StorageDelete($id: String!) {
    deleteStorageEntry(id: $id) {
      __typename
      ... on Error {
        code
      }
    }
  }
`);

const StorageDeleteKeys = graphql(`
  mutation StorageDeleteKeys($id: String!, $keys: [String!]!) {
    deleteStorageKeys(id: $id, keys: $keys) {
      __typename
      ... on MutationDeleteStorageKeysSuccess {
        data
      }
      ... on Error {
        code
      }
    }
  }
`);

describe('Storage API (legacy)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const post = (path: string, body: BodyInit, headers: Record<string, string> = {}) =>
    t.fetch(path, { method: 'POST', body, headers });

  it('curl -F key1=Value1 -F key2=Value2 …/storage/30: an id; GET returns both; a 404 after 30 s', async () => {
    const created = await post('/genesys/1/storage/30', curlBody, {
      'content-type': `multipart/form-data; boundary=${CURL_BOUNDARY}`,
    });
    expect(created.status).toBe(200);
    expect(created.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    const { id, ...rest } = (await created.json()) as { id: string };
    expect(rest).toEqual({});
    expect(id).toMatch(new RegExp(`^${t.app.deps.node.id}-[0-9a-f-]{36}$`));

    const all = await t.fetch(`/genesys/1/storage/${id}`);
    expect(all.status).toBe(200);
    expect(await all.json()).toEqual({ key1: 'Value1', key2: 'Value2' });
    const one = await t.fetch(`/genesys/1/storage/${id}/key2`);
    expect(one.headers.get('content-type')).toBe('text/plain;charset=UTF-8');
    expect(await one.text()).toBe('Value2');

    t.clock.advance(29_999);
    expect((await t.fetch(`/genesys/1/storage/${id}`)).status).toBe(200);
    t.clock.advance(1);
    const gone = await t.fetch(`/genesys/1/storage/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    expect(await gone.json()).toMatchObject({
      code: 404,
      phrase: 'Not Found',
      message: expect.stringContaining(id),
    });
    expect((await t.fetch(`/genesys/1/storage/${id}/key1`)).status).toBe(404);
    expect((await t.fetch(`/genesys/1/storage/binary/${id}/key1`)).status).toBe(404);
  });

  it('replays the seed API tab example (POST /1/storage/{ttl}, ttl=30, key1=Value1, key2=Value2, form-encoded)', async () => {
    const r = await post('/genesys/1/storage/30', 'key1=Value1&key2=Value2', {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    });
    expect(r.status).toBe(200);
    const body = (await r.json()) as Record<string, string>;
    expect(Object.keys(body)).toEqual(['id']);
    expect(await (await t.fetch(`/genesys/1/storage/${body.id}`)).json()).toEqual({
      key1: 'Value1',
      key2: 'Value2',
    });
  });

  it('accepts urlencoded; an invalid ttl falls back to 30 s', async () => {
    for (const ttl of ['abc', '0', '-5', '1.5']) {
      const r = await post(`/genesys/1/storage/${ttl}`, 'a=1&b=two', {
        'content-type': 'application/x-www-form-urlencoded',
      });
      expect(r.status, ttl).toBe(200);
      const { id } = (await r.json()) as { id: string };
      const entry = await t.app.managers.storage.get({ id });
      expect(entry.expiresAt.getTime() - t.clock.now().getTime()).toBe(30_000);
      expect(await (await t.fetch(`/genesys/1/storage/${id}`)).json()).toEqual({ a: '1', b: 'two' });
    }
  });

  it('keeps binary values byte for byte with their content type', async () => {
    const png = randomBytes(4096);
    png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 0);
    const form = new FormData();
    form.append('caption', 'screen shot');
    form.append('screen', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'temp.png');
    form.append(
      'raw',
      new Blob([new Uint8Array([0, 255, 0, 1])], { type: 'application/octet-stream' }),
      'temp',
    );
    const r = await post('/genesys/1/storage/600', form);
    const { id } = (await r.json()) as { id: string };

    const bin = await t.fetch(`/genesys/1/storage/binary/${id}/screen`);
    expect(bin.status).toBe(200);
    expect(bin.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await bin.arrayBuffer()).equals(png)).toBe(true);
    const raw = await t.fetch(`/genesys/1/storage/${id}/raw`);
    expect(raw.headers.get('content-type')).toBe('application/octet-stream');
    expect([...new Uint8Array(await raw.arrayBuffer())]).toEqual([0, 255, 0, 1]);

    // Reading all keys: text as text, a binary value as the path that downloads it.
    expect(await (await t.fetch(`/genesys/1/storage/${id}`)).json()).toEqual({
      caption: 'screen shot',
      screen: `/genesys/1/storage/binary/${id}/screen`,
      raw: `/genesys/1/storage/binary/${id}/raw`,
    });
    expect((await t.fetch(`/genesys/1/storage/binary/${id}/missing`)).status).toBe(404);
  });

  it('updates and extends: POST /storage/{id}/{ttl} adds or overwrites values and restarts the ttl', async () => {
    const { id } = (await (
      await post('/genesys/1/storage/30', 'a=1&b=2', { 'content-type': 'application/x-www-form-urlencoded' })
    ).json()) as { id: string };
    t.clock.advance(20_000);
    const updated = await post(`/genesys/1/storage/${id}/600`, 'b=20&c=30', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(await updated.json()).toEqual({ id });
    expect(await (await t.fetch(`/genesys/1/storage/${id}`)).json()).toEqual({ a: '1', b: '20', c: '30' });
    t.clock.advance(500_000);
    expect((await t.fetch(`/genesys/1/storage/${id}`)).status).toBe(200);
    t.clock.advance(100_000);
    expect((await t.fetch(`/genesys/1/storage/${id}`)).status).toBe(404);
    const late = await post(`/genesys/1/storage/${id}/600`, 'x=1', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(late.status).toBe(404);
  });

  it('deletes an area or one key', async () => {
    const { id } = (await (
      await post('/genesys/1/storage/60', 'a=1&b=2', { 'content-type': 'application/x-www-form-urlencoded' })
    ).json()) as { id: string };
    const delKey = await t.fetch(`/genesys/1/storage/${id}/a`, { method: 'DELETE' });
    expect(await delKey.json()).toEqual({ id, removed: ['a'] });
    expect(await (await t.fetch(`/genesys/1/storage/${id}`)).json()).toEqual({ b: '2' });
    expect((await t.fetch(`/genesys/1/storage/${id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await t.fetch(`/genesys/1/storage/${id}`)).status).toBe(404);
    expect((await t.fetch(`/genesys/1/storage/${id}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('custom ids are bound to gms_user on create and read', async () => {
    const form = 'session=abc&agent=7';
    const ct = { 'content-type': 'application/x-www-form-urlencoded' };
    const noUser = await post('/genesys/1/storage/custom/chatService-x/60', form, ct);
    expect(noUser.status).toBe(400);
    expect(await noUser.json()).toMatchObject({ message: expect.stringContaining('gms_user') });

    const created = await post('/genesys/1/storage/custom/chatService-x/60', form, {
      ...ct,
      gms_user: 'alice',
    });
    expect(await created.json()).toEqual({ id: 'chatService-x' });
    // Bob's custom id of the same name is his own area.
    await post('/genesys/1/storage/custom/chatService-x/60', 'session=bob', { ...ct, gms_user: 'bob' });

    expect(
      await (
        await t.fetch('/genesys/1/storage/custom/chatService-x', { headers: { gms_user: 'alice' } })
      ).json(),
    ).toEqual({
      session: 'abc',
      agent: '7',
    });
    expect(
      await (await t.fetch('/genesys/1/storage/chatService-x', { headers: { gms_user: 'bob' } })).json(),
    ).toEqual({
      session: 'bob',
    });
    expect((await t.fetch('/genesys/1/storage/custom/chatService-x')).status).toBe(400);
    expect((await t.fetch('/genesys/1/storage/chatService-x')).status).toBe(404);
    expect(
      (await t.fetch('/genesys/1/storage/custom/chatService-x', { headers: { gms_user: 'eve' } })).status,
    ).toBe(404);

    // Posting again to a live custom id stores the values and restarts the ttl.
    t.clock.advance(50_000);
    await post('/genesys/1/storage/custom/chatService-x/60', 'agent=8', { ...ct, gms_user: 'alice' });
    t.clock.advance(50_000);
    const read = await t.fetch('/genesys/1/storage/custom/chatService-x/agent', {
      headers: { gms_user: 'alice' },
    });
    expect(await read.text()).toBe('8');
    // Once expired, the same custom id starts over.
    t.clock.advance(61_000);
    expect(
      (await t.fetch('/genesys/1/storage/custom/chatService-x', { headers: { gms_user: 'alice' } })).status,
    ).toBe(404);
    await post('/genesys/1/storage/custom/chatService-x/60', 'fresh=1', { ...ct, gms_user: 'alice' });
    expect(
      await (
        await t.fetch('/genesys/1/storage/custom/chatService-x', { headers: { gms_user: 'alice' } })
      ).json(),
    ).toEqual({
      fresh: '1',
    });
    expect(
      (
        await t.fetch('/genesys/1/storage/custom/chatService-x', {
          method: 'DELETE',
          headers: { gms_user: 'alice' },
        })
      ).status,
    ).toBe(200);
  });

  it('answers malformed or oversized bodies with JSON 4xx', async () => {
    const bad = await post('/genesys/1/storage/30', '{"a":', { 'content-type': 'application/json' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    const dupe = new FormData();
    dupe.append('k', 'text');
    dupe.append('k', new Blob(['file']), 'k.txt');
    const clash = await post('/genesys/1/storage/30', dupe);
    expect(clash.status).toBe(400);
    expect(await clash.json()).toMatchObject({ message: expect.stringContaining("Key 'k'") });
  });

  it('the sweeper removes expired areas only', async () => {
    const ct = { 'content-type': 'application/x-www-form-urlencoded' };
    const short = (await (await post('/genesys/1/storage/10', 'a=1', ct)).json()) as { id: string };
    const long = (await (await post('/genesys/1/storage/1000', 'a=1', ct)).json()) as { id: string };
    t.clock.advance(11_000);
    const removed = await t.app.managers.storage.sweepExpired();
    expect(removed).toBeGreaterThanOrEqual(1);
    expect(await t.app.managers.storage.sweepExpired()).toBe(0);
    expect((await t.fetch(`/genesys/1/storage/${long.id}`)).status).toBe(200);
    expect((await t.fetch(`/genesys/1/storage/${short.id}`)).status).toBe(404);
  });
});

describe('Storage API (GraphQL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('creates, reads, updates and deletes; expired areas read as null', async () => {
    const dev = { gms_user: 'graphql-device' };
    const created = await t.gql(
      StorageCreate,
      {
        ttl: 30,
        values: [
          { key: 'key1', value: 'Value1' },
          { key: 'key2', value: 'Value2' },
        ],
      },
      dev,
    );
    if (created.createStorageEntry.__typename !== 'MutationCreateStorageEntrySuccess')
      throw new Error('create failed');
    const { id, expiresAt } = created.createStorageEntry.data;
    expect(new Date(expiresAt).getTime() - t.clock.now().getTime()).toBe(30_000);
    const read = await t.gql(StorageRead, { id }, dev);
    expect(read.storageEntry).toMatchObject({
      id,
      customId: false,
      values: [
        { key: 'key1', kind: 'TEXT', text: 'Value1' },
        { key: 'key2', kind: 'TEXT', text: 'Value2' },
      ],
      value: { text: 'Value1' },
    });
    // The same data through the legacy route, and the other way round.
    expect(await (await t.fetch(`/genesys/1/storage/${id}`)).json()).toEqual({
      key1: 'Value1',
      key2: 'Value2',
    });
    const upd = await t.gql(StorageUpdate, { id, ttl: 100, values: [{ key: 'key3', value: 'V3' }] }, dev);
    expect(upd.updateStorageEntry).toMatchObject({
      data: { values: [{ key: 'key1' }, { key: 'key2' }, { key: 'key3', text: 'V3' }] },
    });
    const keys = await t.gql(StorageDeleteKeys, { id, keys: ['key2'] }, dev);
    expect(keys.deleteStorageKeys).toMatchObject({ data: ['key2'] });
    t.clock.advance(100_000);
    expect((await t.gql(StorageRead, { id }, dev)).storageEntry).toBeNull();
    const del = await t.gql(StorageDelete, { id }, dev);
    expect(del.deleteStorageEntry).toMatchObject({ __typename: 'NotFoundError', code: 'storage/not_found' });
  });

  it('an absent or non-positive ttl falls back to 30 s; a value needs text or a file', async () => {
    const anonymous = await t.gql(StorageCreate, { ttl: 60, values: [{ key: 'a', value: '1' }] });
    // Strict rules (GraphQL always): an area nobody could read back is refused.
    expect(anonymous.createStorageEntry).toMatchObject({ code: 'storage/gms_user_required' });
    const r = await t.gql(StorageCreate, { ttl: -1, values: [{ key: 'a', value: '1' }] }, { gms_user: 'd' });
    if (r.createStorageEntry.__typename !== 'MutationCreateStorageEntrySuccess')
      throw new Error('create failed');
    expect(new Date(r.createStorageEntry.data.expiresAt).getTime() - t.clock.now().getTime()).toBe(30_000);
    const neither = await t.gql(StorageCreate, { values: [{ key: 'a' }] }, { gms_user: 'd' });
    expect(neither.createStorageEntry).toMatchObject({ code: 'storage/invalid_value' });
  });

  it('uploads a file; its bytes and content type come back exactly', async () => {
    const bytes = randomBytes(2048);
    const r = await gqlUpload(
      t,
      StorageCreate,
      {
        ttl: 60,
        values: [
          { key: 'photo', file: null as unknown as File },
          { key: 'note', value: 'hi' },
        ],
      },
      { 'variables.values.0.file': new File([new Uint8Array(bytes)], 'photo.jpg', { type: 'image/jpeg' }) },
      { gms_user: 'uploader' },
    );
    const entry = r.data?.createStorageEntry;
    if (entry?.__typename !== 'MutationCreateStorageEntrySuccess') throw new Error(JSON.stringify(r));
    const photo = entry.data.values.find((v) => v.key === 'photo');
    expect(photo).toMatchObject({
      kind: 'BINARY',
      contentType: 'image/jpeg',
      filename: 'photo.jpg',
      size: 2048,
      text: null,
    });
    expect(Buffer.from(photo?.base64 ?? '', 'base64').equals(bytes)).toBe(true);
    const raw = await t.fetch(photo?.path ?? '');
    expect(raw.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await raw.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('custom-id areas need the gms_user header', async () => {
    const none = await t.gql(StorageCreateCustom, {
      customId: 'cart',
      values: [{ key: 'items', value: '3' }],
    });
    expect(none.createCustomStorageEntry).toMatchObject({
      code: 'storage/gms_user_required',
      field: 'gms_user',
    });
    const mine = await t.gql(
      StorageCreateCustom,
      { customId: 'cart', ttl: 60, values: [{ key: 'items', value: '3' }] },
      { gms_user: 'carol' },
    );
    expect(mine.createCustomStorageEntry).toMatchObject({ data: { id: 'cart', customId: true } });
    expect(
      (await t.gql(StorageRead, { id: 'cart', custom: true }, { gms_user: 'carol' })).storageEntry?.values,
    ).toEqual([{ key: 'items', kind: 'TEXT', text: '3' }]);
    expect(
      (await t.gql(StorageRead, { id: 'cart', custom: true }, { gms_user: 'dave' })).storageEntry,
    ).toBeNull();
    const upd = await t.gql(
      StorageUpdate,
      { id: 'cart', custom: true, values: [{ key: 'items', value: '4' }] },
      { gms_user: 'carol' },
    );
    expect(upd.updateStorageEntry).toMatchObject({ data: { values: [{ key: 'items', text: '4' }] } });
  });
});

describe.skipIf(backend !== 'postgres')('Storage API across instances', () => {
  it('an area written on one instance is read on the other, and expires on both at once', async () => {
    const database = await createTestDatabase();
    const namespace = `st${randomUUID().slice(0, 6)}`;
    const a = await createTestApp({ database, namespace });
    const b = await createTestApp({ database, namespace, clock: a.clock });
    try {
      const created = await a.fetch('/genesys/1/storage/30', {
        method: 'POST',
        body: curlBody,
        headers: { 'content-type': `multipart/form-data; boundary=${CURL_BOUNDARY}` },
      });
      const { id } = (await created.json()) as { id: string };
      expect(await (await b.fetch(`/genesys/1/storage/${id}`)).json()).toEqual({
        key1: 'Value1',
        key2: 'Value2',
      });
      a.clock.advance(30_000);
      expect((await a.fetch(`/genesys/1/storage/${id}`)).status).toBe(404);
      expect((await b.fetch(`/genesys/1/storage/${id}`)).status).toBe(404);
    } finally {
      await a.close();
      await b.close();
      await database.drop();
    }
  });
});
