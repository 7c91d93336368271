import { AckExtension, type Message } from 'cometd';
import { adapt } from 'cometd-nodejs-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import type { SessionEvent } from '../event/event.manager.js';
import { type Comet, cometClient, createSession, pushService, raise } from './push.test-support.js';

/**
 * The Bayeux acknowledgement extension, with the official client's `AckExtension`: a push written
 * to a client's connection is delivered only once the client acknowledges its batch, so a client
 * that received the bytes but never processed them (its connection died under it, it failed over
 * to another instance) gets them again at its next handshake, from the event store.
 */
describe('CometD acknowledgement extension', () => {
  let t: TestApp;
  let url: string;
  const open: Comet[] = [];
  beforeAll(async () => {
    // Long-polls held 20 s: a /meta/connect waiting for pushes is answered by them, not by a timeout.
    t = await createTestApp({ env: { EVENT_POLL_MS: '200', COMETD_TIMEOUT_SECONDS: '20' } });
    ({ url } = await t.app.start({ port: 0, host: '127.0.0.1' }));
    await pushService(t);
    adapt();
  });
  afterAll(async () => {
    for (const c of open) await c.close().catch(() => {});
    await t.close();
  });

  /**
   * Registered before AckExtension, so its `incoming` runs first: once armed, the client drops
   * everything it receives (the acks' batch ids included) and sends nothing more — a client whose
   * process or network died after the server wrote to its connection. `polling`: a /meta/connect
   * is out and not answered yet (arming then drops its answer, with whatever it carries); the
   * client's first one asks for an immediate answer, later ones are held until pushes come.
   */
  const blackhole = () => {
    const hole = {
      armed: false,
      polling: false,
      connects: 0,
      dropped: [] as Message[],
      incoming(m: Message) {
        if (m.channel === '/meta/connect') hole.polling = false;
        if (!hole.armed) return m;
        if (m.channel === '/_genesys') hole.dropped.push(m);
        return null;
      },
      outgoing(m: Message) {
        if (hole.armed) return null;
        if (m.channel === '/meta/connect') {
          hole.polling = true;
          hole.connects++;
        }
        return m;
      },
    };
    return hole;
  };

  it('pushes written but never acknowledged reach the next handshake; acknowledged ones do not', async () => {
    const user = 'comet-ack';
    const sessionId = await createSession(t, user);
    const hole = blackhole();
    const first = await cometClient(url, {
      transport: 'long-polling',
      headers: { gms_user: user },
      extensions: { blackhole: hole, ack: new AckExtension() },
    });
    expect((await first.subscribe()).successful).toBe(true);

    const before: SessionEvent[] = [];
    for (let i = 0; i < 3; i++) before.push(await raise(t, sessionId, user, `acked.${i}`, i));
    for (const e of before) expect((await first.next()).data).toMatchObject({ id: e.deliveryId });
    // The client acks on its next /meta/connect: the position follows the ack.
    await vi.waitFor(async () =>
      expect((await t.app.managers.comet.position(user))[sessionId]).toBe(before.at(-1)?.seq),
    );

    await vi.waitFor(() => expect(hole.polling && hole.connects >= 2).toBe(true));
    hole.armed = true;
    const missed: SessionEvent[] = [];
    for (let i = 0; i < 10; i++) missed.push(await raise(t, sessionId, user, `missed.${i}`, i));
    // The held long-poll was answered with the first of them (maybe more): written to the client's
    // connection, received by its transport, never by the application. The client sends nothing
    // more, so the rest stay in faye's memory for the vanished client.
    await vi.waitFor(() => expect(hole.dropped.length).toBeGreaterThan(0), { timeout: 10_000 });
    expect((await t.app.managers.comet.position(user))[sessionId]).toBe(before.at(-1)?.seq);

    const back = await cometClient(url, {
      transport: 'long-polling',
      headers: { gms_user: user },
      extensions: { ack: new AckExtension() },
    });
    open.push(back);
    expect((await back.subscribe()).successful).toBe(true);
    const got: unknown[] = [];
    for (let i = 0; i < missed.length; i++) got.push((await back.next()).data);
    expect(got).toEqual(missed.map((e) => ({ id: e.deliveryId, message: e.message, tag: e.tag })));
    await expect(back.next(800)).rejects.toThrow(/no delivery/);
    await vi.waitFor(async () =>
      expect((await t.app.managers.comet.position(user))[sessionId]).toBe(missed.at(-1)?.seq),
    );
    first.client.disconnect(); // sends nothing (the hole is armed): only stops its timers
  });

  it('over a WebSocket the client acknowledges within a round trip, not at the /meta/connect timeout', async () => {
    // faye answers a /meta/connect held on a socket only at its timeout (20 s here): the adapter
    // answers it once pushes were written, so the batch closes and the client acks at once.
    const user = 'comet-ack-ws';
    const sessionId = await createSession(t, user);
    const c = await cometClient(url, {
      transport: 'websocket',
      ext: { gms_user: user },
      extensions: { ack: new AckExtension() },
    });
    open.push(c);
    expect(c.client.getTransport()?.type).toBe('websocket');
    expect((await c.subscribe()).successful).toBe(true);
    for (let round = 0; round < 2; round++) {
      const raised: SessionEvent[] = [];
      for (let i = 0; i < 3; i++) raised.push(await raise(t, sessionId, user, `ws.${round}.${i}`, i));
      for (const e of raised) expect((await c.next()).data).toMatchObject({ id: e.deliveryId });
      // Well inside the 20 s a held connect would otherwise wait.
      await vi.waitFor(
        async () => expect((await t.app.managers.comet.position(user))[sessionId]).toBe(raised.at(-1)?.seq),
        { timeout: 8_000, interval: 100 },
      );
    }
  });

  it('over the default transports (websocket first, steered to long-polling) an unacked push comes again', async () => {
    const user = 'comet-ack-default';
    const sessionId = await createSession(t, user);
    const hole = blackhole();
    const first = await cometClient(url, {
      transport: 'default',
      headers: { gms_user: user },
      extensions: { blackhole: hole, ack: new AckExtension() },
    });
    expect((await first.subscribe()).successful).toBe(true);
    await vi.waitFor(() => expect(hole.polling && hole.connects >= 2).toBe(true));
    hole.armed = true;
    const missed = [
      await raise(t, sessionId, user, 'missed', 1),
      await raise(t, sessionId, user, 'missed', 2),
    ];
    await vi.waitFor(() => expect(hole.dropped.length).toBeGreaterThan(0), { timeout: 10_000 });

    const back = await cometClient(url, {
      transport: 'default',
      headers: { gms_user: user },
      extensions: { ack: new AckExtension() },
    });
    open.push(back);
    expect((await back.subscribe()).successful).toBe(true);
    for (const e of missed) expect((await back.next()).data).toMatchObject({ id: e.deliveryId });
    first.client.disconnect();
  });
});
