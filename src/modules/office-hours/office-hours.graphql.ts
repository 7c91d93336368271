import { builder } from '../../graphql/builder.js';
import type { CalendarDay, OfficeHoursCalendar, OpenPeriod, OpenStatus } from './office-hours.engine.js';
import {
  type OfficeHoursOption,
  type OfficeHoursScheduleView,
  PREVIEW_DAYS,
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
