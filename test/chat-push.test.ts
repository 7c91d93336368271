import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { adapt } from 'cometd-nodejs-client';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { queryRows } from '../src/db/client.js';
import { type Comet, cometClient } from '../src/modules/push/push.test-support.js';
import { chatServices } from './chat-helpers.js';
import { adminAuth, createTestApp, type TestApp } from './harness.js';

/**
 * A chat transcript change is kept in the event store as a domain value (kind `chat.transcript`)
 * and becomes the Chat API v1 push only where it leaves the process. These pin what leaves, byte
 * for byte (the captured delivery's key order, reference §1.6) on CometD `/_genesys` and GraphQL,
 * and by value on a provider delivery (httpcb: the body is the message's JSON text). A
 * chat event stored before kinds existed (the presented object itself, no kind) is delivered as
 * it was stored.
 */
describe('chat pushes leave the process as the Chat API v1 object', () => {
  let t: TestApp;
  let url: string;
  let hooks: Server;
  let hookUrl: string;
  const bodies: string[] = [];
  const open: Comet[] = [];

  beforeAll(async () => {
    hooks = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString('utf8');
      });
      req.on('end', () => {
        bodies.push(body);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hook`;
    t = await createTestApp({ env: { PUSH_ALLOWED_TARGETS: '127.0.0.1', EVENT_POLL_MS: '200' } });
    ({ url } = await t.app.start({ port: 0, host: '127.0.0.1' }));
    await chatServices(t);
    // Defines a global `window`, which PGlite would take for a browser: only once the database is open.
    adapt();
  });
  afterAll(async () => {
    for (const c of open) await c.close().catch(() => {});
    await t.close();
    await new Promise((resolve) => hooks.close(resolve));
  });

  /** Everything the device's provider hook received, once the outbox has sent `count` bodies. */
  const hookBodies = async (count: number) => {
    await vi.waitFor(
      async () => {
        await t.app.managers.deliveries.runOnce();
        expect(bodies.length).toBeGreaterThanOrEqual(count);
      },
      { timeout: 10_000, interval: 50 },
    );
    return bodies.splice(0);
  };

  /** The device's stored events as GraphQL's deviceEvents answers them: the raw response text. */
  const graphqlText = async (gmsUser: string) => {
    const response = await t.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: adminAuth },
      body: JSON.stringify({
        query:
          'query ($u: String) { deviceEvents(gmsUser: $u) { ... on QueryDeviceEventsSuccess { data { tag message } } } }',
        variables: { u: gmsUser },
      }),
    });
    return response.text();
  };

  const device =
    (gmsUser: string) =>
    async (path: string, fields: Record<string, string> = {}) => {
      const response = await t.fetch(path, {
        method: 'POST',
        headers: { gms_user: gmsUser, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      });
      expect(response.status).toBe(200);
      return (await response.json()) as Record<string, string>;
    };

  /** A request-chat session of a fresh device that also wants httpcb pushes, and its CometD client. */
  async function chatSession() {
    const gmsUser = `chat-push-${randomUUID()}`;
    const post = device(gmsUser);
    const { _id: id = '' } = await post('/genesys/1/service/chat-now', {
      _device_os: 'httpcb',
      _device_notification_id: hookUrl,
    });
    const comet = await cometClient(url, { transport: 'long-polling', headers: { gms_user: gmsUser } });
    open.push(comet);
    expect((await comet.subscribe()).successful).toBe(true);
    return { gmsUser, id, post, comet };
  }

  it('a transcript change: stored as chat.transcript, delivered as captured on CometD, httpcb and GraphQL', async () => {
    const { gmsUser, id, post, comet } = await chatSession();
    await post(`/genesys/1/service/${id}/ixn/chat`, {
      notify_by: 'comet',
      firstName: 'John',
      lastName: 'Harry',
    });
    const sent = await post(`/genesys/1/service/${id}/ixn/chat/send`, { message: 'Hello "GMS"?' });
    await post(`/genesys/1/service/${id}/ixn/chat/disconnect`);
    const chatId = sent.chatSessionId as string;
    const startedAt = sent.startedAt as string;
    expect(startedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const said = `{"transcriptPosition":"2","startedAt":"${startedAt}","chatServiceMessage":"Chat service is available","transcriptToShow":[["Message.Text","John Harry","Hello \\"GMS\\"?","1","CLIENT"]],"chatSessionId":"${chatId}","chatIxnState":"TRANSCRIPT"}`;
    const left = `{"transcriptPosition":"3","startedAt":"${startedAt}","chatServiceMessage":"Chat service is available","transcriptToShow":[["Notice.Left","John Harry","has left the session","1","CLIENT"]],"chatSessionId":"${chatId}","chatIxnState":"DISCONNECTED"}`;
    const tag = `service.chat.refresh.${id}`;

    // The store holds the change, not the push.
    const stored = await t.app.managers.events.readSession(id, 0);
    expect(stored.map((e) => e.kind)).toEqual(['chat.transcript', 'chat.transcript']);
    expect(stored[1]?.message).toMatchObject({ chatId, status: 'ENDED', lastPosition: 2 });

    // CometD: `{ id, message, tag }` with the message in the captured key order.
    for (const [i, message] of [said, left].entries()) {
      const delivery = await comet.next(10_000);
      expect(delivery.channel).toBe('/_genesys');
      expect(JSON.stringify(delivery.data)).toBe(
        `{"id":"${stored[i]?.deliveryId}","message":${message},"tag":"${tag}"}`,
      );
    }
    // A provider delivery (httpcb posts the message's JSON text; the two are sent in parallel). The
    // outbox keeps messages as jsonb, which orders keys its own way, so only the values are pinned.
    const posted = (await hookBodies(2)).map((b) => JSON.parse(b) as unknown);
    expect(posted).toHaveLength(2);
    expect(posted).toEqual(expect.arrayContaining([JSON.parse(said), JSON.parse(left)]));
    // GraphQL's JSON `message`.
    expect(await graphqlText(gmsUser)).toBe(
      `{"data":{"deviceEvents":{"data":[{"tag":"${tag}","message":${said}},{"tag":"${tag}","message":${left}}]}}}`,
    );
  });

  it('a chat event stored before kinds (the push itself, no kind) is delivered exactly as stored', async () => {
    const { gmsUser, id, comet } = await chatSession();
    // As the previous version wrote it (its append statement, which had no kind column): the
    // presented object, keys in the captured order.
    const legacy = `{"transcriptPosition":"2","startedAt":"2015-02-10T22:39:23Z","chatServiceMessage":"Chat service is available","transcriptToShow":[["Notice.Joined","chat1","has joined the session","6","AGENT"]],"chatSessionId":"0000YaADMWXM0013","chatIxnState":"TRANSCRIPT"}`;
    const deliveryId = randomUUID().replaceAll('-', '');
    const tag = `service.chat.refresh.${id}`;
    const expires = new Date(t.clock.now().getTime() + 3_600_000).toISOString();
    await queryRows(
      t.app.deps.db,
      sql`with counter as (
            insert into session_event_counters (session_id, last_seq, expires_at)
            values (${id}, 1, ${expires}::timestamptz)
            on conflict (session_id) do update
              set last_seq = session_event_counters.last_seq + 1,
                  expires_at = greatest(session_event_counters.expires_at, excluded.expires_at)
            returning last_seq
          )
          insert into session_events (session_id, seq, tag, delivery_id, message, gms_user, created_at, expires_at)
          select ${id}, counter.last_seq, ${tag}, ${deliveryId}, ${legacy}::json, ${gmsUser},
                 ${t.clock.now().toISOString()}::timestamptz, ${expires}::timestamptz
          from counter
          returning seq`,
    );
    const [stored] = await t.app.managers.events.readSession(id, 0);
    expect(stored).toMatchObject({ kind: null, deliveryId });

    // No poke was sent: CometD's poll finds it.
    const delivery = await comet.next(10_000);
    expect(JSON.stringify(delivery.data)).toBe(`{"id":"${deliveryId}","message":${legacy},"tag":"${tag}"}`);
    expect((await hookBodies(1)).map((b) => JSON.parse(b) as unknown)).toEqual([JSON.parse(legacy)]);
    expect(await graphqlText(gmsUser)).toBe(
      `{"data":{"deviceEvents":{"data":[{"tag":"${tag}","message":${legacy}}]}}}`,
    );
  });
});
