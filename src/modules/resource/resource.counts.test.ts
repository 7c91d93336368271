import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { queryRows, sql } from '../../db/client.js';
import { groupCountsOf } from './resource.history.js';
import type { ResourceManager } from './resource.manager.js';

/**
 * The booked/free counts the activity rows carry come from `resource_group_counts`, kept by triggers
 * on `resources`. Whatever path changes the pool (allocation, release, match, expiry sweep, locking
 * switch, adding and removing numbers, deleting a group), they equal a count of the pool itself.
 */
describe('resource group counts (triggers)', () => {
  let t: TestApp;
  let rm: ResourceManager;

  beforeAll(async () => {
    t = await createTestApp();
    rm = t.app.managers.resources;
  });
  afterAll(async () => {
    await t?.close();
  });

  async function expectCountsMatch(): Promise<void> {
    const actual = await queryRows<{ group_id: number; total: number; booked: number }>(
      t.app.deps.db,
      sql`select group_id, count(*)::int as total, count(booked_until)::int as booked
          from resources group by group_id order by group_id`,
    );
    const kept = await groupCountsOf(
      t.app.deps.db,
      actual.map((r) => Number(r.group_id)),
    );
    for (const r of actual)
      expect(kept.get(Number(r.group_id)), `group ${r.group_id}`).toEqual({
        total: Number(r.total),
        booked: Number(r.booked),
      });
  }

  const numbers = (prefix: string, n: number) =>
    Array.from({ length: n }, (_, i) => ({ name: `K${i}`, accessNumber: `1-${prefix}-${i}` }));

  it('follow every change of the pool', async () => {
    await rm.createGroup({
      name: 'CountL',
      locking: true,
      bookingExpirationTimeout: 10,
      resources: numbers('811', 4),
    });
    await rm.createGroup({
      name: 'CountS',
      locking: false,
      bookingExpirationTimeout: 10,
      resources: numbers('812', 3),
    });
    await expectCountsMatch();

    const a = await rm.allocate({ group: 'CountL', sessionId: 's1' });
    await rm.allocate({ group: 'CountL', sessionId: 's2', provideCode: true });
    const c = await rm.allocate({ group: 'CountS', sessionId: 's3', provideCode: true });
    await rm.allocate({ group: 'CountS', sessionId: 's4', phoneNumber: '6505550100' });
    await expectCountsMatch();
    expect(
      (await groupCountsOf(t.app.deps.db, [(await rm.getGroup('CountL')).id])).values().next().value,
    ).toMatchObject({ booked: 2, total: 4 });

    await rm.release({ bookingId: a.bookingId, sessionId: 's1' });
    await rm.match({ accessNumber: c.accessNumber, accessCode: c.accessCode });
    await expectCountsMatch();

    await rm.addResource('CountL', { name: 'Extra', accessNumber: '1-811-99' });
    await rm.removeResource('CountS', 'K2', { force: true });
    await rm.updateGroup('CountS', { locking: true });
    await rm.updateGroup('CountL', { locking: false });
    await expectCountsMatch();

    // Expiry: the numbers stay counted as held until the sweep clears them.
    t.clock.advance(11_000);
    await rm.sweepExpired();
    await expectCountsMatch();
    const after = await groupCountsOf(t.app.deps.db, [(await rm.getGroup('CountL')).id]);
    expect([...after.values()][0]?.booked).toBe(0);

    await rm.allocate({ group: 'CountS', sessionId: 's5' });
    await rm.deleteGroup('CountS', { force: true });
    await expectCountsMatch();
  });

  it('a claim counts itself: a free number, one whose booking ran out unswept, a burst at once', async () => {
    await rm.createGroup({
      name: 'CountOne',
      locking: true,
      bookingExpirationTimeout: 10,
      resources: numbers('813', 1),
    });
    await rm.createGroup({ name: 'CountBurst', locking: true, resources: numbers('814', 20) });
    await rm.allocate({ group: 'CountOne', sessionId: 'o1' });
    await expectCountsMatch();
    // The booking ran out and no sweep ran: the number is free for the next claim, and still counted
    // as held, so that claim adds nothing.
    t.clock.advance(11_000);
    await rm.allocate({ group: 'CountOne', sessionId: 'o2' });
    await expectCountsMatch();
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => rm.allocate({ group: 'CountBurst', sessionId: `b${i}` })),
    );
    await expectCountsMatch();
    expect(
      (await groupCountsOf(t.app.deps.db, [(await rm.getGroup('CountBurst')).id])).values().next().value,
    ).toMatchObject({ booked: 12, total: 20 });
    await expectCountsMatch();
    const rows = await queryRows<{ n: number }>(
      t.app.deps.db,
      sql`select count(*)::int as n from resource_group_counts c
          where not exists (select 1 from resource_groups g where g.id = c.group_id)`,
    );
    expect(Number(rows[0]?.n)).toBe(0);
  });
});
