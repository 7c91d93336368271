import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../../../test/gql/index.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { ValidationError } from '../../errors.js';
import { errorResponse } from '../../http/http-errors.js';
import { handleLegacy } from '../../http/legacy-request.js';
import { RouteTable } from '../../http/route-table.js';
import { provisioningSections } from '../../provisioning/sections.js';
import type { Slot } from './capacity.engine.js';
import { officeHoursSection } from './office-hours.provisioning.js';
import { legacyAvailabilityResponse, legacyCalendarResponse } from './office-hours.rest.js';

const CreateSchedule = graphql(`
  mutation OfficeHoursCreate($input: OfficeHoursScheduleInput!) {
    createOfficeHoursSchedule(input: $input) {
      __typename
      ... on MutationCreateOfficeHoursScheduleSuccess {
        data {
          name
          description
          timezone
          version
          options { name value }
          holidays { name value }
          preview { timezone days { date weekday periods { start end localStart localEnd } } }
          status { open closesAt opensAt }
        }
      }
      ... on ValidationError { code message field }
      ... on Error { code message }
    }
  }
`);

const UpdateSchedule = graphql(`
  mutation OfficeHoursUpdate($input: OfficeHoursScheduleChangeInput!) {
    updateOfficeHoursSchedule(input: $input) {
      __typename
      ... on MutationUpdateOfficeHoursScheduleSuccess { data { version description options { name value } } }
      ... on ValidationError { code message field }
      ... on Error { code message }
    }
  }
`);

const DeleteSchedule = graphql(`
  mutation OfficeHoursDelete($name: String!) {
    deleteOfficeHoursSchedule(name: $name) {
      __typename
      ... on MutationDeleteOfficeHoursScheduleSuccess { data }
      ... on Error { code message }
    }
  }
`);

const AddHoliday = graphql(`
  mutation OfficeHoursAddHoliday($schedule: String!, $holiday: String!) {
    addOfficeHoursHoliday(schedule: $schedule, holiday: $holiday) {
      __typename
      ... on MutationAddOfficeHoursHolidaySuccess { data { version holidays { name value } } }
      ... on ValidationError { code message field }
      ... on Error { code message }
    }
  }
`);

const RemoveHoliday = graphql(`
  mutation OfficeHoursRemoveHoliday($schedule: String!, $option: String!) {
    removeOfficeHoursHoliday(schedule: $schedule, option: $option) {
      __typename
      ... on MutationRemoveOfficeHoursHolidaySuccess { data { holidays { name value } } }
      ... on Error { code message }
    }
  }
`);

const ListSchedules = graphql(`
  query OfficeHoursList {
    officeHoursSchedules { name version }
    officeHoursSchedule(name: "missing") { name }
  }
`);

const Hours = graphql(`
  query OfficeHoursRange($schedule: String!, $start: DateTime, $end: DateTime, $days: Int) {
    officeHours(schedule: $schedule, start: $start, end: $end, days: $days) {
      __typename
      ... on QueryOfficeHoursSuccess { data { timezone days { date periods { start end } } } }
      ... on ValidationError { code field }
      ... on Error { code message }
    }
  }
`);

const OpenAt = graphql(`
  query OfficeHoursOpenAt($schedule: String!, $at: DateTime) {
    officeHoursOpenAt(schedule: $schedule, at: $at) {
      __typename
      ... on QueryOfficeHoursOpenAtSuccess { data { open at timezone closesAt opensAt } }
      ... on Error { code message }
    }
  }
`);

const Preview = graphql(`
  query OfficeHoursPreview($options: [OfficeHoursOptionInput!]!, $start: DateTime, $days: Int) {
    officeHoursPreview(options: $options, start: $start, days: $days) {
      __typename
      ... on QueryOfficeHoursPreviewSuccess { data { days { date periods { start end } } } }
      ... on ValidationError { code message field }
    }
  }
`);

const opts = (map: Record<string, string>) => Object.entries(map).map(([name, value]) => ({ name, value }));

const PARIS = {
  _timezone: 'Europe/Paris',
  _bh_regular1: 'Mon-Fri 09:00-17:00',
  _bh_regular10: 'Sat 10:00-12:00',
  _bh_regular2: 'Sat-Mon 19:00-07:00',
  _holiday1: '01-01',
  _bh_add1: '',
};

describe('office-hours schedules (GraphQL, stored)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    t.clock.set('2026-03-27T10:00:00.000Z'); // Friday 11:00 in Paris; DST starts Sunday 29th
  });
  afterAll(() => t.close());

  it('creates a schedule, storing GMS options in order, with a 14-day preview and the status now', async () => {
    const r = await t.admin(CreateSchedule, {
      input: { name: 'paris', description: 'Paris office', options: opts(PARIS) },
    });
    if (r.createOfficeHoursSchedule.__typename !== 'MutationCreateOfficeHoursScheduleSuccess')
      throw new Error(JSON.stringify(r));
    const s = r.createOfficeHoursSchedule.data;
    expect(s).toMatchObject({
      name: 'paris',
      description: 'Paris office',
      timezone: 'Europe/Paris',
      version: 1,
    });
    expect(s.options.map((o) => o.name)).toEqual([
      '_bh_regular1',
      '_bh_regular2',
      '_bh_regular10',
      '_holiday1',
      '_timezone',
    ]);
    expect(s.holidays).toEqual([{ name: '_holiday1', value: '01-01' }]);
    expect(s.preview.days).toHaveLength(14);
    expect(s.preview.days[0]).toEqual({
      date: '2026-03-27',
      weekday: 'Fri',
      periods: [
        {
          start: '2026-03-27T08:00:00.000Z',
          end: '2026-03-27T16:00:00.000Z',
          localStart: '2026-03-27T09:00:00.000+01:00',
          localEnd: '2026-03-27T17:00:00.000+01:00',
        },
      ],
    });
    // Sunday 29th: the Sat 19:00 shift ends at 07:00 CEST, then Sunday's own shift starts at 19:00 CEST.
    expect(s.preview.days[2]).toMatchObject({
      date: '2026-03-29',
      periods: [
        { start: '2026-03-28T23:00:00.000Z', end: '2026-03-29T05:00:00.000Z' },
        { start: '2026-03-29T17:00:00.000Z', end: '2026-03-29T22:00:00.000Z' },
      ],
    });
    expect(s.status).toEqual({
      open: true,
      closesAt: '2026-03-27T16:00:00.000Z',
      opensAt: '2026-03-27T10:00:00.000Z',
    });
  });

  it('refuses an invalid expression naming the option and the value, storing nothing', async () => {
    const r = await t.admin(CreateSchedule, {
      input: {
        name: 'bad',
        options: opts({ _timezone: 'Europe/Paris', _bh_regular3: 'Mon-Fri 09:00-17:61' }),
      },
    });
    expect(r.createOfficeHoursSchedule).toMatchObject({
      __typename: 'ValidationError',
      code: 'office_hours/invalid_option',
      field: '_bh_regular3',
    });
    expect(
      r.createOfficeHoursSchedule.__typename === 'ValidationError' && r.createOfficeHoursSchedule.message,
    ).toContain("'Mon-Fri 09:00-17:61'");
    const bad = await t.admin(CreateSchedule, { input: { name: 'bad', options: opts({ timezone: 'UTC' }) } });
    expect(bad.createOfficeHoursSchedule).toMatchObject({ __typename: 'ValidationError', field: 'timezone' });
    const badName = await t.admin(CreateSchedule, { input: { name: 'no spaces', options: [] } });
    expect(badName.createOfficeHoursSchedule).toMatchObject({ __typename: 'ValidationError', field: 'name' });
    const list = await t.admin(ListSchedules);
    expect(list.officeHoursSchedules.map((s) => s.name)).toEqual(['paris']);
    expect(list.officeHoursSchedule).toBeNull();
  });

  it('refuses a duplicate name', async () => {
    const r = await t.admin(CreateSchedule, { input: { name: 'paris', options: [] } });
    expect(r.createOfficeHoursSchedule).toMatchObject({
      __typename: 'DomainError',
      code: 'office_hours/already_exists',
    });
  });

  it('keeps management for admins', async () => {
    // Refused with a GraphQL error and no data (its message is checked by the auth tests).
    await expect(t.gql(CreateSchedule, { input: { name: 'x', options: [] } })).rejects.toThrow();
    await expect(t.gql(ListSchedules)).rejects.toThrow();
    expect(await t.app.managers.officeHours.find('x')).toBeNull();
  });

  it('answers office hours for a range and "open at T" to anyone', async () => {
    const r = await t.gql(Hours, { schedule: 'paris', start: '2026-10-24T12:00:00.000Z', days: 2 });
    if (r.officeHours.__typename !== 'QueryOfficeHoursSuccess') throw new Error(JSON.stringify(r));
    // Fall-back night: Sat 19:00 CEST → Sun 07:00 CET is 13 hours.
    expect(r.officeHours.data.days).toEqual([
      {
        date: '2026-10-24',
        periods: [
          { start: '2026-10-24T08:00:00.000Z', end: '2026-10-24T10:00:00.000Z' },
          { start: '2026-10-24T17:00:00.000Z', end: '2026-10-24T22:00:00.000Z' },
        ],
      },
      {
        date: '2026-10-25',
        periods: [
          { start: '2026-10-24T22:00:00.000Z', end: '2026-10-25T06:00:00.000Z' },
          { start: '2026-10-25T18:00:00.000Z', end: '2026-10-25T23:00:00.000Z' },
        ],
      },
    ]);
    const open = await t.gql(OpenAt, { schedule: 'paris', at: '2026-10-25T05:30:00.000Z' });
    expect(open.officeHoursOpenAt).toEqual({
      __typename: 'QueryOfficeHoursOpenAtSuccess',
      // Open through the weekend night into Monday morning: Sun 19:00 → Mon 07:00, then Mon 09:00.
      data: {
        open: true,
        at: '2026-10-25T05:30:00.000Z',
        timezone: 'Europe/Paris',
        closesAt: '2026-10-25T06:00:00.000Z',
        opensAt: '2026-10-25T05:30:00.000Z',
      },
    });
    const closed = await t.gql(OpenAt, { schedule: 'paris', at: '2026-01-01T10:00:00.000Z' }); // holiday (Thu)
    expect(closed.officeHoursOpenAt).toMatchObject({
      data: { open: false, closesAt: null, opensAt: '2026-01-02T08:00:00.000Z' },
    });
    const now = await t.gql(OpenAt, { schedule: 'paris' });
    expect(now.officeHoursOpenAt).toMatchObject({ data: { open: true, at: '2026-03-27T10:00:00.000Z' } });
  });

  it('reports unknown schedules and bad ranges as typed errors', async () => {
    expect((await t.gql(Hours, { schedule: 'nowhere' })).officeHours).toMatchObject({
      __typename: 'NotFoundError',
      code: 'office_hours/not_found',
    });
    expect((await t.gql(Hours, { schedule: 'paris', days: 400 })).officeHours).toMatchObject({
      __typename: 'ValidationError',
      code: 'office_hours/range_too_long',
      field: 'days',
    });
    expect(
      (await t.gql(Hours, { schedule: 'paris', start: '2026-03-02T00:00:00Z', end: '2026-03-01T00:00:00Z' }))
        .officeHours,
    ).toMatchObject({ __typename: 'ValidationError', field: 'end' });
  });

  it('previews unsaved options, refusing invalid ones', async () => {
    const ok = await t.admin(Preview, {
      options: opts({ _timezone: 'America/New_York', _bh_regular1: 'Sun 01:00-03:00' }),
      start: '2026-11-01T12:00:00.000Z',
      days: 1,
    });
    expect(ok.officeHoursPreview).toEqual({
      __typename: 'QueryOfficeHoursPreviewSuccess',
      data: {
        days: [
          {
            date: '2026-11-01',
            periods: [{ start: '2026-11-01T05:00:00.000Z', end: '2026-11-01T08:00:00.000Z' }],
          },
        ],
      },
    });
    const bad = await t.admin(Preview, { options: opts({ _holiday2: '2026-02-30' }) });
    expect(bad.officeHoursPreview).toMatchObject({ __typename: 'ValidationError', field: '_holiday2' });
  });

  it('adds and removes holidays as _holiday<n> options', async () => {
    const add = await t.admin(AddHoliday, { schedule: 'paris', holiday: '2026-04-06' });
    expect(add.addOfficeHoursHoliday).toMatchObject({
      data: {
        version: 2,
        holidays: [
          { name: '_holiday1', value: '01-01' },
          { name: '_holiday2', value: '2026-04-06' },
        ],
      },
    });
    // The same holiday again changes nothing.
    const again = await t.admin(AddHoliday, { schedule: 'paris', holiday: '2026-04-06' });
    expect(again.addOfficeHoursHoliday).toMatchObject({ data: { version: 2 } });
    const closedMonday = await t.gql(OpenAt, { schedule: 'paris', at: '2026-04-06T08:00:00.000Z' });
    expect(closedMonday.officeHoursOpenAt).toMatchObject({ data: { open: false } });

    const bad = await t.admin(AddHoliday, { schedule: 'paris', holiday: 'Easter Monday' });
    expect(bad.addOfficeHoursHoliday).toMatchObject({ __typename: 'ValidationError', field: 'holiday' });
    expect(
      bad.addOfficeHoursHoliday.__typename === 'ValidationError' && bad.addOfficeHoursHoliday.message,
    ).toContain('Easter Monday');
    const missing = await t.admin(AddHoliday, { schedule: 'nowhere', holiday: '12-25' });
    expect(missing.addOfficeHoursHoliday).toMatchObject({ __typename: 'NotFoundError' });

    const removed = await t.admin(RemoveHoliday, { schedule: 'paris', option: '_holiday1' });
    expect(removed.removeOfficeHoursHoliday).toMatchObject({ data: { holidays: [{ name: '_holiday2' }] } });
    const gone = await t.admin(RemoveHoliday, { schedule: 'paris', option: '_holiday1' });
    expect(gone.removeOfficeHoursHoliday).toMatchObject({
      __typename: 'NotFoundError',
      code: 'office_hours/holiday_not_found',
    });
  });

  it('gives concurrent holiday additions distinct option names', async () => {
    await t.app.managers.officeHours.create({
      name: 'busy',
      options: { _bh_regular1: 'Mon-Fri 09:00-17:00' },
    });
    const dates = ['2026-05-01', '2026-05-08', '2026-05-14', '2026-05-25', '2026-07-14', '2026-08-15'];
    await Promise.all(dates.map((d) => t.app.managers.officeHours.addHoliday('busy', d)));
    const s = await t.app.managers.officeHours.get('busy');
    expect(s.holidays.map((h) => h.value).sort()).toEqual(dates);
    expect(new Set(s.holidays.map((h) => h.name)).size).toBe(dates.length);
    expect(s.version).toBe(1 + dates.length);
  });

  it('updates options with validation and deletes', async () => {
    const r = await t.admin(UpdateSchedule, {
      input: {
        name: 'paris',
        options: opts({ _timezone: 'Europe/Paris', _bh_regular1: 'Mon-Sun 00:00-24:00' }),
      },
    });
    expect(r.updateOfficeHoursSchedule).toMatchObject({
      data: { description: 'Paris office', options: [{ name: '_bh_regular1' }, { name: '_timezone' }] },
    });
    const bad = await t.admin(UpdateSchedule, {
      input: { name: 'paris', options: opts({ _timezone: 'CET+1' }) },
    });
    expect(bad.updateOfficeHoursSchedule).toMatchObject({
      __typename: 'ValidationError',
      field: '_timezone',
    });
    expect((await t.app.managers.officeHours.get('paris')).options).toHaveLength(2);
    const described = await t.admin(UpdateSchedule, { input: { name: 'paris', description: 'HQ' } });
    expect(described.updateOfficeHoursSchedule).toMatchObject({ data: { description: 'HQ' } });
    expect(
      (await t.admin(UpdateSchedule, { input: { name: 'nowhere' } })).updateOfficeHoursSchedule,
    ).toMatchObject({
      __typename: 'NotFoundError',
    });

    expect((await t.admin(DeleteSchedule, { name: 'paris' })).deleteOfficeHoursSchedule).toEqual({
      __typename: 'MutationDeleteOfficeHoursScheduleSuccess',
      data: true,
    });
    expect((await t.admin(DeleteSchedule, { name: 'paris' })).deleteOfficeHoursSchedule).toMatchObject({
      __typename: 'NotFoundError',
    });
  });
});

describe('office_hours provisioning section', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const file = {
    'business-hours': {
      _timezone: 'Europe/Paris',
      _ttl: 30,
      _bh_regular1: 'Mon-Fri 09:00-17:00',
      _holiday1: '12-25',
    },
    'night-shift': { _timezone: 'America/New_York', _bh_regular1: 'Sat-Mon 19:00-07:00' },
  };

  it('is registered', () => {
    expect(provisioningSections).toContain(officeHoursSection);
  });

  it('applies idempotently and exports what it imported', async () => {
    const parsed = officeHoursSection.parse(file, 'office_hours');
    await officeHoursSection.apply(parsed, t.app.managers);
    await officeHoursSection.apply(officeHoursSection.parse(file, 'office_hours'), t.app.managers);
    const list = await t.app.managers.officeHours.list();
    expect(list.map((s) => [s.name, s.version])).toEqual([
      ['business-hours', 1],
      ['night-shift', 1],
    ]);
    const exported = await officeHoursSection.export(t.app.managers);
    expect(exported).toEqual({
      'business-hours': {
        _bh_regular1: 'Mon-Fri 09:00-17:00',
        _holiday1: '12-25',
        _timezone: 'Europe/Paris',
        _ttl: '30',
      },
      'night-shift': { _bh_regular1: 'Sat-Mon 19:00-07:00', _timezone: 'America/New_York' },
    });
    // Re-importing the export changes nothing; a changed file replaces the options.
    await officeHoursSection.apply(officeHoursSection.parse(exported, 'office_hours'), t.app.managers);
    expect((await t.app.managers.officeHours.get('night-shift')).version).toBe(1);
    await officeHoursSection.apply(
      officeHoursSection.parse({ 'night-shift': { _bh_regular1: 'Fri 22:00-06:00' } }, 'office_hours'),
      t.app.managers,
    );
    const changed = await t.app.managers.officeHours.get('night-shift');
    expect(changed.version).toBe(2);
    expect(changed.options).toEqual([{ name: '_bh_regular1', value: 'Fri 22:00-06:00' }]);
    expect(await t.app.managers.officeHours.find('business-hours')).not.toBeNull();
  });

  it.each([
    [{ x: { _bh_regular1: 'Mon-Fri 9 to 5' } }, 'office_hours.x._bh_regular1', "'Mon-Fri 9 to 5'"],
    [{ x: { _timezone: 'EST' } }, 'office_hours.x._timezone', 'Olson'],
    [{ x: ['Mon-Fri'] }, 'office_hours.x', 'option names'],
    [{ 'bad name': {} }, 'office_hours.bad name', 'Invalid schedule name'],
    [{ x: { _bh_regular1: { nested: 1 } } }, 'office_hours.x._bh_regular1', 'must be a string'],
    [['x'], 'office_hours', 'schedule names'],
  ])('refuses %j at %s', (value, field, message) => {
    try {
      officeHoursSection.parse(value, 'office_hours');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).field).toBe(field);
      expect((err as ValidationError).message).toContain(message);
    }
  });
});

describe('legacy handler bodies (stand-in router)', () => {
  let t: TestApp;
  const router = new RouteTable();
  // Stand-ins for configured services (issue 3): the stored schedule plays the office-hours service.
  router.add('GET', '/genesys/1/service/:name', async (req, ctx) =>
    legacyCalendarResponse(await ctx.managers.officeHours.options(req.params.name ?? ''), req, ctx),
  );
  const booked: string[] = ['2026-03-30T07:05:00.000Z', '2026-03-30T07:10:00.000Z'];
  const countScheduled = async (slots: readonly Slot[]) => {
    const counts = new Map<number, number>();
    for (const t of booked.map(Date.parse)) {
      const s = slots.find((x) => x.start <= t && t < x.end);
      if (s) counts.set(s.start, (counts.get(s.start) ?? 0) + 1);
    }
    return counts;
  };
  for (const version of [1, 2] as const) {
    router.add('GET', `/genesys/${version}/service/callback/:name/availability`, async (req, ctx) =>
      legacyAvailabilityResponse(
        version,
        {
          officeHours: await ctx.managers.officeHours.options(req.params.name ?? ''),
          capacity: { _timezone: 'Europe/Paris', _capacity_1: '{"1":{"0900":2,"1000":3}}' },
          bucketMinutes: 30,
          maxPerBucket: 100,
        },
        countScheduled,
        req,
        ctx,
      ),
    );
  }
  const call = async (path: string) => {
    const request = new Request(`http://gms.test${path}`);
    try {
      const found = router.match('GET', new URL(request.url).pathname);
      if (!found || found === 'method' || found.route.kind !== 'legacy') throw new Error('no route');
      return await handleLegacy(
        found.route,
        found.params,
        request,
        { deps: t.app.deps, managers: t.app.managers },
        async () => ({
          kind: 'user',
          gmsUser: null,
        }),
      );
    } catch (err) {
      return errorResponse(err).response;
    }
  };

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.set('2026-03-27T09:00:00.000Z'); // Friday 10:00 in Paris
    await t.app.managers.officeHours.create({
      name: 'business-hours',
      options: { _timezone: 'Europe/Paris', _bh_regular1: 'Mon-Fri 09:00-11:00' },
    });
  });
  afterAll(() => t.close());

  it('answers the calendar query with days, zone and open-now flag', async () => {
    const res = await call('/genesys/1/service/business-hours?start=2026-03-27T00:00:00Z&number-of-days=4');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    const body = await res.json();
    expect(body).toMatchObject({
      error: null,
      timezone: 'Europe/Paris',
      openNow: true,
      now: '2026-03-27T09:00:00.000Z',
    });
    expect(body.days.map((d: { date: string; periods: unknown[] }) => [d.date, d.periods.length])).toEqual([
      ['2026-03-27', 1],
      ['2026-03-28', 0],
      ['2026-03-29', 0],
      ['2026-03-30', 1],
    ]);
    expect(body.days[3].periods[0]).toEqual({
      start: '2026-03-30T07:00:00.000Z',
      end: '2026-03-30T09:00:00.000Z',
      localStart: '2026-03-30T09:00:00.000+02:00',
      localEnd: '2026-03-30T11:00:00.000+02:00',
    });
  });

  it('answers a bad parameter with a 400 GMS error naming it', async () => {
    const res = await call('/genesys/1/service/business-hours?start=yesterday');
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body).toMatchObject({ code: 400, phrase: 'Bad Request' });
    expect(body.message).toContain('start');
    expect((await call('/genesys/1/service/nowhere')).status).toBe(404);
  });

  it('answers availability v1 and v2 from the same slots and counts', async () => {
    const v1 = await (
      await call('/genesys/1/service/callback/business-hours/availability?number-of-days=4')
    ).json();
    expect(v1).toEqual({
      '2026-03-30T07:30:00.000Z': 2,
      '2026-03-30T08:00:00.000Z': 3,
      '2026-03-30T08:30:00.000Z': 3,
    });
    const v2 = await (
      await call(
        `/genesys/2/service/callback/business-hours/availability?start-ms=${Date.parse('2026-03-30T00:00:00Z')}&number-of-days=1&report-busy=true&max-time-slots=2`,
      )
    ).json();
    expect(v2).toEqual({
      durationMin: 30,
      timezone: 'Europe/Paris',
      slots: [
        { utcTime: '2026-03-30T07:00:00.000Z', localTime: '2026-03-30T09:00:00.000', capacity: 0, total: 2 },
        { utcTime: '2026-03-30T07:30:00.000Z', localTime: '2026-03-30T09:30:00.000', capacity: 2, total: 2 },
      ],
    });
  });
});
