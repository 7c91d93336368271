import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../errors.js';
import {
  isOfficeOpen,
  OfficeHoursSchedule,
  officeHoursCalendar,
  officeHoursStatus,
  validateOfficeHours,
} from './office-hours.engine.js';
import type { OptionMap } from './office-hours.options.js';

const HOUR = 3_600_000;
const at = (s: string) => new Date(s);

/** The UTC periods of one local day. */
function periodsOn(options: OptionMap, date: string): Array<[string, string]> {
  const cal = officeHoursCalendar(options, { start: at(`${date}T12:00:00Z`) });
  const day = cal.days.find((d) => d.date === date);
  if (!day) throw new Error(`no day ${date} in ${JSON.stringify(cal.days.map((d) => d.date))}`);
  return day.periods.map((p) => [p.start, p.end]);
}

function durationHours(options: OptionMap, date: string): number {
  return periodsOn(options, date).reduce((sum, [s, e]) => sum + (Date.parse(e) - Date.parse(s)) / HOUR, 0);
}

function validationErrorOf(options: OptionMap): ValidationError {
  try {
    validateOfficeHours(options);
  } catch (err) {
    if (err instanceof ValidationError) return err;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(options)} to be refused`);
}

describe('office-hours option grammar', () => {
  it('parses every family, with week-wrapping day ranges and midnight-wrapping hours', () => {
    const spec = validateOfficeHours({
      _type: 'builtin',
      _service: 'office-hours',
      _ttl: '30',
      _timezone: 'europe/paris',
      _bh_regular1: 'Mon-Fri 09:00-17:00',
      _bh_regular2: 'Sat-Mon 19:00-7:00',
      _bh_regular3: 'sun 10:00-12:00',
      _bh_add1: '2025-11-30 10:00-14:00',
      _bh_add2: '07-14 12:00-14:30',
      _holiday1: '2025-07-15',
      _holiday2: '12-25',
      _holiday3: '12-24 13:00-24:00',
      _effective_dates1: '2025-01-01 to 2025-12-31',
      _bh_add3: '',
    });
    expect(spec.timezone).toBe('Europe/Paris');
    expect(spec.regular.map((r) => [r.option, r.weekdays, r.range])).toEqual([
      ['_bh_regular1', [1, 2, 3, 4, 5], { from: 540, to: 1020 }],
      ['_bh_regular2', [6, 7, 1], { from: 1140, to: 420 + 1440 }],
      ['_bh_regular3', [7], { from: 600, to: 720 }],
    ]);
    expect(spec.additional).toEqual([
      { option: '_bh_add1', year: 2025, month: 11, day: 30, range: { from: 600, to: 840 } },
      { option: '_bh_add2', year: null, month: 7, day: 14, range: { from: 720, to: 870 } },
    ]);
    expect(spec.holidays).toEqual([
      { option: '_holiday1', year: 2025, month: 7, day: 15, range: null },
      { option: '_holiday2', year: null, month: 12, day: 25, range: null },
      { option: '_holiday3', year: null, month: 12, day: 24, range: { from: 780, to: 1440 } },
    ]);
    expect(spec.effective).toEqual([
      {
        option: '_effective_dates1',
        from: { year: 2025, month: 1, day: 1 },
        to: { year: 2025, month: 12, day: 31 },
      },
    ]);
  });

  it('defaults the zone to UTC and ignores options of other families', () => {
    expect(validateOfficeHours({ _bh_regular1: 'Mon 00:00-24:00', _ors: 'x' }).timezone).toBe('UTC');
  });

  it.each([
    [{ _bh_regular1: 'Mon-Fry 09:00-17:00' }, '_bh_regular1', "unknown day 'Fry'"],
    [{ _bh_regular1: 'Mon-Fri 9-17' }, '_bh_regular1', 'not a weekly period'],
    [{ _bh_regular2: 'Mon-Fri 09:00-25:00' }, '_bh_regular2', 'end time 25:00 does not exist'],
    [{ _bh_regular1: 'Mon 24:00-02:00' }, '_bh_regular1', 'start time 24:00 does not exist'],
    [{ _bh_regular1: 'Mon 09:60-10:00' }, '_bh_regular1', 'start time 09:60 does not exist'],
    [{ _bh_regular1: 'Mon 09:00-09:00' }, '_bh_regular1', 'start and end are equal'],
    [{ _bh_add1: '2025-02-29 10:00-12:00' }, '_bh_add1', 'date 2025-02-29 does not exist'],
    [{ _bh_add1: '2025-12-01' }, '_bh_add1', 'not a dated period'],
    [{ _holiday1: '13-01' }, '_holiday1', 'date 13-01 does not exist'],
    [{ _holiday4: 'Christmas' }, '_holiday4', 'not a date or dated period'],
    [{ _effective_dates1: '2025-12-31 to 2025-01-01' }, '_effective_dates1', 'ends before it starts'],
    [{ _timezone: 'Mars/Olympus_Mons' }, '_timezone', 'unknown time zone'],
    [{ _timezone: 'EST' }, '_timezone', 'three-letter zone ids'],
    [{ _timezone: '' }, '_timezone', 'unknown time zone'],
  ])('refuses %j naming the option and the value', (options, field, reason) => {
    const err = validationErrorOf(options);
    expect(err.code).toBe('office_hours/invalid_option');
    expect(err.field).toBe(field);
    expect(err.message).toContain(`'${Object.values(options)[0]}'`);
    expect(err.message).toContain(field);
    expect(err.message).toContain(reason);
  });

  it('refuses misspelt option names of its own families', () => {
    const err = validationErrorOf({ _bh_regualr1: 'Mon-Fri 09:00-17:00' });
    expect(err.code).toBe('office_hours/unknown_option');
    expect(err.field).toBe('_bh_regualr1');
  });

  it('accepts 02-29 as a yearly date', () => {
    const options = { _holiday1: '02-29', _bh_regular1: 'Mon-Sun 09:00-10:00' };
    expect(periodsOn(options, '2028-02-29')).toEqual([]);
    expect(periodsOn(options, '2027-02-28')).toHaveLength(1);
  });
});

describe('office-hours calendar', () => {
  const weekdays = { _timezone: 'Europe/Paris', _bh_regular1: 'Mon-Fri 09:00-17:00' };

  it('lists the open periods of each local day as UTC instants with the local zone stated', () => {
    const cal = officeHoursCalendar(weekdays, { start: at('2025-03-21T10:00:00Z'), days: 3 });
    expect(cal.timezone).toBe('Europe/Paris');
    expect(cal.days).toEqual([
      {
        date: '2025-03-21',
        weekday: 'Fri',
        periods: [
          {
            start: '2025-03-21T08:00:00.000Z',
            end: '2025-03-21T16:00:00.000Z',
            localStart: '2025-03-21T09:00:00.000+01:00',
            localEnd: '2025-03-21T17:00:00.000+01:00',
          },
        ],
      },
      { date: '2025-03-22', weekday: 'Sat', periods: [] },
      { date: '2025-03-23', weekday: 'Sun', periods: [] },
    ]);
  });

  it('covers the local dates from start to end inclusive, and one day when only start is given', () => {
    const days = (range: Parameters<typeof officeHoursCalendar>[1]) =>
      officeHoursCalendar(weekdays, range).days.map((d) => d.date);
    expect(days({ start: at('2025-03-21T23:30:00Z'), end: at('2025-03-23T00:00:00Z') })).toEqual([
      '2025-03-22',
      '2025-03-23',
    ]);
    expect(days({ start: at('2025-03-21T10:00:00Z') })).toEqual(['2025-03-21']);
  });

  it('refuses reversed and over-long ranges', () => {
    const schedule = OfficeHoursSchedule.fromOptions(weekdays);
    expect(() =>
      schedule.calendar({ start: at('2025-03-21T10:00:00Z'), end: at('2025-03-20T10:00:00Z') }),
    ).toThrow(/end is before start/);
    expect(() => schedule.calendar({ start: at('2025-01-01T10:00:00Z'), days: 367 })).toThrow(
      /at most 366 days/,
    );
    expect(() => schedule.calendar({ start: at('2025-01-01T10:00:00Z'), days: 0 })).toThrow(
      /positive integer/,
    );
  });

  it('wraps day ranges over the end of the week', () => {
    const options = { _bh_regular1: 'Sat-Mon 10:00-12:00' };
    const open = officeHoursCalendar(options, { start: at('2025-03-20T00:00:00Z'), days: 7 }).days.map(
      (d) => [d.weekday, d.periods.length],
    );
    expect(open).toEqual([
      ['Thu', 0],
      ['Fri', 0],
      ['Sat', 1],
      ['Sun', 1],
      ['Mon', 1],
      ['Tue', 0],
      ['Wed', 0],
    ]);
  });

  it('splits a midnight-wrapping period at local midnight, the part after belonging to the next day', () => {
    const options = { _timezone: 'America/New_York', _bh_regular1: 'Fri 19:00-07:00' };
    expect(periodsOn(options, '2025-01-10')).toEqual([
      ['2025-01-11T00:00:00.000Z', '2025-01-11T05:00:00.000Z'],
    ]);
    expect(periodsOn(options, '2025-01-11')).toEqual([
      ['2025-01-11T05:00:00.000Z', '2025-01-11T12:00:00.000Z'],
    ]);
    expect(isOfficeOpen(options, at('2025-01-11T11:59:59Z'))).toBe(true);
    expect(isOfficeOpen(options, at('2025-01-11T12:00:00Z'))).toBe(false);
  });

  it('applies yearly and one-off additions and holidays, most specific last', () => {
    const options = {
      _timezone: 'UTC',
      _bh_regular1: 'Mon-Fri 09:00-17:00',
      _bh_add1: '12-24 09:00-12:00', // yearly: Christmas Eve mornings, even on weekends
      _holiday1: '12-25', // yearly holiday
      _bh_add2: '2025-12-25 10:00-14:00', // one-off: open this Christmas anyway
      _holiday2: '2027-12-24', // one-off: closed that Christmas Eve despite the yearly addition
      _holiday3: '2025-12-26 12:00-13:00', // lunch closure
    };
    expect(periodsOn(options, '2026-12-24')).toEqual([
      ['2026-12-24T09:00:00.000Z', '2026-12-24T17:00:00.000Z'],
    ]);
    expect(periodsOn(options, '2028-12-24')).toEqual([
      ['2028-12-24T09:00:00.000Z', '2028-12-24T12:00:00.000Z'],
    ]); // Sunday
    expect(periodsOn(options, '2027-12-24')).toEqual([]);
    expect(periodsOn(options, '2026-12-25')).toEqual([]);
    expect(periodsOn(options, '2025-12-25')).toEqual([
      ['2025-12-25T10:00:00.000Z', '2025-12-25T14:00:00.000Z'],
    ]);
    expect(periodsOn(options, '2025-12-26')).toEqual([
      ['2025-12-26T09:00:00.000Z', '2025-12-26T12:00:00.000Z'],
      ['2025-12-26T13:00:00.000Z', '2025-12-26T17:00:00.000Z'],
    ]);
  });

  it('closes a whole-day holiday including the end of the previous night shift', () => {
    const options = { _bh_regular1: 'Fri 19:00-07:00', _holiday1: '2025-01-11' };
    expect(periodsOn(options, '2025-01-10')).toEqual([
      ['2025-01-10T19:00:00.000Z', '2025-01-11T00:00:00.000Z'],
    ]);
    expect(periodsOn(options, '2025-01-11')).toEqual([]);
  });

  it('is closed outside the effective dates when any are set', () => {
    const options = {
      _bh_regular1: 'Mon-Sun 09:00-17:00',
      _effective_dates1: '2025-04-01 to 2025-04-30',
      _effective_dates2: '2025-06-15',
      _bh_add1: '2025-05-10 09:00-10:00',
    };
    expect(periodsOn(options, '2025-03-31')).toEqual([]);
    expect(periodsOn(options, '2025-04-01')).toHaveLength(1);
    expect(periodsOn(options, '2025-04-30')).toHaveLength(1);
    expect(periodsOn(options, '2025-05-10')).toEqual([]);
    expect(periodsOn(options, '2025-06-15')).toHaveLength(1);
    expect(periodsOn(options, '2025-06-16')).toEqual([]);
  });

  it('merges overlapping periods', () => {
    const options = {
      _bh_regular1: 'Mon 09:00-12:00',
      _bh_regular2: 'Mon 11:00-14:00',
      _bh_add1: '2025-03-24 14:00-15:00',
    };
    expect(periodsOn(options, '2025-03-24')).toEqual([
      ['2025-03-24T09:00:00.000Z', '2025-03-24T15:00:00.000Z'],
    ]);
  });
});

describe('office hours across daylight-saving transitions', () => {
  // Europe/Paris: 2025-03-30 02:00 CET → 03:00 CEST; 2025-10-26 03:00 CEST → 02:00 CET.
  // America/New_York: 2025-03-09 02:00 EST → 03:00 EDT; 2025-11-02 02:00 EDT → 01:00 EST.
  const paris = (bh: string) => ({ _timezone: 'Europe/Paris', _bh_regular1: bh });
  const newYork = (bh: string) => ({ _timezone: 'America/New_York', _bh_regular1: bh });

  it('a whole day lasts 23 hours on spring-forward day and 25 on fall-back day', () => {
    expect(periodsOn(paris('Mon-Sun 00:00-24:00'), '2025-03-30')).toEqual([
      ['2025-03-29T23:00:00.000Z', '2025-03-30T22:00:00.000Z'],
    ]);
    expect(durationHours(paris('Mon-Sun 00:00-24:00'), '2025-10-26')).toBe(25);
    expect(periodsOn(newYork('Mon-Sun 00:00-24:00'), '2025-03-09')).toEqual([
      ['2025-03-09T05:00:00.000Z', '2025-03-10T04:00:00.000Z'],
    ]);
    expect(periodsOn(newYork('Mon-Sun 00:00-24:00'), '2025-11-02')).toEqual([
      ['2025-11-02T04:00:00.000Z', '2025-11-03T05:00:00.000Z'],
    ]);
  });

  it('01:00-03:00 lasts one hour when the clock jumps forward', () => {
    expect(periodsOn(paris('Sun 01:00-03:00'), '2025-03-30')).toEqual([
      ['2025-03-30T00:00:00.000Z', '2025-03-30T01:00:00.000Z'],
    ]);
    expect(periodsOn(newYork('Sun 01:00-03:00'), '2025-03-09')).toEqual([
      ['2025-03-09T06:00:00.000Z', '2025-03-09T07:00:00.000Z'],
    ]);
  });

  it('01:00-03:00 lasts three hours when the clock falls back, from the first 01:00 to the last 03:00', () => {
    expect(periodsOn(paris('Sun 01:00-03:00'), '2025-10-26')).toEqual([
      ['2025-10-25T23:00:00.000Z', '2025-10-26T02:00:00.000Z'],
    ]);
    // In New York 01:00 happens twice: the period opens at the first (EDT) one.
    expect(periodsOn(newYork('Sun 01:00-03:00'), '2025-11-02')).toEqual([
      ['2025-11-02T05:00:00.000Z', '2025-11-02T08:00:00.000Z'],
    ]);
  });

  it('a period entirely inside the skipped hour is empty; one ending inside it ends at the jump', () => {
    expect(periodsOn(paris('Sun 02:00-02:30'), '2025-03-30')).toEqual([]);
    expect(periodsOn(newYork('Sat 22:00-02:30'), '2025-03-08')).toEqual([
      ['2025-03-09T03:00:00.000Z', '2025-03-09T05:00:00.000Z'],
    ]);
    expect(periodsOn(newYork('Sat 22:00-02:30'), '2025-03-09')).toEqual([
      ['2025-03-09T05:00:00.000Z', '2025-03-09T07:00:00.000Z'],
    ]);
  });

  it('a midnight-wrapping shift loses an hour in spring and gains one in autumn', () => {
    // Sat 19:00 → Sun 07:00 local.
    expect(
      durationHours(paris('Sat 19:00-07:00'), '2025-03-29') +
        durationHours(paris('Sat 19:00-07:00'), '2025-03-30'),
    ).toBe(11);
    expect(periodsOn(paris('Sat 19:00-07:00'), '2025-03-30')).toEqual([
      ['2025-03-29T23:00:00.000Z', '2025-03-30T05:00:00.000Z'],
    ]);
    expect(periodsOn(paris('Sat 19:00-07:00'), '2025-10-25')).toEqual([
      ['2025-10-25T17:00:00.000Z', '2025-10-25T22:00:00.000Z'],
    ]);
    expect(periodsOn(paris('Sat 19:00-07:00'), '2025-10-26')).toEqual([
      ['2025-10-25T22:00:00.000Z', '2025-10-26T06:00:00.000Z'],
    ]);
    expect(
      durationHours(newYork('Sat 19:00-07:00'), '2025-11-01') +
        durationHours(newYork('Sat 19:00-07:00'), '2025-11-02'),
    ).toBe(13);
    expect(
      durationHours(newYork('Sat 19:00-07:00'), '2025-03-08') +
        durationHours(newYork('Sat 19:00-07:00'), '2025-03-09'),
    ).toBe(11);
  });

  it('keeps the same local hours on both sides of a transition', () => {
    const cal = officeHoursCalendar(paris('Mon-Sun 09:00-17:00'), {
      start: at('2025-03-29T12:00:00Z'),
      days: 3,
    });
    expect(cal.days.map((d) => d.periods[0]?.localStart)).toEqual([
      '2025-03-29T09:00:00.000+01:00',
      '2025-03-30T09:00:00.000+02:00',
      '2025-03-31T09:00:00.000+02:00',
    ]);
    expect(cal.days.map((d) => d.periods[0]?.start)).toEqual([
      '2025-03-29T08:00:00.000Z',
      '2025-03-30T07:00:00.000Z',
      '2025-03-31T07:00:00.000Z',
    ]);
  });

  it('answers "open at T" right around the transitions', () => {
    const o = paris('Sun 01:00-03:00');
    expect(isOfficeOpen(o, at('2025-03-29T23:59:59Z'))).toBe(false);
    expect(isOfficeOpen(o, at('2025-03-30T00:00:00Z'))).toBe(true);
    expect(isOfficeOpen(o, at('2025-03-30T00:59:59.999Z'))).toBe(true);
    expect(isOfficeOpen(o, at('2025-03-30T01:00:00Z'))).toBe(false);
    // Autumn: open through both 02:xx hours.
    expect(isOfficeOpen(o, at('2025-10-26T00:30:00Z'))).toBe(true); // 02:30 CEST
    expect(isOfficeOpen(o, at('2025-10-26T01:30:00Z'))).toBe(true); // 02:30 CET
    expect(isOfficeOpen(o, at('2025-10-26T02:00:00Z'))).toBe(false); // 03:00 CET
    const ny = newYork('Sun 01:00-03:00');
    expect(isOfficeOpen(ny, at('2025-11-02T04:59:59Z'))).toBe(false); // 00:59 EDT
    expect(isOfficeOpen(ny, at('2025-11-02T05:00:00Z'))).toBe(true); // 01:00 EDT
    expect(isOfficeOpen(ny, at('2025-11-02T06:30:00Z'))).toBe(true); // 01:30 EST
    expect(isOfficeOpen(ny, at('2025-11-02T07:59:59Z'))).toBe(true); // 02:59 EST
    expect(isOfficeOpen(ny, at('2025-11-02T08:00:00Z'))).toBe(false); // 03:00 EST
  });
});

describe('office-hours status', () => {
  const options = { _timezone: 'Europe/Paris', _bh_regular1: 'Mon-Fri 09:00-17:00' };

  it('tells when an open office closes and when a closed one opens', () => {
    expect(officeHoursStatus(options, at('2025-03-28T10:00:00Z'))).toMatchObject({
      open: true,
      closesAt: at('2025-03-28T16:00:00Z'),
      opensAt: at('2025-03-28T10:00:00Z'),
      timezone: 'Europe/Paris',
    });
    // Friday evening → Monday 09:00 CEST, after the spring-forward weekend.
    expect(officeHoursStatus(options, at('2025-03-28T18:00:00Z'))).toMatchObject({
      open: false,
      closesAt: null,
      opensAt: at('2025-03-31T07:00:00Z'),
    });
    const schedule = OfficeHoursSchedule.fromOptions(options);
    expect(schedule.nextOpenTime(at('2025-03-28T18:00:00Z'))).toEqual(at('2025-03-31T07:00:00Z'));
  });

  it('follows an open stretch across days and answers null when there is no end or no opening', () => {
    expect(
      officeHoursStatus({ _bh_regular1: 'Mon-Sun 00:00-24:00' }, at('2025-03-28T10:00:00Z')).closesAt,
    ).toBeNull();
    expect(
      officeHoursStatus(
        { _bh_regular1: 'Mon-Sun 00:00-24:00', _holiday1: '2025-06-01' },
        at('2025-03-28T10:00:00Z'),
      ).closesAt,
    ).toEqual(at('2025-06-01T00:00:00Z'));
    expect(officeHoursStatus({}, at('2025-03-28T10:00:00Z'))).toMatchObject({ open: false, opensAt: null });
    expect(
      officeHoursStatus(
        { _bh_regular1: 'Mon-Sun 09:00-17:00', _effective_dates1: '2025-01-01 to 2025-01-31' },
        at('2025-03-28T10:00:00Z'),
      ).opensAt,
    ).toBeNull();
  });
});
