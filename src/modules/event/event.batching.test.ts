import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { take } from '../../../test/async-iter.js';
import { backend, createTestApp, type TestApp } from '../../../test/harness.js';
import { EventStore } from './event.manager.js';

/** Group commit of appends made outside a transaction, and the store-wide poll. */
/** The store's appender (event.append.ts), whose statements these tests count. */
const appenderOf = <G>(store: EventStore) =>
  (store as unknown as { appender: { appendGroups: (db: unknown, groups: G) => Promise<unknown> } }).appender;

describe('event store under load', () => {
  let t: TestApp;
  const statements: string[] = [];
  beforeAll(async () => {
    t = await createTestApp({ onStatement: (s) => statements.push(s) });
  });
  afterAll(() => t.close());

  const expiresIn = (ms: number) => new Date(t.clock.now().getTime() + ms);
  const appends = () => statements.filter((s) => s.includes('insert into "session_event_counters"')).length;

  it('concurrent appends share one statement; a session named in several takes its seqs in arrival order', async () => {
    const store = new EventStore(t.app.deps, { pollMs: 60_000, batch: 10 });
    const [a, b] = [`1-${randomUUID()}`, `1-${randomUUID()}`];
    const before = appends();
    // Issued in one turn: the first goes alone, the others wait for it and go together.
    const events = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.publish({
          sessionId: i % 2 ? b : a,
          gmsUser: 'batch',
          tag: `t.${i}`,
          message: { i },
          expiresAt: expiresIn(60_000),
        }),
      ),
    );
    expect(appends() - before).toBeLessThanOrEqual(2);
    expect(events.filter((e) => e.sessionId === a).map((e) => e.seq)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
    expect(events.filter((e) => e.sessionId === b).map((e) => e.seq)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
    const stored = await store.readSession(a, 0, 100);
    expect(stored.map((e) => [e.seq, e.tag, e.deliveryId])).toEqual(
      events.filter((e) => e.sessionId === a).map((e) => [e.seq, e.tag, e.deliveryId]),
    );
    // One append of several events of one session (one caller's group), in a transaction too.
    const twice = await t.app.deps.db.transaction((tx) =>
      store.appendMany(tx, [
        { sessionId: a, gmsUser: 'batch', tag: 'x', message: 1, expiresAt: expiresIn(60_000) },
        { sessionId: a, gmsUser: 'batch', tag: 'y', message: 2, expiresAt: expiresIn(60_000) },
      ]),
    );
    expect(twice.map((e) => [e.seq, e.tag])).toEqual([
      [11, 'x'],
      [12, 'y'],
    ]);
  });

  it.runIf(backend === 'pglite')(
    'on PGlite, publishes made in separate callbacks of one event-loop phase share one statement',
    async () => {
      // The engine runs on this thread: without waiting for the phase's end, the first publish's
      // statement ran before the second request was read, and every batch had one input.
      const store = new EventStore(t.app.deps, { pollMs: 60_000, batch: 10 });
      // This store's own statements (the app's other appends go through the app's store, and a
      // statement count saw one of them in this window once, in CI on a loaded machine).
      const batches = vi.spyOn(appenderOf<unknown[][]>(store), 'appendGroups');
      // Three callbacks of one check phase: immediates queued together run in one phase, while
      // three 0-ms timers could land in two (each timer reads the clock anew, so a millisecond
      // boundary between them split them: [2, 1] once at load 5.6).
      const events = await new Promise<Promise<unknown>[]>((resolve) => {
        const pending: Promise<unknown>[] = [];
        for (let i = 0; i < 3; i++)
          setImmediate(() => {
            pending.push(
              store.publish({
                sessionId: `1-${randomUUID()}`,
                gmsUser: 'phase',
                tag: `p.${i}`,
                message: { i },
                expiresAt: expiresIn(60_000),
              }),
            );
            if (pending.length === 3) resolve(pending);
          });
      });
      expect(await Promise.all(events)).toHaveLength(3);
      expect(batches.mock.calls.map(([, groups]) => groups.length)).toEqual([3]);
    },
  );

  it('a guarded append writes its events only if the guard holds, in the statement it shares with others', async () => {
    const store = new EventStore(t.app.deps, { pollMs: 60_000, batch: 10 });
    store.guardAppends((value, now) => sql`${value} <> 'refuse' and ${now} is not null`);
    const batches = vi.spyOn(appenderOf<unknown[]>(store), 'appendGroups');
    const sessionId = `1-${randomUUID()}`;
    const input = (tag: string) => ({
      sessionId,
      gmsUser: 'guarded',
      tag,
      message: { tag },
      expiresAt: expiresIn(60_000),
    });
    // On PostgreSQL the first goes alone and the next four wait for it and share one statement; on
    // PGlite all five wait for the end of the I/O phase (gatherIo).
    const results = await Promise.all([
      store.appendUnless([input('a')], 'pass'),
      store.appendUnless([input('b'), input('c')], 'refuse'),
      store.appendMany(t.app.deps.db, [input('d')]),
      store.appendUnless([input('e'), input('f')], 'pass'),
      store.appendUnless([input('g')], 'refuse'),
    ]);
    expect(batches.mock.calls.map(([, groups]) => groups.length)).toEqual(
      backend === 'pglite' ? [5] : [1, 4],
    );
    expect(results.map((r) => r?.map((e) => [e.tag, e.seq]) ?? null)).toEqual([
      [['a', 1]],
      null,
      [['d', 2]],
      [
        ['e', 3],
        ['f', 4],
      ],
      null,
    ]);
    // A refused group left nothing behind: no event, no seq taken.
    expect((await store.readSession(sessionId, 0)).map((e) => [e.tag, e.seq])).toEqual([
      ['a', 1],
      ['d', 2],
      ['e', 3],
      ['f', 4],
    ]);
    expect(await store.lastSeq(sessionId)).toBe(4);
    // The guard is part of the append statement's text, built once.
    expect(() => store.guardAppends(() => sql`true`)).toThrow(/already/);
    const late = new EventStore(t.app.deps, { pollMs: 60_000, batch: 10 });
    await late.publish(input('h'));
    expect(() => late.guardAppends(() => sql`true`)).toThrow(/before the first append/);
    await expect(late.appendUnless([input('i')], 'pass')).rejects.toThrow(/needs an append guard/);
  });

  it('a batch the database refuses fails only the caller whose input it refused', async () => {
    const store = new EventStore(t.app.deps, { pollMs: 60_000, batch: 10 });
    const sessionId = `1-${randomUUID()}`;
    const publish = (message: number, tag = 't') =>
      store.publish({ sessionId, gmsUser: 'refused', tag, message, expiresAt: expiresIn(60_000) });
    // A NUL in text is refused by the database (the HTTP edges refuse it before).
    const results = await Promise.allSettled([publish(0), publish(1), publish(2, 'a\u0000b'), publish(3)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((await store.readSession(sessionId, 0)).map((e) => e.message)).toEqual([0, 1, 3]);
  });

  it('the poll asks once for every sleeping stream and wakes only the ones behind', async () => {
    const store = new EventStore(t.app.deps, { pollMs: 150, batch: 10 });
    const reads: string[] = [];
    const readUser = store.readUser.bind(store);
    vi.spyOn(store, 'readUser').mockImplementation((user, ...rest) => {
      reads.push(user);
      return readUser(user, ...rest);
    });
    const users = Array.from({ length: 30 }, (_, i) => `sweep-${i}-${randomUUID()}`);
    const streams = users.map((u) => store.streamUser(u));
    const sweeps = () => statements.filter((s) => s.includes('as x(k int, u text, c jsonb)')).length;
    // Each stream's first read (nothing stored yet), then asleep.
    const pending = streams.map((s) => take(s, 1, 10_000));
    await vi.waitFor(() => expect(reads.length).toBe(30));
    const swept = sweeps();
    await vi.waitFor(() => expect(sweeps()).toBeGreaterThan(swept + 1), { timeout: 5_000 });
    // Sweeps found nothing: no stream read again (a tick per stream read 30 times per sweep).
    expect(reads.length).toBe(30);
    // Committed without a poke: only the poll can find it.
    await t.app.deps.db.transaction((tx) =>
      store.append(tx, {
        sessionId: `1-${randomUUID()}`,
        gmsUser: users[7] as string,
        tag: 'polled',
        message: 1,
        expiresAt: expiresIn(60_000),
      }),
    );
    const [event] = (await pending[7]) ?? [];
    expect(event?.tag).toBe('polled');
    // Only the stream that was behind read (once, and once more to find nothing after it).
    expect(new Set(reads.slice(30))).toEqual(new Set([users[7]]));
    await Promise.all(streams.map((s) => s.return()));
  });
});
