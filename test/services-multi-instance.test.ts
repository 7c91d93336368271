import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Topic } from '../src/pubsub/topics.js';
import { backend, createTestApp, createTestDatabase, type TestApp, type TestDatabase } from './harness.js';

/**
 * Services are cached in each process (services/service-cache.ts): a change made on one instance
 * must reach the next request on every other instance once its message has arrived, and a
 * request on the instance that made it at once.
 */
describe.skipIf(backend !== 'postgres')('service definitions cached on two instances', () => {
  let database: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  let recording: string[] | null = null;

  beforeAll(async () => {
    database = await createTestDatabase();
    const namespace = `svc-${randomUUID().slice(0, 8)}`;
    a = await createTestApp({ database, namespace, onStatement: (s) => recording?.push(s) });
    b = await createTestApp({ database, namespace });
    for (const [name, prefix] of [
      ['First', '1-866-10'],
      ['Second', '1-866-20'],
    ] as const)
      await b.app.managers.resources.createGroup({
        name,
        locking: false,
        resources: [{ name: 'K', accessNumber: `${prefix}00` }],
      });
    // The creation's message must have reached A before A's first lookup, or it empties A's cache after.
    const { heard } = await arrival(a, 'services:changed');
    await b.app.managers.services.create({
      name: 'cached',
      template: 'request-interaction',
      options: [{ name: '_resource_group', value: 'First' }],
    });
    await heard;
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await database?.drop();
  });

  async function book(app: TestApp): Promise<{ number: string; statements: string[] }> {
    recording = [];
    const res = await app.fetch('/genesys/1/service/cached', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '_phone_number=6504660000',
    });
    const statements = recording;
    recording = null;
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status, JSON.stringify(body)).toBe(200);
    return { number: String(body._access_number), statements };
  }

  /** Resolves when `topic` has reached `app` (its service cache watches it from start-up, so first). */
  async function arrival(app: TestApp, topic: Topic): Promise<{ heard: Promise<void> }> {
    let heard: () => void = () => {};
    const done = new Promise<void>((resolve) => (heard = resolve));
    const stop = await app.app.deps.bus.watch(topic, null, () => heard());
    return { heard: done.finally(() => stop()) };
  }

  const readsServices = (statements: string[]) => statements.filter((s) => /from "services"/i.test(s));

  it('A looks the service up once, then answers from its cache', async () => {
    const first = await book(a);
    expect(first.number).toBe('1-866-1000');
    expect(readsServices(first.statements)).toHaveLength(1);
    const second = await book(a);
    expect(second.number).toBe('1-866-1000');
    expect(readsServices(second.statements)).toEqual([]);
  });

  it('a service changed on B is what the next request on A uses', async () => {
    const { heard } = await arrival(a, 'services:changed');
    await b.app.managers.services.update({
      name: 'cached',
      set: [{ name: '_resource_group', value: 'Second' }],
    });
    // B itself uses the change at once.
    expect((await book(b)).number).toBe('1-866-2000');
    await heard;
    const next = await book(a);
    expect(next.number).toBe('1-866-2000');
    expect(readsServices(next.statements)).toHaveLength(1);
  });

  it('a service deleted on B is gone for A, and created again it is back', async () => {
    let { heard } = await arrival(a, 'services:changed');
    await b.app.managers.services.delete('cached');
    await heard;
    const gone = await a.fetch('/genesys/1/service/cached', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '_phone_number=6504660000',
    });
    expect(gone.status).toBe(404);
    ({ heard } = await arrival(a, 'services:changed'));
    await b.app.managers.services.create({
      name: 'cached',
      template: 'request-interaction',
      options: [{ name: '_resource_group', value: 'First' }],
    });
    await heard;
    expect((await book(a)).number).toBe('1-866-1000');
  });

  it("a template changed on B drops A's services (their defaults come from it)", async () => {
    expect(readsServices((await book(a)).statements)).toEqual([]);
    const { heard } = await arrival(a, 'templates:changed');
    await b.app.managers.templates.restoreBundled('request-interaction');
    await heard;
    expect(readsServices((await book(a)).statements)).toHaveLength(1);
  });
});
