import { builder } from '../../graphql/builder.js';
import type { Availability, AvailabilitySlot, SlotCheck } from './capacity.engine.js';
import type { CapacityReservationView, SlotCountView } from './capacity.reservations.js';
import type { CalendarDay, OfficeHoursCalendar, OpenPeriod, OpenStatus } from './office-hours.engine.js';
import {
  type OfficeHoursOption,
  type OfficeHoursScheduleView,
  PREVIEW_DAYS,
  type ReservationWindow,
} from './office-hours.manager.js';

const OptionRef = builder.objectRef<OfficeHoursOption>('OfficeHoursOption').implement({
  description: 'One option in GMS naming, e.g. `_bh_regular1` = `Mon-Fri 09:00-17:00`.',
  fields: (t) => ({
    name: t.exposeString('name'),
    value: t.exposeString('value'),
  }),
});

const OptionInput = builder.inputType('OfficeHoursOptionInput', {
  fields: (t) => ({
    name: t.string({
      required: true,
      description: '`_timezone`, `_bh_regular<n>`, `_bh_add<n>`, `_holiday<n>`, …',
    }),
    value: t.string({ required: true }),
  }),
});

const PeriodRef = builder.objectRef<OpenPeriod>('OfficeHoursPeriod').implement({
  description: 'An open period `[start, end)`.',
  fields: (t) => ({
    start: t.field({ type: 'DateTime', resolve: (p) => p.start }),
    end: t.field({ type: 'DateTime', resolve: (p) => p.end }),
    localStart: t.exposeString('localStart', { description: 'Start in the schedule zone, with offset.' }),
    localEnd: t.exposeString('localEnd', { description: 'End in the schedule zone, with offset.' }),
  }),
});

const DayRef = builder.objectRef<CalendarDay>('OfficeHoursDay').implement({
  fields: (t) => ({
    date: t.exposeString('date', { description: 'Local date, YYYY-MM-DD.' }),
    weekday: t.exposeString('weekday', { description: 'Mon … Sun' }),
    periods: t.field({
      type: [PeriodRef],
      description: 'Open periods of the day, cut at local midnight; empty when closed all day.',
      resolve: (d) => d.periods,
    }),
  }),
});

const CalendarRef = builder.objectRef<OfficeHoursCalendar>('OfficeHoursCalendar').implement({
  fields: (t) => ({
    timezone: t.exposeString('timezone', { description: 'IANA zone the hours are defined in.' }),
    days: t.field({ type: [DayRef], resolve: (c) => c.days }),
  }),
});

const StatusRef = builder.objectRef<OpenStatus>('OfficeHoursStatus').implement({
  fields: (t) => ({
    open: t.exposeBoolean('open'),
    at: t.field({ type: 'DateTime', resolve: (s) => s.at }),
    timezone: t.exposeString('timezone'),
    closesAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When open: the end of the open stretch (null if none within ~400 days).',
      resolve: (s) => s.closesAt,
    }),
    opensAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When closed: the next opening (null if none within ~400 days); when open, `at`.',
      resolve: (s) => s.opensAt,
    }),
  }),
});

const toMap = (options: ReadonlyArray<{ name: string; value: string }>): Record<string, string> => {
  const map: Record<string, string> = {};
  for (const o of options) map[o.name] = o.value;
  return map;
};

const ScheduleRef = builder.objectRef<OfficeHoursScheduleView>('OfficeHoursSchedule').implement({
  description: 'A named office-hours schedule: regular hours, additional hours, holidays, effective dates.',
  fields: (t) => ({
    name: t.exposeString('name'),
    description: t.exposeString('description'),
    timezone: t.exposeString('timezone'),
    options: t.field({
      type: [OptionRef],
      description: 'Every option, in GMS naming.',
      resolve: (s) => s.options,
    }),
    holidays: t.field({
      type: [OptionRef],
      description: 'The `_holiday<n>` options.',
      resolve: (s) => s.holidays,
    }),
    version: t.exposeInt('version', { description: 'Grows by one on every change.' }),
    createdAt: t.field({ type: 'DateTime', resolve: (s) => s.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (s) => s.updatedAt }),
    preview: t.field({
      type: CalendarRef,
      description: `Open periods of the next ${PREVIEW_DAYS} days, from today in the schedule zone.`,
      resolve: (s, _args, ctx) =>
        ctx.managers.officeHours.calendar(toMap(s.options), {
          start: ctx.deps.clock.now(),
          days: PREVIEW_DAYS,
        }),
    }),
    status: t.field({
      type: StatusRef,
      description: 'Open or closed now, and until when.',
      resolve: (s, _args, ctx) => ctx.managers.officeHours.status(toMap(s.options)),
    }),
  }),
});

const ScheduleInput = builder.inputType('OfficeHoursScheduleInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    description: t.string({ required: false }),
    options: t.field({ type: [OptionInput], required: true }),
  }),
});

const ScheduleChangeInput = builder.inputType('OfficeHoursScheduleChangeInput', {
  fields: (t) => ({
    name: t.string({ required: true, description: 'The schedule to change.' }),
    description: t.string({ required: false }),
    options: t.field({
      type: [OptionInput],
      required: false,
      description: 'Replaces every option; omit to keep them.',
    }),
  }),
});

builder.queryFields((t) => ({
  officeHoursSchedules: t.field({
    type: [ScheduleRef],
    authScopes: { admin: true },
    description: 'Every office-hours schedule, by name.',
    resolve: (_root, _args, ctx) => ctx.managers.officeHours.list(),
  }),
  officeHoursSchedule: t.field({
    type: ScheduleRef,
    nullable: true,
    authScopes: { admin: true },
    args: { name: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => ctx.managers.officeHours.find(args.name),
  }),
  officeHours: t.field({
    type: CalendarRef,
    authScopes: { public: true },
    description:
      'Open periods of each local day of a range: from the day of `start` (default now) to the day of `end`, ' +
      'or `days` days; neither means that one day.',
    args: {
      schedule: t.arg.string({ required: true }),
      start: t.arg({ type: 'DateTime', required: false }),
      end: t.arg({ type: 'DateTime', required: false }),
      days: t.arg.int({ required: false }),
    },
    errors: {},
    resolve: async (_root, args, ctx) =>
      ctx.managers.officeHours.calendar(await ctx.managers.officeHours.options(args.schedule), {
        start: args.start ?? ctx.deps.clock.now(),
        end: args.end,
        days: args.days,
      }),
  }),
  officeHoursOpenAt: t.field({
    type: StatusRef,
    authScopes: { public: true },
    description: 'Is the schedule open at `at` (default now), and until when / from when.',
    args: {
      schedule: t.arg.string({ required: true }),
      at: t.arg({ type: 'DateTime', required: false }),
    },
    errors: {},
    resolve: async (_root, args, ctx) =>
      ctx.managers.officeHours.status(
        await ctx.managers.officeHours.options(args.schedule),
        args.at ?? undefined,
      ),
  }),
  officeHoursPreview: t.field({
    type: CalendarRef,
    authScopes: { admin: true },
    description: `Validates unsaved options and shows their open periods (default: ${PREVIEW_DAYS} days from now).`,
    args: {
      options: t.arg({ type: [OptionInput], required: true }),
      start: t.arg({ type: 'DateTime', required: false }),
      days: t.arg.int({ required: false }),
    },
    errors: {},
    resolve: (_root, args, ctx) =>
      ctx.managers.officeHours.calendar(toMap(args.options), {
        start: args.start ?? ctx.deps.clock.now(),
        days: args.days ?? PREVIEW_DAYS,
      }),
  }),
}));

builder.mutationFields((t) => ({
  createOfficeHoursSchedule: t.field({
    type: ScheduleRef,
    authScopes: { admin: true },
    description: 'Create a schedule; an invalid option is refused with its name and value.',
    args: { input: t.arg({ type: ScheduleInput, required: true }) },
    errors: {},
    resolve: (_root, { input }, ctx) =>
      ctx.managers.officeHours.create({
        name: input.name,
        description: input.description,
        options: toMap(input.options),
      }),
  }),
  updateOfficeHoursSchedule: t.field({
    type: ScheduleRef,
    authScopes: { admin: true },
    args: { input: t.arg({ type: ScheduleChangeInput, required: true }) },
    errors: {},
    resolve: (_root, { input }, ctx) =>
      ctx.managers.officeHours.update(input.name, {
        description: input.description,
        options: input.options ? toMap(input.options) : null,
      }),
  }),
  deleteOfficeHoursSchedule: t.field({
    type: 'Boolean',
    authScopes: { admin: true },
    args: { name: t.arg.string({ required: true }) },
    errors: {},
    resolve: (_root, args, ctx) => ctx.managers.officeHours.delete(args.name),
  }),
  addOfficeHoursHoliday: t.field({
    type: ScheduleRef,
    authScopes: { admin: true },
    description:
      'Add a holiday (`YYYY-MM-DD`, `MM-DD`, optionally with ` HH:mm-HH:mm`) as the next `_holiday<n>`.',
    args: { schedule: t.arg.string({ required: true }), holiday: t.arg.string({ required: true }) },
    errors: {},
    resolve: (_root, args, ctx) => ctx.managers.officeHours.addHoliday(args.schedule, args.holiday),
  }),
  removeOfficeHoursHoliday: t.field({
    type: ScheduleRef,
    authScopes: { admin: true },
    description: 'Remove a holiday by its option name (`_holiday<n>`).',
    args: { schedule: t.arg.string({ required: true }), option: t.arg.string({ required: true }) },
    errors: {},
    resolve: (_root, args, ctx) => ctx.managers.officeHours.removeHoliday(args.schedule, args.option),
  }),
}));

// ---- callback availability and capacity reservations ----

interface CallbackAvailabilityView {
  service: string;
  capacityService: string;
  availability: Availability;
}

const CallbackSlotRef = builder.objectRef<AvailabilitySlot>('CallbackSlot').implement({
  description: 'A callback time slot `[start, end)` inside office hours.',
  fields: (t) => ({
    start: t.field({ type: 'DateTime', resolve: (s) => new Date(s.start) }),
    end: t.field({ type: 'DateTime', resolve: (s) => new Date(s.end) }),
    localTime: t.exposeString('localTime', {
      description: 'Start as local wall time without offset, in the answer zone (`2025-03-24T09:00:00.000`).',
    }),
    total: t.exposeInt('total', {
      description: 'Capacity of the slot: min(capacity grid, `_max_request_by_time_bucket`).',
    }),
    reserved: t.exposeInt('scheduled', { description: 'Places already reserved.' }),
    remaining: t.exposeInt('remaining', { description: 'Places left.' }),
  }),
});

const CallbackAvailabilityRef = builder
  .objectRef<CallbackAvailabilityView>('CallbackAvailability')
  .implement({
    fields: (t) => ({
      service: t.exposeString('service', { description: 'The callback service.' }),
      capacityService: t.exposeString('capacityService', {
        description: 'The pool reservations count in (`_capacity_service`, else the callback service).',
      }),
      durationMin: t.int({
        description: '`_request_time_bucket`, minutes.',
        resolve: (a) => a.availability.durationMin,
      }),
      timezone: t.string({ description: 'Zone of `localTime`.', resolve: (a) => a.availability.timezone }),
      slots: t.field({ type: [CallbackSlotRef], resolve: (a) => a.availability.slots }),
    }),
  });

interface CallbackSlotCheckView extends SlotCheck {
  service: string;
  capacityService: string;
}

const CallbackSlotCheckRef = builder.objectRef<CallbackSlotCheckView>('CallbackSlotCheck').implement({
  description: 'The slot containing a desired time and what is left in it.',
  fields: (t) => ({
    service: t.exposeString('service'),
    capacityService: t.exposeString('capacityService'),
    start: t.field({ type: 'DateTime', resolve: (c) => new Date(c.slot.start) }),
    end: t.field({ type: 'DateTime', resolve: (c) => new Date(c.slot.end) }),
    open: t.exposeBoolean('open', { description: 'The office is open at the slot start.' }),
    total: t.exposeInt('total'),
    reserved: t.exposeInt('scheduled'),
    remaining: t.int({
      description: 'Places left (0 when the office is closed).',
      resolve: (c) => (c.open ? c.remaining : 0),
    }),
  }),
});

const SlotCountRef = builder.objectRef<SlotCountView>('CapacitySlotCount').implement({
  fields: (t) => ({
    slotStart: t.field({ type: 'DateTime', resolve: (c) => c.slotStart }),
    reserved: t.exposeInt('reserved'),
  }),
});

const ReservationRef = builder.objectRef<CapacityReservationView>('CapacityReservation').implement({
  fields: (t) => ({
    ref: t.exposeString('ref', { description: 'Who holds the place (a callback id).' }),
    slotStart: t.field({ type: 'DateTime', resolve: (r) => r.slotStart }),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => r.createdAt }),
  }),
});

const ReservationReportRef = builder.objectRef<ReservationWindow>('CapacityReservationReport').implement({
  fields: (t) => ({
    capacityService: t.exposeString('capacityService'),
    start: t.field({ type: 'DateTime', resolve: (r) => r.start }),
    end: t.field({ type: 'DateTime', resolve: (r) => r.end }),
    slots: t.field({
      type: [SlotCountRef],
      description: 'Slots with reservations, by start.',
      resolve: (r, _a, ctx) => ctx.managers.officeHours.slotCounts(r.capacityService, r.start, r.end),
    }),
    reservations: t.field({
      type: [ReservationRef],
      description: 'Every reservation, by slot start then ref.',
      resolve: (r, _a, ctx) => ctx.managers.officeHours.reservations(r.capacityService, r.start, r.end),
    }),
  }),
});

builder.queryFields((t) => ({
  callbackAvailability: t.field({
    type: CallbackAvailabilityRef,
    authScopes: { public: true },
    description:
      'Free slots of a callback service (legacy `GET /genesys/{1,2}/service/callback/{name}/availability`): ' +
      'inside office hours, from `start` (default now) to `end`, or `days` local days (default 7, at most 62).',
    args: {
      service: t.arg.string({ required: true }),
      start: t.arg({ type: 'DateTime', required: false }),
      end: t.arg({ type: 'DateTime', required: false }),
      days: t.arg.int({ required: false }),
      maxSlots: t.arg.int({ required: false, description: 'Keep the first n slots.' }),
      timezone: t.arg.string({
        required: false,
        description: 'Zone of `localTime` (default the slot zone).',
      }),
      includeFull: t.arg.boolean({
        required: false,
        description: 'Also list full slots (v2 `report-busy`).',
      }),
    },
    errors: {},
    resolve: async (_root, args, ctx) => {
      const cap = await ctx.managers.officeHours.callbackCapacity(args.service);
      const availability = await ctx.managers.officeHours.callbackAvailability(cap, {
        start: args.start ?? ctx.deps.clock.now(),
        end: args.end,
        days: args.end ? null : args.days,
        maxSlots: args.maxSlots,
        timezone: args.timezone,
        includeFull: args.includeFull ?? false,
      });
      return { service: cap.service, capacityService: cap.capacityService, availability };
    },
  }),
  callbackSlot: t.field({
    type: CallbackSlotCheckRef,
    authScopes: { public: true },
    description: 'The slot of a callback service containing `at` (a desired time) and the places left in it.',
    args: {
      service: t.arg.string({ required: true }),
      at: t.arg({ type: 'DateTime', required: true }),
    },
    errors: {},
    resolve: async (_root, args, ctx) => {
      const cap = await ctx.managers.officeHours.callbackCapacity(args.service);
      const check = await ctx.managers.officeHours.slotCapacity(cap, args.at);
      return { ...check, service: cap.service, capacityService: cap.capacityService };
    },
  }),
  capacityReservations: t.field({
    type: ReservationReportRef,
    authScopes: { admin: true },
    description:
      'Reservation counts of a capacity pool (a capacity service, or a callback service without one) ' +
      'for slots starting in `[start, end)`: default from now for 7 days, at most 62 days.',
    args: {
      capacityService: t.arg.string({ required: true }),
      start: t.arg({ type: 'DateTime', required: false }),
      end: t.arg({ type: 'DateTime', required: false }),
    },
    errors: {},
    resolve: (_root, args, ctx) =>
      ctx.managers.officeHours.reservationWindow(args.capacityService, args.start, args.end),
  }),
}));
