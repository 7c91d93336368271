import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { take } from '../../../test/async-iter.js';
import {
  backend,
  createTestApp,
  createTestDatabase,
  type TestApp,
  type TestDatabase,
} from '../../../test/harness.js';
import { decodeCursor, EventStore, type SessionEvent } from './event.manager.js';
import { sessionEventCountersTable } from './event.tables.js';

declare module './event.types.js' {
  interface SessionEventKinds {
    /** A kind only this test appends and presents. */
    'test.greeting': { name: string; count: number };
  }
}

describe('event store', () => {
  let t: TestApp;
  let store: EventStore;
  beforeAll(async () => {
    t = await createTestApp();
    store = new EventStore(t.app.deps, { pollMs: 100, batch: 3 });
  });
  afterAll(() => t.close());

  const expiresIn = (ms: number) => new Date(t.clock.now().getTime() + ms);

  it('numbers each session densely, also under concurrent appends', async () => {
    const sessionId = `1-${randomUUID()}`;
    const events = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.publish({
          sessionId,
          gmsUser: 'u1',
          tag: `t.${i}`,
          message: { i },
          expiresAt: expiresIn(60_000),
        }),
      ),
    );
    expect(events.map((e) => e.seq).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    expect(new Set(events.map((e) => e.deliveryId)).size).toBe(20);
    const read = await store.readSession(sessionId, 5, 100);
    expect(read.map((e) => e.seq)).toEqual(Array.from({ length: 15 }, (_, i) => i + 6));
  });

  it('appends to several sessions in one statement, numbering each on from its counter, also concurrently', async () => {
    const [a, b, c] = [`1-${randomUUID()}`, `1-${randomUUID()}`, `1-${randomUUID()}`] as const;
    await store.publish({
      sessionId: b,
      gmsUser: 'um',
      tag: 'before',
      message: 0,
      expiresAt: expiresIn(60_000),
    });
    const input = (sessionId: string, i: number) => ({
      sessionId,
      gmsUser: 'um',
      tag: `t.${i}`,
      message: { i, text: 'it\'s "quoted"' },
      expiresAt: expiresIn(60_000),
    });
    // The same sessions in different orders at once: counter rows are locked in one order.
    const batches = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        store.appendMany(
          t.app.deps.db,
          i % 2 ? [input(c, i), input(a, i), input(b, i)] : [input(a, i), input(b, i), input(c, i)],
        ),
      ),
    );
    for (const [i, batch] of batches.entries()) {
      expect(batch.map((e) => e.tag)).toEqual([`t.${i}`, `t.${i}`, `t.${i}`]);
      expect(batch[0]?.message).toEqual({ i, text: 'it\'s "quoted"' });
    }
    const seqs = (id: string) => batches.map((batch) => batch.find((e) => e.sessionId === id)?.seq).sort();
    expect(seqs(a)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(seqs(b)).toEqual([2, 3, 4, 5, 6, 7]);
    const stored = await store.readSession(b, 0, 100);
    expect(stored.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const third = stored.find((e) => e.tag === 't.2');
    expect(third?.deliveryId).toBe(batches[2]?.find((e) => e.sessionId === b)?.deliveryId);
    // A session named twice: consecutive seqs in one statement, still dense.
    const twice = await t.app.deps.db.transaction((tx) => store.appendMany(tx, [input(c, 7), input(c, 8)]));
    expect(twice.map((e) => e.seq)).toEqual([7, 8]);
  });

  /** A store whose poll never fires within a test (only pokes deliver), and one device's events. */
  const quietStore = (prefix: string) => {
    const quiet = new EventStore(t.app.deps, { pollMs: 60_000, batch: 50 });
    const sessionId = `1-${randomUUID()}`;
    const gmsUser = `${prefix}-${randomUUID()}`;
    const input = (i: number) => ({
      sessionId,
      gmsUser,
      tag: `t.${i}`,
      message: { i },
      expiresAt: expiresIn(60_000),
    });
    return { quiet, sessionId, gmsUser, input };
  };

  it("a counter never expires before its session's last event, and moves an hour past it when it must move", async () => {
    const sessionId = `1-${randomUUID()}`;
    const append = (expiresAt: Date) =>
      store.appendMany(t.app.deps.db, [{ sessionId, gmsUser: 'ux', tag: 't', message: 1, expiresAt }]);
    const counterExpiry = async () =>
      (
        await t.app.deps.db
          .select({ at: sessionEventCountersTable.expiresAt })
          .from(sessionEventCountersTable)
          .where(eq(sessionEventCountersTable.sessionId, sessionId))
      )[0]?.at.getTime();
    const first = expiresIn(30_000);
    await append(first);
    expect(await counterExpiry()).toBe(first.getTime());
    // Later than the counter: an hour past this event.
    const second = expiresIn(60_000);
    await append(second);
    expect(await counterExpiry()).toBe(second.getTime() + 3_600_000);
    // Within that hour (and an earlier one): the counter stays (its update touches no index).
    await append(expiresIn(90_000));
    await append(expiresIn(10_000));
    expect(await counterExpiry()).toBe(second.getTime() + 3_600_000);
    // Past it: moved again.
    const far = expiresIn(7_200_000);
    await append(far);
    expect(await counterExpiry()).toBe(far.getTime() + 3_600_000);
    expect((await store.readSession(sessionId, 0, 10)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('takes an event from its poke when it continues the stream, and reads on a gap', async () => {
    const { quiet, sessionId, gmsUser, input } = quietStore('carried');
    await quiet.publish(input(1));
    const reads = vi.spyOn(quiet, 'readUser');
    const sessionReads = vi.spyOn(quiet, 'readSession');
    const device = quiet.streamUser(gmsUser);
    const session = quiet.streamSession(sessionId);
    await device.ready;
    await session.ready;
    // Stored: read; and the turn after a read that found events reads once more (maybe more).
    expect((await take(device, 1)).map((e) => e.seq)).toEqual([1]);
    expect((await take(session, 1)).map((e) => e.seq)).toEqual([1]);
    await quiet.publish(input(2));
    expect((await take(device, 1)).map((e) => e.seq)).toEqual([2]);
    expect((await take(session, 1)).map((e) => e.seq)).toEqual([2]);
    const readsBefore = reads.mock.calls.length;
    for (const i of [3, 4]) {
      // Waiting before the publish (as a live subscriber is): its read after event 2 finds nothing.
      const nextDevice = device.next();
      const nextSession = session.next();
      // Both streams' reads have answered (so they wait for a poke) before the publish.
      await vi.waitFor(() => {
        expect(reads.mock.settledResults).toHaveLength(reads.mock.calls.length);
        expect(sessionReads.mock.settledResults).toHaveLength(sessionReads.mock.calls.length);
      });
      const live = await quiet.publish(input(i));
      const fromPoke = (await nextDevice).value;
      expect(fromPoke).toMatchObject({ seq: i, deliveryId: live.deliveryId, message: { i }, tag: `t.${i}` });
      expect(decodeCursor(fromPoke?.cursor)).toEqual({ [sessionId]: i });
      expect((await nextSession).value?.deliveryId).toBe(live.deliveryId);
    }
    // The one read after event 2's; none for carried events.
    expect(reads.mock.calls.length).toBe(readsBefore + 1);
    const readsCarried = reads.mock.calls.length;
    // Event 5's poke is lost (appended, never announced): event 6's poke shows a gap, so a read.
    await quiet.append(t.app.deps.db, input(5));
    await quiet.publish(input(6));
    expect((await take(device, 2)).map((e) => e.seq)).toEqual([5, 6]);
    expect((await take(session, 2)).map((e) => e.seq)).toEqual([5, 6]);
    expect(reads.mock.calls.length).toBeGreaterThan(readsCarried);
    // A large message is not carried: read from the store, delivered the same.
    const big = await quiet.publish({ ...input(7), message: { text: 'x'.repeat(10_000) } });
    expect((await take(device, 1))[0]?.deliveryId).toBe(big.deliveryId);
    await device.return();
    await session.return();
  });

  it('pull: a poke carrying the next event hands it over in its own turn, one wake per sleep; return() wakes and ends', async () => {
    const { quiet, gmsUser, input } = quietStore('pull');
    await quiet.publish(input(1));
    const reads = vi.spyOn(quiet, 'readUser');
    const stream = quiet.streamUser(gmsUser);
    await stream.ready;
    // What each pull answered: a seq, 'read' (a promise), 'done'; 'sleep' when it answered null.
    const got: (number | string)[] = [];
    let wakes = 0;
    const consume = () => {
      for (;;) {
        const r = stream.pull(onWake);
        if (r === null) {
          got.push('sleep');
          return;
        }
        if (r instanceof Promise) {
          got.push('read');
          void r.then(consume);
          return;
        }
        got.push(r.done ? 'done' : r.value.seq);
        if (r.done) return;
      }
    };
    const onWake = () => {
      wakes++;
      consume();
    };
    consume();
    // The stored event is read; the turn after a read that found something reads once more.
    await vi.waitFor(() => expect(got.at(-1)).toBe('sleep'));
    expect(got).toEqual(['read', 1, 'read', 'sleep']);
    const readsBefore = reads.mock.calls.length;
    got.length = 0;
    // Events 2 and 3: each poke wakes the consumer, which takes the event in that same turn.
    await quiet.publish(input(2));
    await quiet.publish(input(3));
    await vi.waitFor(() => expect(got).toEqual([2, 'sleep', 3, 'sleep']));
    expect(wakes).toBe(2);
    expect(reads.mock.calls.length).toBe(readsBefore);
    const last = got.length;
    await stream.return();
    expect(got.slice(last)).toEqual(['done']);
    expect(wakes).toBe(3);
  });

  it('streams stored events first, then new ones, resuming after a given seq', async () => {
    const sessionId = `1-${randomUUID()}`;
    for (let i = 1; i <= 4; i++)
      await store.publish({
        sessionId,
        gmsUser: 'u2',
        tag: 'x',
        message: { i },
        expiresAt: expiresIn(60_000),
      });
    const stream = store.streamSession(sessionId, 2);
    const first = await take(stream, 2);
    expect(first.map((e) => e.seq)).toEqual([3, 4]);
    await store.publish({
      sessionId,
      gmsUser: 'u2',
      tag: 'x',
      message: { i: 5 },
      expiresAt: expiresIn(60_000),
    });
    expect((await take(stream, 1))[0]?.message).toEqual({ i: 5 });
    await stream.return();
  });

  it('delivers an event whose poke was lost, on the next poll', async () => {
    const sessionId = `1-${randomUUID()}`;
    const stream = store.streamSession(sessionId);
    await stream.ready;
    // Appended and committed, but never announced: as if Redis dropped the poke.
    await t.app.deps.db.transaction((tx) =>
      store.append(tx, { sessionId, gmsUser: null, tag: 'lost', message: 'm', expiresAt: expiresIn(60_000) }),
    );
    const [event] = await take(stream, 1);
    expect(event?.tag).toBe('lost');
    await stream.return();
  });

  it('streams every session of a device with a resumable cursor', async () => {
    const user = `user-${randomUUID()}`;
    const s1 = `1-${randomUUID()}`;
    const s2 = `1-${randomUUID()}`;
    await store.publish({ sessionId: s1, gmsUser: user, tag: 'a', message: 1, expiresAt: expiresIn(60_000) });
    await store.publish({ sessionId: s2, gmsUser: user, tag: 'b', message: 2, expiresAt: expiresIn(60_000) });
    await store.publish({
      sessionId: s1,
      gmsUser: 'someone-else',
      tag: 'c',
      message: 3,
      expiresAt: expiresIn(60_000),
    });
    const stream = store.streamUser(user);
    const got = await take(stream, 2);
    expect(got.map((e) => e.tag)).toEqual(['a', 'b']);
    await stream.return();
    await store.publish({ sessionId: s2, gmsUser: user, tag: 'd', message: 4, expiresAt: expiresIn(60_000) });
    const resumed = store.streamUser(user, decodeCursor(got[1]?.cursor));
    expect((await take(resumed, 1)).map((e: SessionEvent) => e.tag)).toEqual(['d']);
    await resumed.return();
  });

  it("keeps each session's order in a device's stream when the appenders' clocks disagree", async () => {
    // Two instances append to one session, the second with a clock 5 s behind the first: the
    // later seq has the earlier created_at. Ordered by created_at, a page of one handed out seq 2
    // first, its cursor moved past seq 1, and seq 1 was never delivered.
    const user = `user-${randomUUID()}`;
    const sessionId = `1-${randomUUID()}`;
    const paged = new EventStore(t.app.deps, { pollMs: 100, batch: 1 });
    const start = t.clock.now();
    await store.publish({ sessionId, gmsUser: user, tag: 'first', message: 1, expiresAt: expiresIn(60_000) });
    t.clock.set(new Date(start.getTime() - 5_000));
    try {
      await store.publish({
        sessionId,
        gmsUser: user,
        tag: 'second',
        message: 2,
        expiresAt: expiresIn(60_000),
      });
    } finally {
      t.clock.set(start);
    }
    const stream = paged.streamUser(user);
    const got = await take(stream, 2, 3000);
    expect(got.map((e) => [e.tag, e.seq])).toEqual([
      ['first', 1],
      ['second', 2],
    ]);
    await stream.return();
    expect((await store.readUser(user, {})).map((e) => e.seq)).toEqual([1, 2]);
  });

  it('keeps string messages as strings in device streams', async () => {
    const user = `user-${randomUUID()}`;
    const sessionId = `1-${randomUUID()}`;
    await store.publish({
      sessionId,
      gmsUser: user,
      tag: 's',
      message: 'refresh',
      expiresAt: expiresIn(60_000),
    });
    await store.publish({ sessionId, gmsUser: user, tag: 'n', message: '42', expiresAt: expiresIn(60_000) });
    expect((await store.readUser(user, {})).map((e) => e.message)).toEqual(['refresh', '42']);
  });

  it('keeps a typed event as its value and presents it where it leaves (wire), once per event', async () => {
    const typed = new EventStore(t.app.deps, { pollMs: 60_000, batch: 50 });
    const user = `user-${randomUUID()}`;
    const [a, b] = [`1-${randomUUID()}`, `1-${randomUUID()}`];
    const value = { name: 'Ann', count: 2 };
    const event = await typed.publish({
      sessionId: a,
      gmsUser: user,
      tag: 'greet',
      kind: 'test.greeting',
      message: value,
      expiresAt: expiresIn(60_000),
    });
    // Without its presenter a typed event cannot leave: a wiring error, never a silent raw value.
    expect(() => typed.wire(event)).toThrow(/test\.greeting.*no presenter/);
    const present = vi.fn((v: { name: string; count: number }) => ({
      hello: v.name,
      times: String(v.count),
    }));
    typed.presentAs('test.greeting', present);
    expect(() => typed.presentAs('test.greeting', present)).toThrow(/already/);
    // Several sessions in one statement keep their kinds too (and an untyped event beside them).
    const [many, plain] = await typed.appendMany(t.app.deps.db, [
      {
        sessionId: b,
        gmsUser: user,
        tag: 'greet',
        kind: 'test.greeting',
        message: { name: 'Bo', count: 1 },
        expiresAt: expiresIn(60_000),
      },
      {
        sessionId: `1-${randomUUID()}`,
        gmsUser: user,
        tag: 'plain',
        message: { hello: 'raw' },
        expiresAt: expiresIn(60_000),
      },
    ]);
    expect(many).toMatchObject({ kind: 'test.greeting', message: { name: 'Bo', count: 1 } });
    expect(plain).toMatchObject({ kind: null, message: { hello: 'raw' } });
    // Stored and read back as the value, with its kind, by every reader.
    const [read] = await typed.readSession(a, 0);
    expect(read).toMatchObject({ kind: 'test.greeting', message: value });
    const device = await typed.readUser(user, {});
    expect(device).toHaveLength(3);
    expect(device[0]).toMatchObject({ kind: 'test.greeting', message: value });
    // (appendMany writes in session-id order, so these two come in either order.)
    expect(device.slice(1).map((e) => [e.kind, e.message])).toEqual(
      expect.arrayContaining([
        ['test.greeting', { name: 'Bo', count: 1 }],
        [null, { hello: 'raw' }],
      ]),
    );
    // Presented by its kind's presenter, once per event object; an untyped event as stored.
    expect(JSON.stringify(typed.wire(read as SessionEvent))).toBe('{"hello":"Ann","times":"2"}');
    typed.wire(read as SessionEvent);
    expect(present).toHaveBeenCalledTimes(1);
    expect(typed.wire(device.find((e) => e.kind === null) as SessionEvent)).toEqual({ hello: 'raw' });
    // A live event (taken from its poke, or read) keeps its kind and presents the same.
    const live = typed.streamSession(a, 1);
    await live.ready;
    const next = live.next();
    await typed.publish({
      sessionId: a,
      gmsUser: user,
      tag: 'greet',
      kind: 'test.greeting',
      message: { name: 'Cy', count: 3 },
      expiresAt: expiresIn(60_000),
    });
    const got = (await next).value as SessionEvent;
    expect(got).toMatchObject({ seq: 2, kind: 'test.greeting' });
    expect(typed.wire(got)).toEqual({ hello: 'Cy', times: '3' });
    await live.return();
  });

  it('keeps message keys in the order they were written (GMS pushes _action before _id)', async () => {
    const user = `user-${randomUUID()}`;
    const sessionId = `1-${randomUUID()}`;
    const message = {
      _action: 'get-dialog-user-confirmation-provide_code-false',
      _id: sessionId,
      z: 1,
      a: 2,
    };
    await store.publish({ sessionId, gmsUser: user, tag: 'o', message, expiresAt: expiresIn(60_000) });
    const written = JSON.stringify(message);
    expect(JSON.stringify((await store.readSession(sessionId, 0))[0]?.message)).toBe(written);
    expect(JSON.stringify((await store.readUser(user, {}))[0]?.message)).toBe(written);
  });

  it('many streams of one device share reads and each still gets every event in order', async () => {
    const user = `user-${randomUUID()}`;
    const sessionId = `1-${randomUUID()}`;
    const streams = Array.from({ length: 20 }, () => store.streamUser(user));
    await Promise.all(streams.map((s) => s.ready));
    const pending = streams.map((s) => take(s, 6));
    for (let i = 1; i <= 6; i++)
      await store.publish({
        sessionId,
        gmsUser: user,
        tag: `e${i}`,
        message: i,
        expiresAt: expiresIn(60_000),
      });
    for (const got of await Promise.all(pending)) expect(got.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    await Promise.all(streams.map((s) => s.return()));
  });

  it('streams of one device that only poll share one read per tick, however staggered they started', async () => {
    const user = `user-${randomUUID()}`;
    const sessionId = `1-${randomUUID()}`;
    const polling = new EventStore(t.app.deps, { pollMs: 300, batch: 10 });
    const reads: Promise<unknown>[] = [];
    const readUser = polling.readUser.bind(polling);
    vi.spyOn(polling, 'readUser').mockImplementation((...args) => {
      const read = readUser(...args);
      reads.push(read);
      return read;
    });
    const streams: ReturnType<EventStore['streamUser']>[] = [];
    const got: Promise<SessionEvent[]>[] = [];
    // One after another, each once the previous one's first read is done (as sockets open over time).
    for (let i = 0; i < 10; i++) {
      const stream = polling.streamUser(user);
      streams.push(stream);
      await stream.ready;
      const before = reads.length;
      got.push(take(stream, 1, 10_000));
      await vi.waitFor(() => expect(reads.length).toBeGreaterThan(before));
      await reads.at(-1);
    }
    const readsBefore = reads.length;
    // Appended without a poke: only the poll can deliver it.
    await t.app.deps.db.transaction((tx) =>
      polling.append(tx, {
        sessionId,
        gmsUser: user,
        tag: 'polled',
        message: 1,
        expiresAt: expiresIn(60_000),
      }),
    );
    for (const events of await Promise.all(got)) expect(events.map((e) => e.tag)).toEqual(['polled']);
    // One tick, or two when the append committed while the first tick's read ran.
    expect(reads.length - readsBefore).toBeLessThanOrEqual(2);
    await Promise.all(streams.map((s) => s.return()));
  });

  it('hides expired events at once; retention reclaims them later', async () => {
    const sessionId = `1-${randomUUID()}`;
    await store.publish({ sessionId, gmsUser: null, tag: 'short', message: 1, expiresAt: expiresIn(1_000) });
    expect(await store.readSession(sessionId, 0)).toHaveLength(1);
    t.clock.advance(1_001);
    expect(await store.readSession(sessionId, 0)).toHaveLength(0);
    const policy = t.app.managers.retention.list().find((p) => p.name === 'session_events');
    if (!policy) throw new Error('no retention policy for session_events');
    t.clock.advance(policy.keepSeconds * 1000);
    expect(await t.app.managers.retention.enforce(policy)).toBeGreaterThanOrEqual(1);
  });

  it('refuses a malformed cursor', () => {
    expect(() => decodeCursor('not json')).toThrow(/cursor/);
  });
});

describe.skipIf(backend !== 'postgres')('event store across instances', () => {
  let database: TestDatabase;
  const apps: TestApp[] = [];
  afterAll(async () => {
    for (const a of apps) await a.close();
    await database?.drop();
  });

  it('an event appended on A streams to a reader on B', async () => {
    database = await createTestDatabase();
    const namespace = `ev${randomUUID().slice(0, 8)}`;
    const a = await createTestApp({ database, namespace });
    const b = await createTestApp({ database, namespace });
    apps.push(a, b);
    // A long poll interval: delivery within the timeout proves the Redis poke woke the reader.
    const storeA = new EventStore(a.app.deps, { pollMs: 60_000, batch: 10 });
    const storeB = new EventStore(b.app.deps, { pollMs: 60_000, batch: 10 });
    const sessionId = `1-${randomUUID()}`;
    const stream = storeB.streamSession(sessionId);
    await stream.ready;
    await storeA.publish({
      sessionId,
      gmsUser: 'u',
      tag: 'cross',
      message: 'hi',
      expiresAt: new Date(a.clock.now().getTime() + 60_000),
    });
    const [event] = await take(stream, 1, 3000);
    expect(event?.tag).toBe('cross');
    await stream.return();
  });
});
