import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../../../test/gql/index.js';
import {
  backend,
  createTestApp,
  createTestDatabase,
  type TestApp,
  type TestDatabase,
} from '../../../test/harness.js';
import { ManualClock } from '../../clock.js';
import { RouteTable } from '../../http/route-table.js';
import type { CallbackCapacity, CallbackSlotReservation } from './office-hours.manager.js';
import { registerOfficeHoursRoutes } from './office-hours.rest.js';

const Availability = graphql(`
  query CallbackAvailability($service: String!, $start: DateTime, $days: Int, $includeFull: Boolean, $maxSlots: Int) {
    callbackAvailability(service: $service, start: $start, days: $days, includeFull: $includeFull, maxSlots: $maxSlots) {
      __typename
      ... on QueryCallbackAvailabilitySuccess {
        data { service capacityService durationMin timezone slots { start end localTime total reserved remaining } }
      }
      ... on Error { code message }
    }
  }
`);

const SlotQuery = graphql(`
  query CallbackSlotCheck($service: String!, $at: DateTime!) {
    callbackSlot(service: $service, at: $at) {
      __typename
      ... on QueryCallbackSlotSuccess { data { start end open total reserved remaining capacityService } }
      ... on Error { code message }
    }
  }
`);

const Reservations = graphql(`
  query CapacityReservations($capacityService: String!, $start: DateTime, $end: DateTime) {
    capacityReservations(capacityService: $capacityService, start: $start, end: $end) {
      __typename
      ... on QueryCapacityReservationsSuccess {
        data { capacityService start end slots { slotStart reserved } reservations { ref slotStart } }
      }
      ... on ValidationError { code field }
      ... on Error { code message }
    }
  }
`);

const MON_0700 = new Date('2026-03-30T07:00:00.000Z'); // Monday 09:00 in Paris (CEST)
const MON_0800 = new Date('2026-03-30T08:00:00.000Z');

async function configure(t: TestApp, suffix = ''): Promise<void> {
  const services = t.app.managers.services;
  await services.create({
    name: `oh-paris${suffix}`,
    template: 'office-hours',
    options: [
      { name: '_timezone', value: 'Europe/Paris' },
      { name: '_bh_regular1', value: 'Mon-Fri 09:00-11:00' },
    ],
  });
  await services.create({
    name: `cap-paris${suffix}`,
    template: null,
    options: [
      { name: '_type', value: 'builtin' },
      { name: '_service', value: 'capacity' },
      { name: '_timezone', value: 'Europe/Paris' },
      { name: '_capacity_1', value: '{"1":{"0900":2,"1000":3}}' },
    ],
  });
  const callback = (name: string, extra: { name: string; value: string }[]) =>
    services.create({
      name,
      template: 'callback',
      options: [
        { name: '_target', value: 'Billing@StatServer.GA' },
        { name: '_urs_virtual_queue', value: 'VQ_Callback' },
        { name: '_request_time_bucket', value: '30' },
        ...extra,
      ],
    });
  await callback(`cb${suffix}`, [
    { name: '_business_hours_service', value: `oh-paris${suffix}` },
    { name: '_capacity_service', value: `cap-paris${suffix}` },
  ]);
  // No capacity service: `_max_request_by_time_bucket` alone limits a slot, counted in its own pool.
  await callback(`cb-plain${suffix}`, [
    { name: '_business_hours_service', value: `oh-paris${suffix}` },
    { name: '_max_request_by_time_bucket', value: '4' },
  ]);
  await callback(`cb-wide${suffix}`, [{ name: '_max_request_by_time_bucket', value: '100' }]);
  await callback(`cb-broken${suffix}`, [{ name: '_business_hours_service', value: `nowhere${suffix}` }]);
}

describe('capacity reservations and callback availability', () => {
  let t: TestApp;
  let cap: CallbackCapacity;
  const oh = () => t.app.managers.officeHours;
  const reserve = (at: Date, ref: string, c: CallbackCapacity = cap): Promise<CallbackSlotReservation> =>
    t.app.deps.db.transaction((tx) => oh().reserveCallbackSlot(tx, c, { at, ref }));
  const json = async (path: string) => {
    const res = await t.fetch(path);
    return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
  };

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.set('2026-03-27T09:00:00.000Z'); // Friday 10:00 in Paris
    await configure(t);
    cap = await oh().callbackCapacity('cb');
  });
  afterAll(() => t?.close());

  it('resolves a callback service into slot rules and its capacity pool', async () => {
    expect(cap).toMatchObject({
      service: 'cb',
      capacityService: 'cap-paris',
      businessHoursService: 'oh-paris',
      rules: { bucketMinutes: 30, maxPerBucket: 100 },
    });
    expect(cap.rules.officeHours).toMatchObject({ _bh_regular1: 'Mon-Fri 09:00-11:00' });
    expect(cap.rules.capacity).toMatchObject({ _capacity_1: '{"1":{"0900":2,"1000":3}}' });
    const plain = await oh().callbackCapacity('cb-plain');
    expect(plain).toMatchObject({ capacityService: 'cb-plain', rules: { capacity: null, maxPerBucket: 4 } });
    await expect(oh().callbackCapacity('missing')).rejects.toMatchObject({
      code: 'office_hours/callback_service_not_found',
      status: 404,
    });
    await expect(oh().callbackCapacity('oh-paris')).rejects.toMatchObject({ status: 404 });
    await expect(oh().callbackCapacity('cb-broken')).rejects.toMatchObject({
      code: 'office_hours/linked_service_not_found',
      message: expect.stringContaining('_business_hours_service'),
    });
  });

  it('answers legacy availability v1 and v2 inside office hours, counting reservations', async () => {
    const v1 = await json('/genesys/1/service/callback/cb/availability?number-of-days=4');
    expect(v1.status).toBe(200);
    expect(v1.type).toContain('application/json');
    expect(v1.body).toEqual({
      '2026-03-30T07:00:00.000Z': 2,
      '2026-03-30T07:30:00.000Z': 2,
      '2026-03-30T08:00:00.000Z': 3,
      '2026-03-30T08:30:00.000Z': 3,
    });

    expect(await reserve(MON_0700, 'cb-1')).toMatchObject({ reserved: true, count: 1, total: 2 });
    expect(await reserve(new Date('2026-03-30T07:10:00.000Z'), 'cb-2')).toMatchObject({
      reserved: true,
      count: 2,
      slot: { start: MON_0700 },
    });

    const after = await json('/genesys/1/service/callback/cb/availability?number-of-days=4&max-time-slots=2');
    expect(after.body).toEqual({ '2026-03-30T07:30:00.000Z': 2, '2026-03-30T08:00:00.000Z': 3 });

    const v2 = await json(
      `/genesys/2/service/callback/cb/availability?start-ms=${Date.parse('2026-03-30T00:00:00Z')}&number-of-days=1&report-busy=true&max-time-slots=2&timezone=America/New_York`,
    );
    expect(v2.body).toEqual({
      durationMin: 30,
      timezone: 'America/New_York',
      slots: [
        { utcTime: '2026-03-30T07:00:00.000Z', localTime: '2026-03-30T03:00:00.000', capacity: 0, total: 2 },
        { utcTime: '2026-03-30T07:30:00.000Z', localTime: '2026-03-30T03:30:00.000', capacity: 2, total: 2 },
      ],
    });
    const busyHidden = await json(
      '/genesys/2/service/callback/cb/availability?start=2026-03-30T00:00:00Z&end=2026-03-30T08:00:00Z',
    );
    expect(busyHidden.body.slots.map((s: { utcTime: string }) => s.utcTime)).toEqual([
      '2026-03-30T07:30:00.000Z',
    ]);
  });

  it('answers errors as GMS JSON: unknown service 404, bad parameter 400 naming it', async () => {
    for (const path of [
      '/genesys/1/service/callback/missing/availability',
      '/genesys/2/service/callback/oh-paris/availability',
    ]) {
      const r = await json(path);
      expect(r.status).toBe(404);
      expect(r.type).toContain('application/json');
      expect(r.body).toMatchObject({ code: 404, message: expect.stringContaining('is not configured') });
    }
    const bad = [
      ['/genesys/1/service/callback/cb/availability?number-of-days=soon', 'number-of-days'],
      ['/genesys/1/service/callback/cb/availability?start=yesterday', 'start'],
      ['/genesys/1/service/callback/cb/availability?max-time-slots=0', 'max-time-slots'],
      ['/genesys/2/service/callback/cb/availability?report-busy=maybe', 'report-busy'],
      ['/genesys/2/service/callback/cb/availability?timezone=Mars/Olympus', 'Mars/Olympus'],
      ['/genesys/1/service/callback/cb/availability?number-of-days=100', 'number-of-days'],
    ] as const;
    for (const [path, named] of bad) {
      const r = await json(path);
      expect(r.status, path).toBe(400);
      expect(r.body).toMatchObject({ code: 400, phrase: 'Bad Request' });
      expect(r.body.message).toContain(named);
    }
  });

  it('lets the static availability segment outrank /service/callback/:name/:id', () => {
    const router = new RouteTable();
    router.add('GET', '/genesys/1/service/callback/:name/:id', async () => new Response('record'));
    registerOfficeHoursRoutes(router);
    router.add('GET', '/genesys/1/service/:id/*request', async () => new Response('session'));
    const found = router.match('GET', '/genesys/1/service/callback/cb/availability');
    if (!found || found === 'method') throw new Error('no match');
    expect(found.route.pattern).toBe('/genesys/1/service/callback/:name/availability');
    expect(found.params).toEqual({ name: 'cb' });
    const record = router.match('GET', '/genesys/1/service/callback/cb/1234');
    if (!record || record === 'method') throw new Error('no match');
    expect(record.route.pattern).toBe('/genesys/1/service/callback/:name/:id');
  });

  it('refuses a full slot and a closed one, leaving nothing behind', async () => {
    const full = await reserve(new Date('2026-03-30T07:20:00.000Z'), 'cb-3');
    expect(full).toMatchObject({ reserved: false, reason: 'full', count: 2, total: 2 });
    const closed = await reserve(new Date('2026-03-28T09:00:00.000Z'), 'cb-3'); // Saturday
    expect(closed).toMatchObject({ reserved: false, reason: 'closed' });
    const report = await oh().reservations('cap-paris', MON_0700, new Date('2026-03-31T00:00:00Z'));
    expect(report.map((r) => r.ref)).toEqual(['cb-1', 'cb-2']);
  });

  it('is idempotent per ref and moves a ref to another slot (reschedule)', async () => {
    const again = await reserve(new Date('2026-03-30T07:25:00.000Z'), 'cb-1');
    expect(again).toMatchObject({ reserved: true, alreadyHeld: true, count: 2, movedFrom: null });

    const moved = await reserve(MON_0800, 'cb-1');
    expect(moved).toMatchObject({
      reserved: true,
      alreadyHeld: false,
      count: 1,
      movedFrom: { capacityService: 'cap-paris', slotStart: MON_0700 },
    });
    expect((await oh().slotCapacity(cap, MON_0700)).remaining).toBe(1);
    expect(await oh().remainingCapacity(cap, MON_0800)).toBe(2);

    // A move to a full slot changes nothing.
    await reserve(MON_0700, 'cb-4');
    expect(await reserve(MON_0700, 'cb-1')).toMatchObject({ reserved: false, reason: 'full' });
    expect(
      (await oh().slotCounts('cap-paris', MON_0700, new Date('2026-03-31T00:00:00Z'))).map((c) => [
        c.slotStart.toISOString(),
        c.reserved,
      ]),
    ).toEqual([
      ['2026-03-30T07:00:00.000Z', 2],
      ['2026-03-30T08:00:00.000Z', 1],
    ]);
  });

  it('releases once per ref, and a rolled-back transaction reserves nothing', async () => {
    const db = t.app.deps.db;
    const released = await db.transaction((tx) => oh().releaseCapacity(tx, { ref: 'cb-4' }));
    expect(released).toMatchObject({ ref: 'cb-4', capacityService: 'cap-paris', slotStart: MON_0700 });
    expect(await db.transaction((tx) => oh().releaseCapacity(tx, { ref: 'cb-4' }))).toBeNull();
    // A guard on the slot: cb-2 is not in the 08:00 slot, so nothing is released.
    expect(
      await db.transaction((tx) => oh().releaseCapacity(tx, { ref: 'cb-2', slotStart: MON_0800 })),
    ).toBeNull();
    expect((await oh().slotCapacity(cap, MON_0700)).scheduled).toBe(1);

    await expect(
      db.transaction(async (tx) => {
        const r = await oh().reserveCallbackSlot(tx, cap, { at: MON_0700, ref: 'cb-rollback' });
        expect(r.reserved).toBe(true);
        throw new Error('the callback could not be stored');
      }),
    ).rejects.toThrow('the callback could not be stored');
    expect((await oh().slotCapacity(cap, MON_0700)).scheduled).toBe(1);
    expect(await oh().reservations('cap-paris', MON_0700, MON_0800)).toHaveLength(1);
  });

  it('limits a callback service without a capacity service by _max_request_by_time_bucket, in its own pool', async () => {
    const plain = await oh().callbackCapacity('cb-plain');
    for (let i = 0; i < 4; i++) expect((await reserve(MON_0700, `plain-${i}`, plain)).reserved).toBe(true);
    expect(await reserve(MON_0700, 'plain-5', plain)).toMatchObject({
      reserved: false,
      reason: 'full',
      total: 4,
    });
    // The other pool is untouched.
    expect((await oh().slotCapacity(cap, MON_0700)).scheduled).toBe(1);
  });

  it('tells the next open time and the next slot with a place left', async () => {
    // Friday 10:00 Paris, open: now. Friday 11:30 Paris: Monday 09:00.
    expect(oh().callbackNextOpenTime(cap)?.toISOString()).toBe('2026-03-27T09:00:00.000Z');
    expect(oh().callbackNextOpenTime(cap, new Date('2026-03-27T10:30:00Z'))?.toISOString()).toBe(
      '2026-03-30T07:00:00.000Z',
    );
    // Friday has no capacity grid: the first slot with room is Monday 09:00 (1 of 2 left).
    const next = await oh().nextAvailableSlot(cap);
    expect(next).toMatchObject({ start: MON_0700.getTime(), remaining: 1, total: 2 });
  });

  it('answers the GraphQL equivalents; reservation counts for admins only', async () => {
    const r = await t.gql(Availability, {
      service: 'cb',
      start: '2026-03-30T00:00:00.000Z',
      days: 1,
      includeFull: true,
      maxSlots: 3,
    });
    if (r.callbackAvailability.__typename !== 'QueryCallbackAvailabilitySuccess')
      throw new Error(JSON.stringify(r));
    expect(r.callbackAvailability.data).toEqual({
      service: 'cb',
      capacityService: 'cap-paris',
      durationMin: 30,
      timezone: 'Europe/Paris',
      slots: [
        {
          start: '2026-03-30T07:00:00.000Z',
          end: '2026-03-30T07:30:00.000Z',
          localTime: '2026-03-30T09:00:00.000',
          total: 2,
          reserved: 1,
          remaining: 1,
        },
        {
          start: '2026-03-30T07:30:00.000Z',
          end: '2026-03-30T08:00:00.000Z',
          localTime: '2026-03-30T09:30:00.000',
          total: 2,
          reserved: 0,
          remaining: 2,
        },
        {
          start: '2026-03-30T08:00:00.000Z',
          end: '2026-03-30T08:30:00.000Z',
          localTime: '2026-03-30T10:00:00.000',
          total: 3,
          reserved: 1,
          remaining: 2,
        },
      ],
    });
    expect((await t.gql(Availability, { service: 'missing' })).callbackAvailability).toMatchObject({
      __typename: 'NotFoundError',
      code: 'office_hours/callback_service_not_found',
    });

    const slot = await t.gql(SlotQuery, { service: 'cb', at: '2026-03-30T08:10:00.000Z' });
    expect(slot.callbackSlot).toMatchObject({
      data: { start: '2026-03-30T08:00:00.000Z', open: true, total: 3, reserved: 1, remaining: 2 },
    });
    const closed = await t.gql(SlotQuery, { service: 'cb', at: '2026-03-28T08:10:00.000Z' });
    expect(closed.callbackSlot).toMatchObject({ data: { open: false, remaining: 0 } });

    await expect(t.gql(Reservations, { capacityService: 'cap-paris' })).rejects.toThrow();
    const report = await t.admin(Reservations, {
      capacityService: 'cap-paris',
      start: '2026-03-30T00:00:00.000Z',
      end: '2026-03-31T00:00:00.000Z',
    });
    expect(report.capacityReservations).toMatchObject({
      data: {
        capacityService: 'cap-paris',
        slots: [
          { slotStart: '2026-03-30T07:00:00.000Z', reserved: 1 },
          { slotStart: '2026-03-30T08:00:00.000Z', reserved: 1 },
        ],
        reservations: [
          { ref: 'cb-2', slotStart: '2026-03-30T07:00:00.000Z' },
          { ref: 'cb-1', slotStart: '2026-03-30T08:00:00.000Z' },
        ],
      },
    });
    const badRange = await t.admin(Reservations, {
      capacityService: 'cap-paris',
      start: '2026-03-30T00:00:00.000Z',
      end: '2026-03-29T00:00:00.000Z',
    });
    expect(badRange.capacityReservations).toMatchObject({ __typename: 'ValidationError', field: 'end' });
  });

  it('forgets slots a week after they started', async () => {
    const clock = t.clock;
    const saved = clock.now();
    clock.set('2026-04-06T07:00:00.000Z');
    expect(await oh().sweepPastReservations()).toBe(0);
    clock.set('2026-04-06T09:00:00.001Z');
    expect(await oh().sweepPastReservations()).toBeGreaterThan(0);
    expect(await oh().slotCounts('cap-paris', MON_0700, new Date('2026-03-31T00:00:00Z'))).toEqual([]);
    clock.set(saved.toISOString());
  });
});

/**
 * Concurrency: many reservations fired at once at one slot, from two app instances on one Postgres
 * (on PGlite, one instance): exactly `limit` succeed, the count row says so and one reservation row
 * exists per success. The same ref fired concurrently is counted once.
 */
describe('capacity reservations under concurrency', () => {
  const onPostgres = backend === 'postgres';
  const clock = new ManualClock();
  let database: TestDatabase | null = null;
  let apps: TestApp[] = [];

  beforeAll(async () => {
    clock.set('2026-03-27T09:00:00.000Z');
    const env = { DATABASE_POOL_SIZE: '20' };
    if (onPostgres) {
      database = await createTestDatabase();
      const namespace = `cap-${randomUUID().slice(0, 8)}`;
      apps = [
        await createTestApp({ database, namespace, clock, env }),
        await createTestApp({ database, namespace, clock, env }),
      ];
    } else apps = [await createTestApp({ clock, env })];
    await configure(apps[0] as TestApp);
  });
  afterAll(async () => {
    for (const a of apps) await a.close();
    await database?.drop();
  });

  async function herd(
    service: string,
    at: Date,
    perInstance: number,
    ref: (i: number, instance: number) => string,
  ) {
    const caps = await Promise.all(apps.map((a) => a.app.managers.officeHours.callbackCapacity(service)));
    const calls = apps.flatMap((a, instance) =>
      Array.from({ length: perInstance }, (_, i) =>
        a.app.deps.db.transaction((tx) =>
          a.app.managers.officeHours.reserveCallbackSlot(tx, caps[instance] as CallbackCapacity, {
            at,
            ref: ref(i, instance),
          }),
        ),
      ),
    );
    return Promise.all(calls);
  }

  it('grants exactly the slot capacity to a herd of concurrent reservations, round after round', async () => {
    const oh = (apps[0] as TestApp).app.managers.officeHours;
    // cb-plain: 4 per 30-minute slot; 4 rounds on the four Monday slots.
    for (let round = 0; round < 4; round++) {
      const at = new Date(MON_0700.getTime() + round * 30 * 60_000);
      const results = await herd('cb-plain', at, 30, (i, instance) => `r${round}-${instance}-${i}`);
      const granted = results.filter((r) => r.reserved);
      expect(granted).toHaveLength(4);
      expect(results.filter((r) => !r.reserved && r.reason === 'full')).toHaveLength(results.length - 4);
      expect(granted.map((g) => (g.reserved ? g.count : 0)).sort()).toEqual([1, 2, 3, 4]);
      const counts = await oh.slotCounts('cb-plain', at, new Date(at.getTime() + 1));
      expect(counts.map((c) => c.reserved)).toEqual([4]);
      expect(await oh.reservations('cb-plain', at, new Date(at.getTime() + 1))).toHaveLength(4);
    }
  });

  it('counts one ref once when it is reserved concurrently', async () => {
    const oh = (apps[0] as TestApp).app.managers.officeHours;
    const at = MON_0800;
    const results = await herd('cb', at, 10, () => 'same-callback');
    expect(results.every((r) => r.reserved)).toBe(true);
    expect(results.filter((r) => r.reserved && !r.alreadyHeld)).toHaveLength(1);
    expect((await oh.slotCounts('cap-paris', at, new Date(at.getTime() + 1))).map((c) => c.reserved)).toEqual(
      [1],
    );
  });

  it('moves refs crossing between two slots at once without deadlock or drift', async () => {
    const oh = (apps[0] as TestApp).app.managers.officeHours;
    const a = new Date('2026-04-01T07:00:00.000Z');
    const b = new Date('2026-04-01T07:30:00.000Z');
    await herd('cb-wide', a, 10, (i, n) => `x-${n}-${i}`);
    await herd('cb-wide', b, 10, (i, n) => `y-${n}-${i}`);
    const perSlot = 10 * apps.length;
    const caps = await Promise.all(
      apps.map((app) => app.app.managers.officeHours.callbackCapacity('cb-wide')),
    );
    const moves = apps.flatMap((app, n) =>
      Array.from(
        { length: 10 },
        (_, i) =>
          [
            [app, n, `x-${n}-${i}`, b],
            [app, n, `y-${n}-${i}`, a],
          ] as const,
      ).flat(),
    );
    const results = await Promise.all(
      moves.map(([app, n, ref, to]) =>
        app.app.deps.db.transaction((tx) =>
          app.app.managers.officeHours.reserveCallbackSlot(tx, caps[n] as CallbackCapacity, { at: to, ref }),
        ),
      ),
    );
    expect(results.every((r) => r.reserved && r.movedFrom !== null)).toBe(true);
    const end = new Date(b.getTime() + 1);
    expect((await oh.slotCounts('cb-wide', a, end)).map((c) => c.reserved)).toEqual([perSlot, perSlot]);
    const rows = await oh.reservations('cb-wide', a, end);
    expect(
      rows.filter((r) => r.slotStart.getTime() === a.getTime()).every((r) => r.ref.startsWith('y-')),
    ).toBe(true);
    expect(
      rows.filter((r) => r.slotStart.getTime() === b.getTime()).every((r) => r.ref.startsWith('x-')),
    ).toBe(true);
  });

  it('never overbooks while releases and reservations race', async () => {
    const oh = (apps[0] as TestApp).app.managers.officeHours;
    const at = new Date('2026-03-31T07:00:00.000Z'); // Tuesday 09:00: no grid for Tuesday in cap-paris
    const cap = await oh.callbackCapacity('cb-plain');
    const first = await herd('cb-plain', at, 4, (i, instance) => `first-${instance}-${i}`);
    expect(first.filter((r) => r.reserved)).toHaveLength(4);
    const holders = first.flatMap((r, i) => (r.reserved ? [i] : []));
    // Release two holders while a herd tries to take their places.
    const refs = (await oh.reservations('cb-plain', at, new Date(at.getTime() + 1))).map((r) => r.ref);
    expect(refs).toHaveLength(holders.length);
    const releases = refs.slice(0, 2).map((ref, k) => {
      const a = apps[k % apps.length] as TestApp;
      return a.app.deps.db.transaction((tx) => a.app.managers.officeHours.releaseCapacity(tx, { ref }));
    });
    const [, second] = await Promise.all([
      Promise.all(releases),
      herd('cb-plain', at, 20, (i, n) => `second-${n}-${i}`),
    ]);
    const taken = second.filter((r) => r.reserved).length;
    expect(taken).toBeLessThanOrEqual(2);
    const count = (await oh.slotCounts('cb-plain', at, new Date(at.getTime() + 1)))[0]?.reserved ?? 0;
    const rows = await oh.reservations('cb-plain', at, new Date(at.getTime() + 1));
    expect(count).toBe(2 + taken);
    expect(rows).toHaveLength(count);
    expect(count).toBeLessThanOrEqual(4);
    expect(await oh.remainingCapacity(cap, at)).toBe(4 - count);
  });
});
