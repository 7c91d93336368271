import type { Message } from 'cometd';
import { adapt } from 'cometd-nodejs-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { type Comet, cometClient, createSession, pushService, raise } from './push.test-support.js';

describe('CometD at /genesys/cometd', () => {
  let t: TestApp;
  let url: string;
  const open: Comet[] = [];
  const comet = async (options: Parameters<typeof cometClient>[1]) => {
    const c = await cometClient(url, options);
    open.push(c);
    return c;
  };
  beforeAll(async () => {
    t = await createTestApp({ env: { EVENT_POLL_MS: '200', COMETD_TIMEOUT_SECONDS: '2' } });
    ({ url } = await t.app.start({ port: 0, host: '127.0.0.1' }));
    await pushService(t);
    // The adapter defines a global `window` (XMLHttpRequest, WebSocket), which PGlite would take for
    // a browser: install it only once the database is open.
    adapt();
  });
  afterAll(async () => {
    for (const c of open) await c.close().catch(() => {});
    await t.close();
  });

  it('long-polling: a client with the gms_user header gets its pending and new pushes only', async () => {
    const user = 'comet-lp';
    const sessionId = await createSession(t, user, { _device_os: 'comet' });
    const other = await createSession(t, 'comet-someone-else');
    const pending = await raise(t, sessionId, user, `service.agentavailable.${sessionId}`, {
      _action: 'get-dialog-user-confirmation-provide_code-false',
      _id: sessionId,
    });
    const c = await comet({ transport: 'long-polling', headers: { gms_user: user } });
    const subscribed = await c.subscribe();
    expect(subscribed.successful).toBe(true);
    expect(subscribed.subscription).toEqual('/_genesys');
    const first = await c.next();
    expect(first.channel).toBe('/_genesys');
    expect(first.data).toEqual({
      id: pending.deliveryId,
      message: { _action: 'get-dialog-user-confirmation-provide_code-false', _id: sessionId },
      tag: `service.agentavailable.${sessionId}`,
    });
    await raise(t, other, 'comet-someone-else', 'not.for.you', 'x');
    const live = await raise(t, sessionId, user, `service.chat.refresh.${sessionId}`, 'refresh');
    const second = await c.next();
    expect(second.data).toEqual({
      id: live.deliveryId,
      message: 'refresh',
      tag: `service.chat.refresh.${sessionId}`,
    });
    expect(c.received).toHaveLength(0);
  });

  it('websocket: gms_user from the handshake ext; a reconnecting device resumes where it was', async () => {
    const user = 'comet-ws';
    const sessionId = await createSession(t, user);
    const c = await comet({ transport: 'websocket', ext: { gms_user: user } });
    expect((await c.subscribe()).successful).toBe(true);
    const one = await raise(t, sessionId, user, 'one', 1);
    expect((await c.next()).data).toMatchObject({ id: one.deliveryId, message: 1 });
    // The position is recorded right after faye accepted the delivery.
    await vi.waitFor(async () => expect((await t.app.managers.comet.position(user))[sessionId]).toBe(1), {
      timeout: 2_000,
    });
    await c.close();
    // Raised while the device is away: delivered when it comes back, and only that.
    const two = await raise(t, sessionId, user, 'two', 2);
    const again = await comet({ transport: 'websocket', ext: { gms_user: user } });
    await again.subscribe();
    expect((await again.next()).data).toMatchObject({ id: two.deliveryId, tag: 'two' });
    await expect(again.next(800)).rejects.toThrow(/no delivery/);
  });

  it('the official client in its default configuration (websocket first, gms_user in requestHeaders) gets its pushes', async () => {
    const user = 'comet-default';
    const sessionId = await createSession(t, user);
    const pending = await raise(t, sessionId, user, 'before', 'b');
    const c = await comet({ transport: 'default', headers: { gms_user: user } });
    const subscribed = await c.subscribe();
    expect(subscribed.successful).toBe(true);
    // The socket named nobody: the handshake reply steered the client to long-polling, where its
    // headers go with every request.
    expect(c.client.getTransport()?.type).toBe('long-polling');
    expect((await c.next()).data).toMatchObject({ id: pending.deliveryId, tag: 'before' });
    const live = await raise(t, sessionId, user, 'after', 'a');
    expect((await c.next()).data).toMatchObject({ id: live.deliveryId, message: 'a', tag: 'after' });
  });

  it('the default configuration with ext.gms_user keeps its websocket', async () => {
    const user = 'comet-default-ext';
    const sessionId = await createSession(t, user);
    const c = await comet({ transport: 'default', ext: { gms_user: user } });
    expect((await c.subscribe()).successful).toBe(true);
    expect(c.client.getTransport()?.type).toBe('websocket');
    const live = await raise(t, sessionId, user, 'ws', 'w');
    expect((await c.next()).data).toMatchObject({ id: live.deliveryId, tag: 'ws' });
  });

  it('refuses other channels, publishing, and subscribing without a gms_user', async () => {
    const c = await comet({ transport: 'long-polling', headers: { gms_user: 'comet-guard' } });
    const foreign = await c.subscribe('/_genesys/u/abc');
    expect(foreign.successful).toBe(false);
    const published = await new Promise<Message>((resolve) =>
      c.client.publish('/_genesys', { forged: true }, resolve),
    );
    expect(published.successful).toBe(false);
    const anonymous = await comet({ transport: 'long-polling' });
    const refused = await anonymous.subscribe();
    expect(refused.successful).toBe(false);
    expect(String(refused.error)).toContain('gms_user');
  });
});
