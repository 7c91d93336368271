import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../errors.js';
import { type ScheduledCounter, SlotPlanner } from './capacity.engine.js';
import {
  buildAvailabilityV1,
  buildAvailabilityV2,
  buildLegacyCalendarResponse,
  parseAvailabilityQuery,
  parseCalendarQuery,
  parseInstantParameter,
} from './office-hours.legacy.js';

const at = (s: string) => new Date(s);
const query = (s: string) => new URLSearchParams(s);

describe('legacy calendar query', () => {
  const now = at('2025-03-28T10:00:00Z');

  it('defaults start to now and covers that one day', () => {
    expect(parseCalendarQuery(query(''), now)).toEqual({ start: now, end: null, days: null });
  });

  it('reads start with end, or start with number-of-days (end wins)', () => {
    expect(parseCalendarQuery(query('start=2025-03-29T00:00:00Z&number-of-days=3'), now)).toEqual({
      start: at('2025-03-29T00:00:00Z'),
      end: null,
      days: 3,
    });
    expect(
      parseCalendarQuery(
        query('start=2025-03-29T00:00:00.000Z&end=2025-03-30T00:00:00Z&number-of-days=9'),
        now,
      ),
    ).toEqual({
      start: at('2025-03-29T00:00:00Z'),
      end: at('2025-03-30T00:00:00Z'),
      days: null,
    });
  });

  it('reads ISO instants with or without zone, and an unencoded + offset', () => {
    expect(parseInstantParameter('start', '2025-03-29T09:00:00Z')).toEqual(at('2025-03-29T09:00:00Z'));
    expect(parseInstantParameter('start', '2025-03-29T09:00:00')).toEqual(at('2025-03-29T09:00:00Z'));
    expect(parseInstantParameter('start', '2025-03-29')).toEqual(at('2025-03-29T00:00:00Z'));
    expect(parseInstantParameter('start', '2025-03-29 09:00:00 02:00')).toEqual(at('2025-03-29T07:00:00Z'));
    expect(parseInstantParameter('start', '2025-03-29T09:00:00-0500')).toEqual(at('2025-03-29T14:00:00Z'));
  });

  it.each([
    ['start=tomorrow', 'start'],
    ['start=2025-13-01T00:00:00Z', 'start'],
    ['end=1711612800', 'end'],
    ['number-of-days=0', 'number-of-days'],
    ['number-of-days=two', 'number-of-days'],
  ])('refuses %s naming the parameter', (q, field) => {
    try {
      parseCalendarQuery(query(q), now);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).field).toBe(field);
      expect((err as ValidationError).status).toBe(400);
    }
  });
});

describe('legacy calendar response', () => {
  const options = {
    _type: 'builtin',
    _service: 'office-hours',
    _timezone: 'Europe/Paris',
    _bh_regular1: 'Mon-Fri 09:00-17:00',
    _bh_regular2: 'Fri 19:00-01:00',
  };

  it('lists each day with UTC periods, states the zone and whether it is open now', () => {
    const now = at('2025-03-28T10:00:00Z'); // Friday 11:00 CET
    const body = buildLegacyCalendarResponse(
      options,
      parseCalendarQuery(query('number-of-days=2'), now),
      now,
    );
    expect(body).toEqual({
      error: null,
      timezone: 'Europe/Paris',
      startDate: '2025-03-28',
      endDate: '2025-03-29',
      now: '2025-03-28T10:00:00.000Z',
      openNow: true,
      current: [
        {
          start: '2025-03-28T08:00:00.000Z',
          end: '2025-03-28T16:00:00.000Z',
          localStart: '2025-03-28T09:00:00.000+01:00',
          localEnd: '2025-03-28T17:00:00.000+01:00',
        },
      ],
      closesAt: '2025-03-28T16:00:00.000Z',
      opensAt: null,
      days: [
        {
          date: '2025-03-28',
          weekday: 'Fri',
          periods: [
            {
              start: '2025-03-28T08:00:00.000Z',
              end: '2025-03-28T16:00:00.000Z',
              localStart: '2025-03-28T09:00:00.000+01:00',
              localEnd: '2025-03-28T17:00:00.000+01:00',
            },
            {
              start: '2025-03-28T18:00:00.000Z',
              end: '2025-03-28T23:00:00.000Z',
              localStart: '2025-03-28T19:00:00.000+01:00',
              localEnd: '2025-03-29T00:00:00.000+01:00',
            },
          ],
        },
        {
          date: '2025-03-29',
          weekday: 'Sat',
          periods: [
            {
              start: '2025-03-28T23:00:00.000Z',
              end: '2025-03-29T00:00:00.000Z',
              localStart: '2025-03-29T00:00:00.000+01:00',
              localEnd: '2025-03-29T01:00:00.000+01:00',
            },
          ],
        },
      ],
    });
    expect(JSON.parse(JSON.stringify(body))).toEqual(body);
  });

  it('has an empty current list and the next opening when closed now', () => {
    const now = at('2025-03-29T12:00:00Z');
    const body = buildLegacyCalendarResponse(options, { start: now }, now);
    expect(body.openNow).toBe(false);
    expect(body.current).toEqual([]);
    expect(body.closesAt).toBeNull();
    expect(body.opensAt).toBe('2025-03-31T07:00:00.000Z');
    expect(body.days).toEqual([{ date: '2025-03-29', weekday: 'Sat', periods: [expect.any(Object)] }]);
  });

  it('refuses an invalid office-hours configuration with the option named', () => {
    expect(() =>
      buildLegacyCalendarResponse(
        { _bh_regular1: 'Mon-Fri nine to five' },
        { start: new Date() },
        new Date(),
      ),
    ).toThrow(/_bh_regular1/);
  });
});

describe('legacy availability', () => {
  const now = at('2025-03-24T07:00:00Z');

  it('reads v1 parameters and ignores the v2-only ones', () => {
    expect(
      parseAvailabilityQuery(
        query(
          'start=2025-03-24T00:00:00.000Z&number-of-days=2&max-time-slots=5&timezone=Europe/Paris&start-ms=0',
        ),
        1,
        now,
      ),
    ).toEqual({
      start: at('2025-03-24T00:00:00Z'),
      end: null,
      days: 2,
      maxSlots: 5,
      timezone: null,
      includeFull: false,
    });
  });

  it('reads v2 parameters, milliseconds winning over ISO', () => {
    expect(
      parseAvailabilityQuery(
        query(
          `start=2020-01-01T00:00:00Z&start-ms=${Date.parse('2025-03-24T00:00:00Z')}&end-ms=${Date.parse('2025-03-25T00:00:00Z')}&timezone=Europe/Paris&report-busy=1`,
        ),
        2,
        now,
      ),
    ).toEqual({
      start: at('2025-03-24T00:00:00Z'),
      end: at('2025-03-25T00:00:00Z'),
      days: null,
      maxSlots: null,
      timezone: 'Europe/Paris',
      includeFull: true,
    });
    expect(() => parseAvailabilityQuery(query('report-busy=maybe'), 2, now)).toThrow(/report-busy/);
    expect(() => parseAvailabilityQuery(query('start-ms=soon'), 2, now)).toThrow(/start-ms/);
  });

  it('builds the v1 map and the v2 object from the same availability', async () => {
    const planner = new SlotPlanner({
      officeHours: { _timezone: 'Europe/Paris', _bh_regular1: 'Mon-Fri 09:00-11:00' },
      capacity: { _timezone: 'Europe/Paris', _capacity_1: '{"1":{"0900":3,"1000":2}}' },
      bucketMinutes: 30,
      maxPerBucket: 100,
    });
    const scheduled: ScheduledCounter = async (slots) =>
      new Map([[(slots[0] as { start: number }).start, 3]]); // the first slot is full
    const parsed = parseAvailabilityQuery(
      query('start=2025-03-24T00:00:00.000Z&number-of-days=1&report-busy=true'),
      2,
      now,
    );
    const availability = await planner.availability({ ...parsed, now }, scheduled);

    expect(buildAvailabilityV2(availability)).toEqual({
      durationMin: 30,
      timezone: 'Europe/Paris',
      slots: [
        { utcTime: '2025-03-24T08:00:00.000Z', localTime: '2025-03-24T09:00:00.000', capacity: 0, total: 3 },
        { utcTime: '2025-03-24T08:30:00.000Z', localTime: '2025-03-24T09:30:00.000', capacity: 3, total: 3 },
        { utcTime: '2025-03-24T09:00:00.000Z', localTime: '2025-03-24T10:00:00.000', capacity: 2, total: 2 },
        { utcTime: '2025-03-24T09:30:00.000Z', localTime: '2025-03-24T10:30:00.000', capacity: 2, total: 2 },
      ],
    });

    const v1Query = parseAvailabilityQuery(
      query('start=2025-03-24T00:00:00.000Z&number-of-days=1&max-time-slots=2'),
      1,
      now,
    );
    const v1 = buildAvailabilityV1(await planner.availability({ ...v1Query, now }, scheduled));
    expect(v1).toEqual({ '2025-03-24T08:30:00.000Z': 3, '2025-03-24T09:00:00.000Z': 2 });
    expect(Object.keys(v1)).toEqual(['2025-03-24T08:30:00.000Z', '2025-03-24T09:00:00.000Z']);
  });
});
