import { lookup } from 'node:dns/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../../../test/gql/index.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { ConfigError, loadConfig, parseTargetPolicy } from '../../config.js';
import { TargetPolicy } from './push.targets.js';
import { pushService } from './push.test-support.js';

const policy = (value: string) => {
  const spec = parseTargetPolicy(value);
  if (typeof spec === 'string') throw new Error(spec);
  return new TargetPolicy(spec);
};

describe('PUSH_ALLOWED_TARGETS', () => {
  it('refuses special addresses by default, in every spelling', () => {
    const p = policy('*');
    for (const ip of [
      '127.0.0.1',
      '127.9.9.9',
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      '::ffff:a9fe:a9fe',
      '64:ff9b::7f00:1',
      '2002:7f00:1::',
    ])
      expect([ip, p.allowsAddress(ip)]).toEqual([ip, false]);
    for (const ip of ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'])
      expect(p.allowsAddress(ip)).toBe(true);
    expect(p.allowsHost('[::1]')).toBe(false);
    expect(p.allowsHost('localhost')).toBe(false);
    expect(p.allowsHost('api.localhost')).toBe(false);
    expect(p.allowsHost('hooks.example.com')).toBe(true);
  });

  it('an explicit list allows only what it names; a network may open a special range', () => {
    const p = policy('hooks.example.com, *.partner.example, 10.1.2.0/24, 127.0.0.1');
    expect(p.allowsHost('hooks.example.com')).toBe(true);
    expect(p.allowsHost('a.partner.example')).toBe(true);
    expect(p.allowsHost('other.example.com')).toBe(false);
    expect(p.allowsHost('93.184.216.34')).toBe(false);
    expect(p.allowsHost('10.1.2.7')).toBe(true);
    expect(p.allowsHost('10.1.3.7')).toBe(false);
    expect(p.allowsAddress('10.1.2.7')).toBe(true);
    expect(p.allowsAddress('127.0.0.1')).toBe(true);
    expect(p.allowsAddress('127.0.0.2')).toBe(false);
    // A listed name is still refused when it resolves into a special range nobody listed.
    expect(p.allowsAddress('192.168.0.1')).toBe(false);
  });

  it('a bad entry stops the server with a message naming the variable', () => {
    expect(() => loadConfig({ PUSH_ALLOWED_TARGETS: '10.0.0.0/99' })).toThrow(ConfigError);
    expect(() => loadConfig({ PUSH_ALLOWED_TARGETS: 'http://x' })).toThrow(/PUSH_ALLOWED_TARGETS/);
    expect(loadConfig({}).push.allowedTargets).toMatchObject({ anyHost: true, networks: [] });
  });
});

const Subscriptions = graphql(`
  query TargetSubscriptions { notificationSubscriptions { id deviceId } }
`);
const Deliveries = graphql(`
  query TargetDeliveries { pushDeliveries { deviceId status lastError } }
`);

describe('httpcb targets (SSRF)', () => {
  let t: TestApp;
  let server: Server;
  let port = 0;
  const received: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      received.push(req.url ?? '');
      req.resume();
      res.writeHead(200).end();
    });
    // Every interface: the machine's own name may resolve to any local address.
    await new Promise<void>((resolve) => server.listen(0, resolve));
    port = (server.address() as AddressInfo).port;
    t = await createTestApp();
    await pushService(t);
  });
  afterAll(async () => {
    await t.close();
    await new Promise((resolve) => server.close(resolve));
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    t.fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('a subscription to loopback, link-local, private or localhost is a 400 in GMS shape, and nothing is stored', async () => {
    for (const target of [
      `http://127.0.0.1:${port}/hook`,
      `http://[::1]:${port}/hook`,
      `http://[::ffff:127.0.0.1]:${port}/hook`,
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.5/internal',
      `http://localhost:${port}/hook`,
      'file:///etc/passwd',
    ]) {
      const response = await post('/genesys/1/notification/subscription', {
        subscriberId: 's',
        filter: 'x.*',
        notificationDetails: { type: 'httpcb', deviceId: target },
      });
      expect([target, response.status]).toEqual([target, 400]);
      const body = (await response.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ code: 400, exception: expect.any(String) });
      expect(body.message).toMatch(/notificationDetails\.deviceId/);
    }
    expect((await t.admin(Subscriptions)).notificationSubscriptions).toEqual([]);
  });

  it('a publish with notificationDetails to loopback is a 400 and queues nothing', async () => {
    const response = await post('/genesys/1/notification/publish', {
      message: 'm',
      tag: 't',
      notificationDetails: { type: 'httpcb', deviceId: `http://127.0.0.1:${port}/direct` },
    });
    expect(response.status).toBe(400);
    expect((await t.admin(Deliveries)).pushDeliveries).toEqual([]);
  });

  it('a session asking for httpcb delivery to loopback is refused at create', async () => {
    const response = await t.fetch('/genesys/1/service/pushsvc', {
      method: 'POST',
      headers: { gms_user: 'dev', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        _device_os: 'httpcb',
        _device_notification_id: `http://127.0.0.1:${port}/session`,
      }).toString(),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toMatch(/_device_notification_id/);
  });

  it('a host name accepted at subscribe time is checked again when connecting (DNS rebinding)', async () => {
    // The machine's own name is a real name that resolves to a local address: what a rebinding
    // name does after it has passed the subscribe-time check.
    const name = hostname();
    const { address } = await lookup(name);
    expect(policy('*').allowsAddress(address)).toBe(false);
    const response = await post('/genesys/1/notification/subscription', {
      subscriberId: 'r',
      filter: 'rebind',
      notificationDetails: { type: 'httpcb', deviceId: `http://${name}:${port}/rebind` },
    });
    expect(response.status).toBe(200);
    expect((await post('/genesys/1/notification/publish', { message: 'm', tag: 'rebind' })).status).toBe(200);
    await t.app.managers.deliveries.runOnce();
    expect(received).toEqual([]);
    expect((await t.admin(Deliveries)).pushDeliveries).toMatchObject([
      {
        deviceId: `http://${name}:${port}/rebind`,
        status: 'dead',
        lastError: expect.stringMatching(/not allowed/),
      },
    ]);
  });

  it('a network listed in PUSH_ALLOWED_TARGETS opens that range, for names and literals', async () => {
    const name = hostname();
    const { address } = await lookup(name);
    const open = await createTestApp({ env: { PUSH_ALLOWED_TARGETS: `*,${address}` } });
    try {
      const subscribe = await open.fetch('/genesys/1/notification/subscription', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          subscriberId: 'ok',
          filter: 'open',
          notificationDetails: { type: 'httpcb', deviceId: `http://${name}:${port}/open` },
        }),
      });
      expect(subscribe.status).toBe(200);
      await open.fetch('/genesys/1/notification/publish', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'm', tag: 'open' }),
      });
      await open.app.managers.deliveries.runOnce();
      expect(received).toEqual(['/open']);
    } finally {
      await open.close();
    }
  });
});
