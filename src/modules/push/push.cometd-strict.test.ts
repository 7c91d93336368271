import { adapt } from 'cometd-nodejs-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { type Comet, cometClient, pushService, raise } from './push.test-support.js';

// Its own file: the CometD adapter's global `window` must come after the app's PGlite is open.
describe('CometD under LEGACY_ACCESS=strict', () => {
  let t: TestApp;
  let url: string;
  const open: Comet[] = [];
  const comet = async (options: Parameters<typeof cometClient>[1]) => {
    const c = await cometClient(url, options);
    open.push(c);
    return c;
  };
  beforeAll(async () => {
    t = await createTestApp({
      env: { EVENT_POLL_MS: '200', COMETD_TIMEOUT_SECONDS: '2', LEGACY_ACCESS: 'strict' },
    });
    ({ url } = await t.app.start({ port: 0, host: '127.0.0.1' }));
    await pushService(t);
    adapt();
  });
  afterAll(async () => {
    for (const c of open) await c.close().catch(() => {});
    await t.close();
  });

  it('a subscription needs the device token its sessions were created with', async () => {
    const user = 'comet-strict';
    const created = await t.fetch('/genesys/1/service/pushsvc', {
      method: 'POST',
      headers: { gms_user: user, 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(created.status).toBe(200);
    const token = created.headers.get('x-gms-device-token');
    const { _id: sessionId } = (await created.json()) as { _id: string };
    expect(token).toBeTruthy();

    // Knowing the gms_user is not enough, on either transport.
    const guessing = await comet({ transport: 'default', headers: { gms_user: user } });
    const refused = await guessing.subscribe();
    expect(refused.successful).toBe(false);
    expect(String(refused.error)).toContain('device token');
    const wrong = await comet({ transport: 'websocket', ext: { gms_user: user, gms_device_token: 'nope' } });
    expect((await wrong.subscribe()).successful).toBe(false);
    const stranger = await comet({ transport: 'long-polling', headers: { gms_user: 'comet-strict-nobody' } });
    expect((await stranger.subscribe()).successful).toBe(false);

    const viaHeaders = await comet({
      transport: 'default',
      headers: { gms_user: user, 'x-gms-device-token': String(token) },
    });
    expect((await viaHeaders.subscribe()).successful).toBe(true);
    const viaExt = await comet({
      transport: 'websocket',
      ext: { gms_user: user, gms_device_token: String(token) },
    });
    expect((await viaExt.subscribe()).successful).toBe(true);
    const live = await raise(t, sessionId, user, 'strict', 's');
    expect((await viaHeaders.next()).data).toMatchObject({ id: live.deliveryId, tag: 'strict' });
    expect((await viaExt.next()).data).toMatchObject({ id: live.deliveryId, tag: 'strict' });
    expect(guessing.received).toHaveLength(0);
  });
});
