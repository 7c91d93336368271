import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../errors.js';
import { type ScheduledCounter, type Slot, SlotPlanner, type SlotRules } from './capacity.engine.js';
import { parseCapacity, parseMaxRequestByTimeBucket, parseRequestTimeBucket } from './capacity.options.js';
import type { OptionMap } from './office-hours.options.js';

const at = (s: string) => new Date(s);
const iso = (ms: number) => new Date(ms).toISOString();

/** Counts what a real store would return: scheduled callbacks' desired times, bucketed into the asked slots. */
function countsFrom(desiredTimes: string[]): ScheduledCounter & { calls: Slot[][] } {
  const calls: Slot[][] = [];
  const counter = async (slots: readonly Slot[]) => {
    calls.push([...slots]);
    const out = new Map<number, number>();
    for (const t of desiredTimes.map(Date.parse)) {
      const slot = slots.find((s) => s.start <= t && t < s.end);
      if (slot) out.set(slot.start, (out.get(slot.start) ?? 0) + 1);
    }
    return out;
  };
  return Object.assign(counter, { calls });
}
const none = countsFrom([]);

const rules = (over: Partial<SlotRules>): SlotRules => ({
  officeHours: null,
  capacity: null,
  bucketMinutes: 60,
  maxPerBucket: 100,
  ...over,
});

function refusal(options: OptionMap): ValidationError {
  try {
    parseCapacity(options);
  } catch (err) {
    if (err instanceof ValidationError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('capacity options', () => {
  it('parses the documented configuration', () => {
    const spec = parseCapacity({
      _capacity: '[Mon, Tue, Wed, Thu, Fri, Sat, Sun]',
      _capacity_1: '{"1":{"0000":1,"0100":3}}',
      _capacity_3: '{"3":{"1000":6,"1100":6}}',
      _capacity_add: '{}',
      _service: 'capacity',
      _timezone: 'UTC',
      _type: 'builtin',
    });
    expect(spec.weekly[0]).toEqual([
      { from: 0, to: 60, capacity: 1 },
      { from: 60, to: 120, capacity: 3 },
    ]);
    expect(spec.weekly[1]).toEqual([]);
    expect(spec.weekly[2]).toEqual([
      { from: 600, to: 660, capacity: 6 },
      { from: 660, to: 720, capacity: 6 },
    ]);
    expect(spec.maxCapacity).toBe(1000);
    expect(parseCapacity({ _capacity_add: '[]' }).exceptions).toEqual([]);
  });

  it('maps day indexes through the _capacity day list and ends an entry at the next one', () => {
    const spec = parseCapacity({ _capacity: '[Sun, Mon]', _capacity_1: '{"1":{"0900":2,"0930":5}}' });
    expect(spec.weekly[6]).toEqual([
      { from: 540, to: 570, capacity: 2 },
      { from: 570, to: 630, capacity: 5 },
    ]);
  });

  it('parses one-off and yearly exceptions', () => {
    const spec = parseCapacity({ _capacity_add: '[{"2025-12-24":{"0900":2}},{"12-31":{}}]' });
    expect(spec.exceptions).toEqual([
      { year: 2025, month: 12, day: 24, entries: [{ from: 540, to: 600, capacity: 2 }] },
      { year: null, month: 12, day: 31, entries: [] },
    ]);
  });

  it.each([
    [{ _capacity_1: '{"1":{"0900":1001}}' }, '_capacity_1', 'exceeds _max_capacity (1000)'],
    [{ _max_capacity: '5', _capacity_2: '{"2":{"0900":6}}' }, '_capacity_2', 'exceeds _max_capacity (5)'],
    [{ _capacity_1: '{"8":{"0900":1}}' }, '_capacity_1', "day index '8'"],
    [{ _capacity_1: '{"1":{"2400":1}}' }, '_capacity_1', "'2400' is not a time of day"],
    [{ _capacity_1: '{"1":{"0900":-1}}' }, '_capacity_1', 'non-negative integer'],
    [{ _capacity_1: '{"1":' }, '_capacity_1', 'not valid JSON'],
    [{ _capacity_1: '{"1":{}}', _capacity_2: '{"1":{}}' }, '_capacity_2', 'already defined'],
    [{ _capacity: '[Mon, Mon]' }, '_capacity', 'listed twice'],
    [{ _capacity: 'Mon' }, '_capacity', 'list of days'],
    [{ _capacity_add: '{"2025-02-30":{}}' }, '_capacity_add', "'2025-02-30' is not a date"],
    [{ _max_capacity: 'lots' }, '_max_capacity', 'non-negative integer'],
    [{ _timezone: 'PST' }, '_timezone', 'three-letter'],
  ])('refuses %j naming the option', (options, field, reason) => {
    const err = refusal(options);
    expect(err.field).toBe(field);
    expect(err.message).toContain(reason);
  });

  it('refuses over-capacity values with GMS CapacityException', () => {
    expect(refusal({ _capacity_1: '{"1":{"0900":2000}}' }).exception).toBe(
      'com.genesyslab.gsg.services.capacity.CapacityException',
    );
  });

  it('validates the callback bucket options', () => {
    expect(parseRequestTimeBucket(undefined)).toBe(5);
    expect(parseRequestTimeBucket('120')).toBe(120);
    expect(() => parseRequestTimeBucket('7')).toThrow(/5, 10, 15, 20, 30, 60, 120/);
    expect(parseMaxRequestByTimeBucket(undefined)).toBe(100);
    expect(parseMaxRequestByTimeBucket('3')).toBe(3);
    expect(() => parseMaxRequestByTimeBucket('-1')).toThrow(ValidationError);
  });
});

describe('availability slots', () => {
  const office = { _timezone: 'UTC', _bh_regular1: 'Mon-Fri 09:00-12:00' };
  // 2025-03-24 is a Monday.
  const monday = { start: at('2025-03-24T00:00:00Z'), days: 1, now: at('2025-03-23T00:00:00Z') };

  it('offers only slots inside office hours, with the per-bucket maximum when no capacity service', async () => {
    const planner = new SlotPlanner(rules({ officeHours: office, maxPerBucket: 4 }));
    const a = await planner.availability(monday, none);
    expect(a.durationMin).toBe(60);
    expect(a.timezone).toBe('UTC');
    expect(a.slots.map((s) => [iso(s.start), s.total, s.remaining, s.localTime])).toEqual([
      ['2025-03-24T09:00:00.000Z', 4, 4, '2025-03-24T09:00:00.000'],
      ['2025-03-24T10:00:00.000Z', 4, 4, '2025-03-24T10:00:00.000'],
      ['2025-03-24T11:00:00.000Z', 4, 4, '2025-03-24T11:00:00.000'],
    ]);
  });

  it('cuts hours into buckets, each with the capacity of its grid entry, capped by the per-bucket maximum', async () => {
    const planner = new SlotPlanner(
      rules({
        officeHours: office,
        capacity: { _capacity_1: '{"1":{"0900":6,"1000":2}}' },
        bucketMinutes: 15,
        maxPerBucket: 5,
      }),
    );
    const a = await planner.availability(monday, none);
    expect(a.slots.map((s) => [iso(s.start).slice(11, 16), s.total])).toEqual([
      ['09:00', 5],
      ['09:15', 5],
      ['09:30', 5],
      ['09:45', 5],
      ['10:00', 2],
      ['10:15', 2],
      ['10:30', 2],
      ['10:45', 2],
    ]);
  });

  it('subtracts the callbacks already scheduled, hides full slots unless asked, and honours max slots', async () => {
    const planner = new SlotPlanner(rules({ officeHours: office, maxPerBucket: 2 }));
    const counts = countsFrom([
      '2025-03-24T09:10:00Z',
      '2025-03-24T09:50:00Z', // 09:00 full
      '2025-03-24T10:59:59Z', // 10:00 one left
      '2025-03-24T13:00:00Z', // outside the slots asked: ignored
    ]);
    const a = await planner.availability(monday, counts);
    expect(a.slots.map((s) => [iso(s.start).slice(11, 16), s.scheduled, s.remaining])).toEqual([
      ['10:00', 1, 1],
      ['11:00', 0, 2],
    ]);
    // The counter was asked once, for the candidate slots only.
    expect(counts.calls).toHaveLength(1);
    expect(counts.calls[0]?.map((s) => iso(s.start).slice(11, 16))).toEqual(['09:00', '10:00', '11:00']);

    const busy = await planner.availability({ ...monday, includeFull: true }, counts);
    expect(busy.slots.map((s) => s.remaining)).toEqual([0, 1, 2]);
    const first = await planner.availability({ ...monday, maxSlots: 1 }, counts);
    expect(first.slots.map((s) => iso(s.start))).toEqual(['2025-03-24T10:00:00.000Z']);
  });

  it('never offers slots that started before now, nor outside the window', async () => {
    const planner = new SlotPlanner(rules({ officeHours: office }));
    const a = await planner.availability(
      { start: at('2025-03-24T09:30:00Z'), end: at('2025-03-24T11:30:00Z'), now: at('2025-03-24T09:45:00Z') },
      none,
    );
    expect(a.slots.map((s) => iso(s.start))).toEqual([
      '2025-03-24T10:00:00.000Z',
      '2025-03-24T11:00:00.000Z',
    ]);
    const later = await planner.availability({ ...monday, now: at('2025-03-24T10:00:00Z') }, none);
    expect(later.slots.map((s) => iso(s.start))).toEqual([
      '2025-03-24T10:00:00.000Z',
      '2025-03-24T11:00:00.000Z',
    ]);
  });

  it('uses a date exception instead of the weekly grid', async () => {
    const planner = new SlotPlanner(
      rules({
        officeHours: office,
        capacity: {
          _capacity_1: '{"1":{"0900":6,"1000":6,"1100":6}}',
          _capacity_add: '{"2025-03-31":{"1100":1}}',
        },
      }),
    );
    const a = await planner.availability({ ...monday, days: 8 }, none);
    expect(a.slots.map((s) => [iso(s.start).slice(0, 16), s.total])).toEqual([
      ['2025-03-24T09:00', 6],
      ['2025-03-24T10:00', 6],
      ['2025-03-24T11:00', 6],
      ['2025-03-31T11:00', 1],
    ]);
  });

  it('aligns slots on the capacity zone and states local times in the asked zone', async () => {
    const planner = new SlotPlanner(
      rules({
        officeHours: { _timezone: 'America/New_York', _bh_regular1: 'Mon 09:00-11:00' },
        capacity: { _timezone: 'America/New_York', _capacity_1: '{"1":{"0900":3,"1000":3}}' },
      }),
    );
    const a = await planner.availability(
      // Midnight in New York; one day means that local day.
      {
        start: at('2025-03-24T04:00:00Z'),
        days: 1,
        now: at('2025-03-20T00:00:00Z'),
        timezone: 'Europe/Paris',
      },
      none,
    );
    expect(a.timezone).toBe('Europe/Paris');
    expect(a.slots.map((s) => [iso(s.start), s.localTime])).toEqual([
      ['2025-03-24T13:00:00.000Z', '2025-03-24T14:00:00.000'],
      ['2025-03-24T14:00:00.000Z', '2025-03-24T15:00:00.000'],
    ]);
    await expect(
      planner.availability(
        { start: at('2025-03-24T00:00:00Z'), now: at('2025-03-20T00:00:00Z'), timezone: 'Nowhere/X' },
        none,
      ),
    ).rejects.toThrow(/Unknown time zone/);
  });

  it('refuses bad windows', async () => {
    const planner = new SlotPlanner(rules({}));
    const now = at('2025-03-24T00:00:00Z');
    await expect(planner.availability({ start: now, end: now, now }, none)).rejects.toThrow(
      /end must be after start/,
    );
    await expect(planner.availability({ start: now, days: 63, now }, none)).rejects.toThrow(/at most 62/);
    await expect(planner.availability({ start: now, maxSlots: 0, now }, none)).rejects.toThrow(
      /max-time-slots/,
    );
  });

  describe('across daylight-saving transitions', () => {
    const allDay = (zone: string) => ({ _timezone: zone, _bh_regular1: 'Mon-Sun 00:00-24:00' });
    const localHours = async (zone: string, date: string, bucketMinutes: number) => {
      const planner = new SlotPlanner(rules({ officeHours: allDay(zone), bucketMinutes }));
      const a = await planner.availability(
        { start: at(`${date}T00:00:00Z`), end: at(`${date}T23:59:59Z`), now: at('2025-01-01T00:00:00Z') },
        none,
      );
      return { a, planner };
    };

    it('a spring-forward day has 23 hourly slots and a fall-back day 25 (Europe/Paris)', async () => {
      const planner = new SlotPlanner(rules({ officeHours: allDay('Europe/Paris') }));
      const spring = planner.slotsForDates(
        { year: 2025, month: 3, day: 30 },
        { year: 2025, month: 3, day: 30 },
      );
      expect(spring).toHaveLength(23);
      expect(spring.map((s) => planner.zone.formatLocalNoOffset(s.start).slice(11, 13))).not.toContain('02');
      const autumn = planner.slotsForDates(
        { year: 2025, month: 10, day: 26 },
        { year: 2025, month: 10, day: 26 },
      );
      expect(autumn).toHaveLength(25);
      const twoAm = autumn.filter((s) => planner.zone.formatLocalNoOffset(s.start).slice(11, 13) === '02');
      expect(twoAm.map((s) => iso(s.start))).toEqual([
        '2025-10-26T00:00:00.000Z',
        '2025-10-26T01:00:00.000Z',
      ]);
      expect(autumn.every((s) => s.end - s.start === 3_600_000)).toBe(true);
    });

    it('a two-hour bucket whose start is skipped starts at the jump (Europe/Paris)', async () => {
      const planner = new SlotPlanner(rules({ officeHours: allDay('Europe/Paris'), bucketMinutes: 120 }));
      const spring = planner.slotsForDates(
        { year: 2025, month: 3, day: 30 },
        { year: 2025, month: 3, day: 30 },
      );
      expect(spring.map((s) => planner.zone.formatLocal(s.start).slice(11, 16))).toEqual([
        '00:00',
        '03:00',
        '04:00',
        '06:00',
        '08:00',
        '10:00',
        '12:00',
        '14:00',
        '16:00',
        '18:00',
        '20:00',
        '22:00',
      ]);
    });

    it('half-hour slots skip 02:00-02:59 in spring and repeat 01:00-01:59 in autumn (America/New_York)', async () => {
      const spring = await localHours('America/New_York', '2025-03-09', 30);
      const springLocal = spring.a.slots.map((s) => s.localTime.slice(11, 16));
      expect(springLocal.filter((t) => t.startsWith('02'))).toEqual([]);
      expect(springLocal.filter((t) => t.startsWith('03')).length).toBe(2);

      const planner = new SlotPlanner(rules({ officeHours: allDay('America/New_York'), bucketMinutes: 30 }));
      const autumn = planner.slotsForDates(
        { year: 2025, month: 11, day: 2 },
        { year: 2025, month: 11, day: 2 },
      );
      expect(autumn).toHaveLength(50);
      const oneAm = autumn.filter((s) => planner.zone.formatLocal(s.start).slice(11, 13) === '01');
      expect(oneAm.map((s) => planner.zone.formatLocal(s.start))).toEqual([
        '2025-11-02T01:00:00.000-04:00',
        '2025-11-02T01:30:00.000-04:00',
        '2025-11-02T01:00:00.000-05:00',
        '2025-11-02T01:30:00.000-05:00',
      ]);
    });

    it('gives each repeated hour its own capacity and counts (America/New_York)', async () => {
      const planner = new SlotPlanner(
        rules({
          officeHours: allDay('America/New_York'),
          capacity: { _timezone: 'America/New_York', _capacity_7: '{"7":{"0100":2}}' },
        }),
      );
      const counts = countsFrom(['2025-11-02T05:10:00Z', '2025-11-02T05:20:00Z', '2025-11-02T06:15:00Z']);
      const a = await planner.availability(
        { start: at('2025-11-02T04:00:00Z'), days: 1, now: at('2025-11-01T00:00:00Z'), includeFull: true },
        counts,
      );
      expect(a.slots.map((s) => [iso(s.start), s.localTime, s.total, s.remaining])).toEqual([
        ['2025-11-02T05:00:00.000Z', '2025-11-02T01:00:00.000', 2, 0],
        ['2025-11-02T06:00:00.000Z', '2025-11-02T01:00:00.000', 2, 1],
      ]);
    });
  });

  describe('slot check for a desired time', () => {
    it('finds the slot of T, whether it is offered, and what is left', async () => {
      const planner = new SlotPlanner(
        rules({
          officeHours: { _timezone: 'Europe/Paris', _bh_regular1: 'Mon-Fri 09:00-17:00' },
          capacity: { _timezone: 'Europe/Paris', _capacity_1: '{"1":{"0900":3}}' },
          bucketMinutes: 30,
        }),
      );
      const counts = countsFrom(['2025-03-24T08:05:00Z', '2025-03-24T08:29:00Z']);
      const check = await planner.check(at('2025-03-24T08:17:00Z'), counts);
      expect(check).toEqual({
        slot: { start: Date.parse('2025-03-24T08:00:00Z'), end: Date.parse('2025-03-24T08:30:00Z') },
        open: true,
        total: 3,
        scheduled: 2,
        remaining: 1,
      });
      const closed = await planner.check(at('2025-03-24T07:30:00Z'), counts);
      expect(closed).toMatchObject({ open: false, total: 0 });
      // 10:00 has no grid entry: open, but no capacity.
      expect(await planner.check(at('2025-03-24T09:00:00Z'), counts)).toMatchObject({
        open: true,
        total: 0,
        remaining: 0,
      });
    });
  });
});
