import { createPublicKey, generateKeyPairSync, type KeyObject, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createServer as createH2Server, type Http2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { type JWTPayload, type JWTVerifyOptions, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../../../test/gql/index.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { PushDeliveryManager } from './delivery.manager.js';
import { PushSenders } from './push.providers.js';
import { createSession, pushService, raise } from './push.test-support.js';

interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Verifies a JWT as APNs and Google do (signature, algorithm, claims); returns its claims. */
async function verifyJwt(
  token: string,
  key: KeyObject,
  alg: 'ES256' | 'RS256',
  options: JWTVerifyOptions = {},
): Promise<JWTPayload> {
  const { payload } = await jwtVerify(token, key, { algorithms: [alg], ...options });
  if (typeof payload.iat !== 'number') throw new Error('no iat');
  return payload;
}

const PushDeliveries = graphql(`
  query PushDeliveriesStatus($status: PushDeliveryStatus, $subscriptionId: ID, $sessionId: ID) {
    pushDeliveries(status: $status, subscriptionId: $subscriptionId, sessionId: $sessionId) {
      id type deviceId status attempts lastError tag message eventId seq
    }
  }
`);
const PushRetry = graphql(`
  mutation PushRetry($id: ID!) {
    retryPushDelivery(id: $id) {
      __typename
      ... on MutationRetryPushDeliverySuccess { data { status attempts } }
      ... on Error { code }
    }
  }
`);
const PushSubscriptions = graphql(`
  query PushSubscriptions { notificationSubscriptions { id subscriberId type filter gmsUser } }
`);
const PushDeviceInbox = graphql(`
  query PushDeviceInbox($gmsUser: String) {
    deviceEvents(gmsUser: $gmsUser) {
      __typename
      ... on QueryDeviceEventsSuccess { data { id tag message } }
    }
  }
`);

describe('Notification API, push worker and provider adapters', () => {
  let t: TestApp;
  let http: Server;
  let h2: Http2Server;
  let httpUrl: string;
  const received: Received[] = [];
  const statements: string[] = [];
  const apnsReceived: Received[] = [];
  const fcmReceived: Received[] = [];
  let failuresLeft = 0;
  let apnsPublic: KeyObject;
  let fcmPublic: KeyObject;
  let worker: PushDeliveryManager;
  let tokenUrl = '';

  beforeAll(async () => {
    http = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        received.push({ path: req.url ?? '', headers: req.headers, body });
        if (req.url?.startsWith('/flaky') && failuresLeft-- > 0) return res.writeHead(503).end();
        if (req.url?.startsWith('/down')) return res.writeHead(500).end();
        if (req.url?.startsWith('/gone')) return res.writeHead(404).end();
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    httpUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

    const apnsKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    apnsPublic = apnsKeys.publicKey;
    const fcmKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
    fcmPublic = createPublicKey(fcmKeys.privateKey);

    // A local HTTP/2 server speaking the APNs provider API and FCM HTTP v1 (plus its token endpoint).
    h2 = createH2Server();
    h2.on('stream', (stream, headers) => {
      let body = '';
      stream.on('data', (c: Buffer) => {
        body += c.toString();
      });
      stream.on('end', async () => {
        const path = String(headers[':path']);
        const answer = (status: number, json: unknown) => {
          stream.respond({ ':status': status, 'content-type': 'application/json' });
          stream.end(JSON.stringify(json));
        };
        try {
          if (path.startsWith('/3/device/')) {
            apnsReceived.push({ path, headers, body });
            const token = String(headers.authorization).replace(/^bearer /, '');
            // The app runs on a ManualClock: its tokens are current on that clock.
            const claims = await verifyJwt(token, apnsPublic, 'ES256', { currentDate: t.clock.now() });
            if (claims.iss !== 'TEAM123456' || headers['apns-topic'] !== 'com.example.app')
              return answer(403, { reason: 'InvalidProviderToken' });
            if (path.endsWith('/bad-token')) return answer(400, { reason: 'BadDeviceToken' });
            stream.respond({ ':status': 200, 'apns-id': String(headers['apns-id']) });
            return stream.end();
          }
          if (path === '/token') {
            const assertion = new URLSearchParams(body).get('assertion') ?? '';
            const claims = await verifyJwt(assertion, fcmPublic, 'RS256', {
              audience: tokenUrl,
              currentDate: t.clock.now(),
              requiredClaims: ['exp'],
            });
            if (claims.scope !== 'https://www.googleapis.com/auth/firebase.messaging')
              return answer(400, { error: 'invalid_scope' });
            if (claims.iss !== 'push@example.iam.gserviceaccount.com')
              return answer(401, { error: 'invalid_grant' });
            return answer(200, { access_token: 'ya29.local', expires_in: 3600, token_type: 'Bearer' });
          }
          if (path === '/v1/projects/demo-project/messages:send') {
            fcmReceived.push({ path, headers, body });
            if (headers.authorization !== 'Bearer ya29.local')
              return answer(401, { error: { status: 'UNAUTHENTICATED' } });
            return answer(200, { name: 'projects/demo-project/messages/1' });
          }
          answer(404, {});
        } catch (err) {
          answer(403, { reason: String(err) });
        }
      });
    });
    await new Promise<void>((resolve) => h2.listen(0, '127.0.0.1', resolve));
    const h2Url = `http://127.0.0.1:${(h2.address() as AddressInfo).port}`;
    tokenUrl = `${h2Url}/token`;

    t = await createTestApp({
      onStatement: (q) => statements.push(q),
      env: {
        // The test receivers listen on loopback, which the default allowlist refuses.
        PUSH_ALLOWED_TARGETS: '127.0.0.1',
        PUSH_MAX_ATTEMPTS: '3',
        PUSH_RETRY_BASE_MS: '1000',
        PUSH_RETRY_MAX_MS: '10000',
        PUSH_CUSTOMHTTP_URL: `${httpUrl}/custom`,
        PUSH_CUSTOMHTTP_AUTHORIZATION: 'Basic Y29uZmlnOg==',
        APNS_URL: h2Url,
        APNS_TEAM_ID: 'TEAM123456',
        APNS_KEY_ID: 'KEY1234567',
        APNS_PRIVATE_KEY: apnsKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        APNS_TOPIC: 'com.example.app',
        FCM_URL: h2Url,
        FCM_TOKEN_URL: tokenUrl,
        FCM_PROJECT_ID: 'demo-project',
        FCM_CLIENT_EMAIL: 'push@example.iam.gserviceaccount.com',
        FCM_PRIVATE_KEY: fcmKeys.privateKey
          .export({ type: 'pkcs8', format: 'pem' })
          .toString()
          .replaceAll('\n', '\\n'),
      },
    });
    worker = t.app.managers.deliveries;
    await pushService(t);
  });
  afterAll(async () => {
    await worker.close();
    await t.close();
    await new Promise((resolve) => http.close(resolve));
    await new Promise((resolve) => h2.close(resolve));
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    t.fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const subscribe = async (body: Record<string, unknown>, gmsUser?: string) => {
    const response = await post(
      '/genesys/1/notification/subscription',
      body,
      gmsUser ? { gms_user: gmsUser } : {},
    );
    expect(response.status).toBe(200);
    return ((await response.json()) as { id: string }).id;
  };
  const drain = async () => {
    for (let i = 0; i < 5; i++) if ((await worker.runOnce()).attempted === 0) break;
  };

  it('is JSON only (415), validates, unsubscribes (then 404)', async () => {
    const form = await t.fetch('/genesys/1/notification/subscription', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'subscriberId=a&filter=b',
    });
    expect(form.status).toBe(415);
    expect(await form.json()).toMatchObject({ code: 415 });
    expect((await t.fetch('/genesys/1/notification/publish', { method: 'POST', body: '{}' })).status).toBe(
      415,
    );
    const noFilter = await post('/genesys/1/notification/subscription', { subscriberId: 's' });
    expect(noFilter.status).toBe(400);
    expect(((await noFilter.json()) as { message: string }).message).toMatch(/filter/);
    const ors = await post('/genesys/1/notification/subscription', {
      subscriberId: 's',
      filter: 'x',
      notificationDetails: { type: 'orscb', deviceId: 'x' },
    });
    expect(ors.status).toBe(400);
    const id = await subscribe({ subscriberId: 's', filter: 'x.*' }, 'dev-x');
    expect((await t.admin(PushSubscriptions)).notificationSubscriptions).toContainEqual({
      id,
      subscriberId: 's',
      type: 'comet',
      filter: 'x.*',
      gmsUser: 'dev-x',
    });
    expect((await t.fetch(`/genesys/1/notification/subscription/${id}`, { method: 'DELETE' })).status).toBe(
      200,
    );
    expect((await t.fetch(`/genesys/1/notification/subscription/${id}`, { method: 'DELETE' })).status).toBe(
      404,
    );
  });

  it('publish reaches every matching subscription: comet via the event store, httpcb and customhttp by POST', async () => {
    received.length = 0;
    await subscribe(
      { subscriberId: 'c', filter: 'ors.contact.*', notificationDetails: { type: 'comet' } },
      'dev-comet',
    );
    const hook = await subscribe({
      subscriberId: 'h',
      filter: 'ors.contact.*',
      notificationDetails: { type: 'httpcb', deviceId: `${httpUrl}/hook` },
    });
    await subscribe({
      subscriberId: 'cu',
      filter: 'ors.contact.12345678',
      authorization: 'Basic ZGVtbzo=',
      notificationDetails: { type: 'customhttp', deviceId: 'device-77' },
    });
    await subscribe({
      subscriberId: 'other',
      filter: 'service.chat.*',
      notificationDetails: { type: 'httpcb', deviceId: `${httpUrl}/other` },
    });
    const published = await post('/genesys/1/notification/publish', {
      message: 'Your agent is ready',
      tag: 'ors.contact.12345678',
      mediaType: 'string',
    });
    expect(published.status).toBe(200);
    await drain();
    const hookCall = received.find((r) => r.path === '/hook');
    expect(hookCall?.body).toBe('Your agent is ready');
    expect(hookCall?.headers['x-gms-tag']).toBe('ors.contact.12345678');
    const custom = received.find((r) => r.path === '/custom');
    expect(JSON.parse(custom?.body ?? '{}')).toEqual({
      deviceId: 'device-77',
      message: 'Your agent is ready',
    });
    expect(custom?.headers.authorization).toBe('Basic ZGVtbzo=');
    expect(received.some((r) => r.path === '/other')).toBe(false);
    const inbox = await t.admin(PushDeviceInbox, { gmsUser: 'dev-comet' });
    if (inbox.deviceEvents.__typename !== 'QueryDeviceEventsSuccess') throw new Error('inbox');
    expect(inbox.deviceEvents.data).toMatchObject([
      { tag: 'ors.contact.12345678', message: 'Your agent is ready' },
    ]);
    const status = await t.admin(PushDeliveries, { subscriptionId: hook });
    expect(status.pushDeliveries).toMatchObject([{ status: 'delivered', attempts: 1, type: 'httpcb' }]);

    // An expired subscription gets nothing.
    t.clock.advance(31_000);
    received.length = 0;
    await post('/genesys/1/notification/publish', { message: 'late', tag: 'ors.contact.12345678' });
    await drain();
    expect(received).toHaveLength(0);
    // The sweeper reclaims the expired subscriptions (they were already invisible).
    expect(await t.app.managers.notifications.sweep()).toBeGreaterThanOrEqual(4);
    expect((await t.admin(PushSubscriptions)).notificationSubscriptions).toHaveLength(0);
  });

  it('a direct comet publish whose tag matches no subscription is one statement; with one that matches, each device gets it once', async () => {
    const device = `direct-${randomUUID()}`;
    const watcher = `watcher-${randomUUID()}`;
    const match = () => statements.filter((q) => q.includes('with ordinality t(tag, i)')).length;
    const appends = () => statements.filter((q) => q.includes('insert into "session_event_counters"')).length;
    const publish = async (tag: string, n: number) => {
      const response = await post(
        '/genesys/1/notification/publish',
        { tag, message: { n }, notificationDetails: { type: 'comet', deviceId: device } },
        { gms_user: device },
      );
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({});
    };
    const inbox = async (gmsUser: string) => {
      const r = await t.admin(PushDeviceInbox, { gmsUser });
      if (r.deviceEvents.__typename !== 'QueryDeviceEventsSuccess') throw new Error('inbox');
      return r.deviceEvents.data.map((e) => [e.tag, e.message]);
    };
    let [matches, appended] = [match(), appends()];
    await publish('direct.alone', 1);
    // The append checked "no subscription matches" itself: no match statement.
    expect([match() - matches, appends() - appended]).toEqual([0, 1]);
    expect(await inbox(device)).toEqual([['direct.alone', { n: 1 }]]);

    await subscribe(
      { subscriberId: 'w', filter: 'direct.*', notificationDetails: { type: 'comet' } },
      watcher,
    );
    [matches, appended] = [match(), appends()];
    await publish('direct.watched', 2);
    // The guarded append wrote nothing; the match and one append for both devices followed.
    expect([match() - matches, appends() - appended]).toEqual([1, 2]);
    expect(await inbox(device)).toEqual([
      ['direct.alone', { n: 1 }],
      ['direct.watched', { n: 2 }],
    ]);
    expect(await inbox(watcher)).toEqual([['direct.watched', { n: 2 }]]);
  });

  it('retries with backoff, then dead-letters; an admin can requeue', async () => {
    failuresLeft = 1;
    const flaky = await subscribe({
      subscriberId: 'f',
      filter: 'retry.me',
      expire: 3600,
      notificationDetails: { type: 'httpcb', deviceId: `${httpUrl}/flaky` },
    });
    const down = await subscribe({
      subscriberId: 'd',
      filter: 'retry.me',
      expire: 3600,
      notificationDetails: { type: 'httpcb', deviceId: `${httpUrl}/down` },
    });
    const gone = await subscribe({
      subscriberId: 'g',
      filter: 'retry.me',
      expire: 3600,
      notificationDetails: { type: 'httpcb', deviceId: `${httpUrl}/gone` },
    });
    await post('/genesys/1/notification/publish', { message: { n: 1 }, tag: 'retry.me' });
    await worker.runOnce();
    const first = await t.admin(PushDeliveries, { subscriptionId: flaky });
    expect(first.pushDeliveries).toMatchObject([{ status: 'pending', attempts: 1, lastError: 'HTTP 503' }]);
    // Not due again before the backoff has passed.
    expect((await worker.runOnce()).attempted).toBe(0);
    expect((await t.admin(PushDeliveries, { subscriptionId: gone })).pushDeliveries).toMatchObject([
      { status: 'dead', attempts: 1, lastError: 'HTTP 404' },
    ]);
    for (let i = 0; i < 3; i++) {
      t.clock.advance(12_000);
      await worker.runOnce();
    }
    expect((await t.admin(PushDeliveries, { subscriptionId: flaky })).pushDeliveries).toMatchObject([
      { status: 'delivered', attempts: 2 },
    ]);
    const dead = await t.admin(PushDeliveries, { subscriptionId: down });
    expect(dead.pushDeliveries).toMatchObject([{ status: 'dead', attempts: 3, lastError: 'HTTP 500' }]);
    const retried = await t.admin(PushRetry, { id: dead.pushDeliveries[0]?.id as string });
    expect(retried.retryPushDelivery).toMatchObject({ data: { status: 'pending', attempts: 0 } });
    const notDead = await t.admin(PushRetry, { id: dead.pushDeliveries[0]?.id as string });
    expect(notDead.retryPushDelivery).toMatchObject({ code: 'notification/not_dead' });
  });

  it('delivers session events by _device_os: APNs (JWT ES256) and FCM v1 (OAuth2 RS256) over HTTP/2, httpcb', async () => {
    apnsReceived.length = 0;
    fcmReceived.length = 0;
    received.length = 0;
    const ios = await createSession(t, 'iphone', {
      _device_os: 'iOS',
      _device_notification_id: 'b16416334828b1d2',
    });
    const android = await createSession(t, 'pixel', {
      _device_os: 'fcm',
      _device_notification_id: 'fcm-token-1',
    });
    const web = await createSession(t, 'web', {
      _device_os: 'httpcb',
      _device_notification_id: `${httpUrl}/session-hook`,
    });
    const comet = await createSession(t, 'legacy', { _device_os: 'comet' });
    const push = await raise(t, ios, 'iphone', `service.agentavailable.${ios}`, {
      _action: 'get-dialog-user-confirmation-provide_code-false',
      _id: ios,
    });
    await raise(t, android, 'pixel', `service.chat.refresh.${android}`, {
      message: 'hi',
      serviceId: android,
    });
    await raise(t, web, 'web', 'web.tag', 'plain text');
    await raise(t, comet, 'legacy', 'comet.only', 'x');
    await drain();

    expect(apnsReceived).toHaveLength(1);
    expect(apnsReceived[0]?.path).toBe('/3/device/b16416334828b1d2');
    expect(JSON.parse(apnsReceived[0]?.body ?? '{}')).toMatchObject({
      id: push.deliveryId,
      tag: `service.agentavailable.${ios}`,
      message: { _id: ios },
      aps: { alert: `service.agentavailable.${ios}` },
    });
    expect(fcmReceived).toHaveLength(1);
    expect(JSON.parse(fcmReceived[0]?.body ?? '{}')).toEqual({
      message: {
        token: 'fcm-token-1',
        data: expect.objectContaining({
          tag: `service.chat.refresh.${android}`,
          message: JSON.stringify({ message: 'hi', serviceId: android }),
        }),
      },
    });
    expect(received.find((r) => r.path === '/session-hook')?.body).toBe('plain text');
    // A comet session is CometD's business, not the worker's.
    expect((await t.admin(PushDeliveries, { sessionId: comet })).pushDeliveries).toHaveLength(0);
    expect((await t.admin(PushDeliveries, { sessionId: ios })).pushDeliveries).toMatchObject([
      { status: 'delivered', type: 'ios', seq: 1, eventId: push.deliveryId },
    ]);

    // A rejected device token is permanent: dead-lettered at once.
    const stale = await createSession(t, 'old-phone', {
      _device_os: 'ios',
      _device_notification_id: 'bad-token',
    });
    await raise(t, stale, 'old-phone', 't', 'm');
    await drain();
    expect((await t.admin(PushDeliveries, { sessionId: stale })).pushDeliveries).toMatchObject([
      { status: 'dead', lastError: 'APNs 400 BadDeviceToken' },
    ]);
  });

  it('two workers never hand over or send the same event twice', async () => {
    received.length = 0;
    const other = new PushDeliveryManager(
      t.app.deps,
      t.app.managers.sessions,
      t.app.managers.events,
      t.app.managers.notifications,
      new PushSenders(t.app.deps.config.push, t.app.deps.clock),
    );
    const sessions = await Promise.all(
      [1, 2, 3].map((i) =>
        createSession(t, `many-${i}`, { _device_os: 'httpcb', _device_notification_id: `${httpUrl}/many` }),
      ),
    );
    for (const s of sessions) for (let i = 0; i < 5; i++) await raise(t, s, null, `n${i}`, `${s}:${i}`);
    await Promise.all([worker.runOnce(), other.runOnce(), worker.runOnce(), other.runOnce()]);
    await Promise.all([worker.runOnce(), other.runOnce()]);
    const bodies = received.filter((r) => r.path === '/many').map((r) => r.body);
    expect(bodies).toHaveLength(15);
    expect(new Set(bodies).size).toBe(15);
    await other.close();
  });
});
