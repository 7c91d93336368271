import { sql } from 'drizzle-orm';
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

describe('error logging', () => {
  const logs: string[] = [];
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ logs });
  });
  afterAll(() => t.close());

  it('never prints SQL parameters, quoted input values, tokens or authorization headers', async () => {
    // A real failed query (Drizzle's error, the database's data exception as its cause).
    const failure = await t.app.deps.db.execute(sql`select ${'secret-param-value'}::int as n`).then(
      () => null,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(Error);
    expect(String((failure as Error).message)).toContain('secret-param-value'); // what used to be logged
    t.app.deps.logger.error('legacy request failed', {
      err: failure,
      headers: { authorization: adminAuth, 'x-gms-device-token': 'secret-device-token' },
      token: 'secret-bearer',
      password: 'secret-password',
    });
    const line = logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.level === 'error');
    expect(line).toMatchObject({
      msg: 'legacy request failed',
      headers: { authorization: '[redacted]', 'x-gms-device-token': '[redacted]' },
      token: '[redacted]',
      password: '[redacted]',
    });
    const err = line?.err as { message: string; stack: string; cause?: { code?: string } };
    expect(err.message).toMatch(/^Failed query: select \$1::int as n\nparams: \[redacted\]/);
    expect(err.cause?.code).toBe('22P02');
    const all = logs.join('\n');
    expect(all).not.toContain('secret');
    expect(all).not.toContain(adminAuth.split(' ')[1]);
  });
});
