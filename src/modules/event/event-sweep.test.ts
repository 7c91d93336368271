import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { EventStore } from './event.manager.js';
import { EventSweep } from './event-sweep.js';

/** The poll behind pokes: a stream's slot in it, asleep or awake, for the stream's whole life. */
describe('event sweep', () => {
  let t: TestApp;
  let store: EventStore;
  let sweep: EventSweep;
  beforeAll(async () => {
    t = await createTestApp();
    store = new EventStore(t.app.deps, { pollMs: 60_000, batch: 10 });
    // A long interval: these tests run the sweeps themselves.
    sweep = new EventSweep(
      t.app.deps.db,
      60_000,
      () => t.clock.now(),
      (err) => {
        throw err;
      },
    );
  });
  afterAll(async () => {
    sweep.close();
    await t.close();
  });

  const publish = (sessionId: string) =>
    store.publish({
      sessionId,
      gmsUser: null,
      tag: 'e',
      message: 1,
      expiresAt: new Date(t.clock.now().getTime() + 60_000),
    });

  it('wakes a sleeping stream that is behind the store, once; not an awake one, nor one that is up to date', async () => {
    const behind = `1-${randomUUID()}`;
    const upToDate = `1-${randomUUID()}`;
    await publish(behind);
    await publish(upToDate);
    const woken: string[] = [];
    const a = sweep.slot(() => ({ kind: 'session', sessionId: behind, afterSeq: 0 }));
    const b = sweep.slot(() => ({ kind: 'session', sessionId: upToDate, afterSeq: 1 }));
    const awake = sweep.slot(() => ({ kind: 'session', sessionId: behind, afterSeq: 0 }));
    a.sleep(() => woken.push('a'));
    b.sleep(() => woken.push('b'));
    const cancel = awake.sleep(() => woken.push('awake'));
    cancel();
    await sweep.sweep();
    expect(woken).toEqual(['a']);
    // Woken means awake: the next sweep leaves it until it sleeps again.
    await sweep.sweep();
    expect(woken).toEqual(['a']);
    a.sleep(() => woken.push('a again'));
    await sweep.sweep();
    expect(woken).toEqual(['a', 'a again']);
    for (const slot of [a, b, awake]) slot.close();
  });

  it('does not wake a stream that woke and went back to sleep while the sweep asked about its earlier sleep', async () => {
    const sessionId = `1-${randomUUID()}`;
    await publish(sessionId);
    const woken: string[] = [];
    const slot = sweep.slot(() => ({ kind: 'session', sessionId, afterSeq: 0 }));
    const cancel = slot.sleep(() => woken.push('first sleep'));
    // The sweep takes its positions before its first await; then a poke wakes the stream and it
    // sleeps again (at what would be a newer position) while the sweep's question runs.
    const running = sweep.sweep();
    cancel();
    slot.sleep(() => woken.push('second sleep'));
    await running;
    expect(woken).toEqual([]);
    await sweep.sweep();
    expect(woken).toEqual(['second sleep']);
    slot.close();
  });

  it('forgets a closed stream', async () => {
    const sessionId = `1-${randomUUID()}`;
    await publish(sessionId);
    const woken: string[] = [];
    const slot = sweep.slot(() => ({ kind: 'session', sessionId, afterSeq: 0 }));
    slot.sleep(() => woken.push('closed'));
    slot.close();
    await sweep.sweep();
    expect(woken).toEqual([]);
  });

  it("a store's streams leave the sweep when they end", async () => {
    const polling = new EventStore(t.app.deps, { pollMs: 60_000, batch: 10 });
    const sessionId = `1-${randomUUID()}`;
    const user = `user-${randomUUID()}`;
    const streams = [polling.streamSession(sessionId), polling.streamUser(user)];
    const pulls = streams.map((s) => s.next());
    await Promise.all(streams.map((s) => s.ready));
    // Each has read everything and sleeps in the sweep.
    const sleepers = (polling as unknown as { sweep: { sleepers: Set<unknown> } }).sweep.sleepers;
    await expect.poll(() => sleepers.size).toBe(2);
    await Promise.all(streams.map((s) => s.return()));
    await Promise.all(pulls);
    expect(sleepers.size).toBe(0);
  });
});
