import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminAuth, createTestApp, type TestApp } from './harness.js';

describe('request logging', () => {
  const logs: string[] = [];
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ logs });
  });
  afterAll(() => t.close());

  it('writes one JSON line per request with method, path, status and duration, and no secrets or bodies', async () => {
    const form = new FormData();
    form.append('secret_field', 'top-secret-value');
    await t.fetch('/genesys/1/admin/node/changestatus/ONLINE?token=abc', {
      method: 'POST',
      headers: { authorization: adminAuth, gms_user: 'device-42' },
      body: form,
    });
    const lines = logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === 'request');
    const line = lines.find((l) => l.path === '/genesys/1/admin/node/changestatus/ONLINE');
    expect(line).toMatchObject({ level: 'info', method: 'POST', status: 200 });
    expect(typeof line?.durationMs).toBe('number');
    const all = logs.join('\n');
    expect(all).not.toContain('top-secret-value');
    expect(all).not.toContain(adminAuth.split(' ')[1]);
    expect(all).not.toContain('token=abc');
  });
});
