import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './harness.js';

/**
 * A callback start counts its limits (queued, throttles, per-day, duplicates) under the service's
 * advisory lock, sent in one round trip with the lock: the statements must reach the database after
 * the lock, or two concurrent starts both count before either holds it and a limit can be exceeded.
 */
describe('SQL statements of a callback start', () => {
  let t: TestApp;
  let recording: string[] | null = null;

  beforeAll(async () => {
    t = await createTestApp({ onStatement: (s) => recording?.push(s.replace(/\s+/g, ' ')) });
    await t.app.managers.routing.agents.upsertGroup({ name: 'StmtBilling' });
    await t.app.managers.services.create({
      name: 'stmt-delayed',
      template: 'callback',
      preset: 'User-Originated-Delayed',
      options: [
        { name: '_target', value: 'StmtBilling@StatServer.GA' },
        { name: '_urs_virtual_queue', value: 'VQ_Stmt' },
        { name: '_throttle_callbacks_per_service_1', value: '1000' },
        { name: '_throttle_ttl_1', value: '300' },
      ],
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  const start = (customer: string) =>
    t.fetch('/genesys/1/service/callback/stmt-delayed', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', gms_user: 'stmt-user' },
      body: new URLSearchParams({
        _customer_number: customer,
        _desired_time: new Date(t.clock.now().getTime() + 3_600_000).toISOString(),
      }).toString(),
    });

  it('the limit counts and the duplicate check run after the service lock', async () => {
    // The first start after the service was created reads it into the service cache.
    expect((await start('+16505550100')).status).toBe(200);
    recording = [];
    const res = await start('+16505550101');
    const list = recording;
    recording = null;
    expect(res.status, await res.text()).toBe(200);
    const lock = list.findIndex((s) => /pg_advisory_xact_lock\(/.test(s));
    const limits = list
      .map((s, i) => ({ s, i }))
      .filter(({ s }) => /from "callbacks" where/.test(s) && /count\(\*\)|"customer_key" =/.test(s));
    expect(lock, list.join('\n')).toBeGreaterThanOrEqual(0);
    // queued, the throttle window, the duplicate check (at least)
    expect(limits.length, list.join('\n')).toBeGreaterThanOrEqual(3);
    for (const { s, i } of limits) expect(i, `${s}\n\n${list.join('\n')}`).toBeGreaterThan(lock);
    // The service's capacity rules come from the service the start resolved: not read again.
    expect(list.filter((s) => /from "services"/.test(s))).toEqual([]);
  });
});
