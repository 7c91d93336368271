import { builder } from '../../graphql/builder.js';
import { waitBinLabels } from './report.document.js';
import type {
  CallbackBucket,
  CallbackReport,
  CallbackUsage,
  ExportRequest,
  ResourceBucket,
  ResourceGroupUsage,
  ResourcesReport,
  ServiceBucket,
  ServicesReport,
  ServiceUsage,
  StatusCount,
} from './report.manager.js';
import { parseExportFormat, parseReportKind } from './report.params.js';
import type { WaitStats } from './report.queries.js';
import {
  type BucketSize,
  bucketNames,
  type RangeInput,
  type ResolvedRange,
  rangePresets,
} from './report.ranges.js';
import { exportFormats, reportKinds } from './report.types.js';

const RangePresetEnum = builder.enumType('ReportRangePreset', {
  description:
    'Predefined report ranges (TODAY and YESTERDAY in the range time zone), or CUSTOM with from/to.',
  values: rangePresets,
});

const BucketEnum = builder.enumType('ReportBucket', {
  description: 'Bucket size. Defaults: LAST_HOUR 5 minutes, TODAY/YESTERDAY hour, 7/30 days day.',
  values: bucketNames,
});

const ReportKindEnum = builder.enumType('ReportKind', {
  values: reportKinds.map((k) => k.toUpperCase()) as ['RESOURCES', 'SERVICES', 'CALLBACK'],
});

const ExportFormatEnum = builder.enumType('ReportExportFormat', {
  values: exportFormats.map((k) => k.toUpperCase()) as ['CSV', 'XLSX', 'PDF'],
});

const RangeInputRef = builder.inputType('ReportRangeInput', {
  fields: (t) => ({
    preset: t.field({ type: RangePresetEnum, required: true }),
    from: t.field({ type: 'DateTime', required: false, description: 'CUSTOM only: start (inclusive).' }),
    to: t.field({ type: 'DateTime', required: false, description: 'CUSTOM only: end (exclusive).' }),
    bucket: t.field({ type: BucketEnum, required: false }),
    timeZone: t.string({ required: false, description: 'IANA zone, default UTC.' }),
  }),
});

const toRange = (input: {
  preset: RangeInput['preset'];
  from?: Date | null;
  to?: Date | null;
  bucket?: BucketSize | null;
  timeZone?: string | null;
}): RangeInput => ({
  preset: input.preset,
  from: input.from ?? null,
  to: input.to ?? null,
  bucket: input.bucket ?? null,
  timeZone: input.timeZone ?? null,
});

const RangeRef = builder.objectRef<ResolvedRange>('ReportRange').implement({
  description:
    "The resolved range: [from, to) cut into buckets on the clock of timeZone (boundaries at local midnight of from's day plus whole buckets); the first bucket starts at from and the last ends at to, so either may be shorter.",
  fields: (t) => ({
    preset: t.field({ type: RangePresetEnum, resolve: (r) => r.preset }),
    from: t.field({ type: 'DateTime', resolve: (r) => r.from }),
    to: t.field({ type: 'DateTime', resolve: (r) => r.to }),
    bucket: t.field({ type: BucketEnum, resolve: (r) => r.bucket }),
    bucketSeconds: t.exposeInt('bucketSeconds'),
    timeZone: t.exposeString('timeZone'),
    buckets: t.field({ type: ['DateTime'], resolve: (r) => r.buckets }),
  }),
});

const StatusCountRef = builder.objectRef<StatusCount>('ServiceStatusCount').implement({
  fields: (t) => ({
    status: t.exposeInt('status', { description: 'HTTP status answered (200 for a session created).' }),
    count: t.exposeInt('count'),
  }),
});

const ServiceBucketRef = builder.objectRef<ServiceBucket>('ServiceReportBucket').implement({
  fields: (t) => ({
    start: t.field({ type: 'DateTime', resolve: (b) => b.start }),
    total: t.exposeInt('total'),
    ok: t.exposeInt('ok'),
    failed: t.exposeInt('failed'),
    byStatus: t.field({ type: [StatusCountRef], resolve: (b) => b.byStatus }),
  }),
});

const ServiceUsageRef = builder.objectRef<ServiceUsage>('ServiceUsage').implement({
  fields: (t) => ({
    service: t.exposeString('service'),
    total: t.exposeInt('total'),
    ok: t.exposeInt('ok'),
    failed: t.exposeInt('failed'),
    byStatus: t.field({ type: [StatusCountRef], resolve: (s) => s.byStatus }),
    buckets: t.field({ type: [ServiceBucketRef], resolve: (s) => s.buckets }),
  }),
});

const ServicesReportRef = builder.objectRef<ServicesReport>('ServicesReport').implement({
  description: 'How often each service was accessed per period, by outcome (HTTP status).',
  fields: (t) => ({
    range: t.field({ type: RangeRef, resolve: (r) => r.range }),
    total: t.exposeInt('total'),
    ok: t.exposeInt('ok'),
    failed: t.exposeInt('failed'),
    services: t.field({ type: [ServiceUsageRef], resolve: (r) => r.services }),
  }),
});

const ResourceBucketRef = builder.objectRef<ResourceBucket>('ResourceReportBucket').implement({
  fields: (t) => ({
    start: t.field({ type: 'DateTime', resolve: (b) => b.start }),
    allocations: t.exposeInt('allocations'),
    releases: t.exposeInt('releases'),
    expirations: t.exposeInt('expirations'),
    exhaustions: t.exposeInt('exhaustions'),
    peakBooked: t.exposeInt('peakBooked', { nullable: true }),
    minFree: t.exposeInt('minFree', { nullable: true }),
    booked: t.exposeInt('booked', {
      nullable: true,
      description: 'Booked numbers at the end of the bucket.',
    }),
    free: t.exposeInt('free', { nullable: true, description: 'Free numbers at the end of the bucket.' }),
  }),
});

const ResourceGroupUsageRef = builder.objectRef<ResourceGroupUsage>('ResourceGroupUsage').implement({
  fields: (t) => ({
    group: t.exposeString('group'),
    allocations: t.exposeInt('allocations'),
    releases: t.exposeInt('releases'),
    expirations: t.exposeInt('expirations'),
    exhaustions: t.exposeInt('exhaustions'),
    peakBooked: t.exposeInt('peakBooked', { nullable: true }),
    buckets: t.field({ type: [ResourceBucketRef], resolve: (g) => g.buckets }),
  }),
});

const ResourcesReportRef = builder.objectRef<ResourcesReport>('ResourcesReport').implement({
  description: 'Usage history of resource groups: booked vs free over time, allocations, exhaustion.',
  fields: (t) => ({
    range: t.field({ type: RangeRef, resolve: (r) => r.range }),
    groups: t.field({ type: [ResourceGroupUsageRef], resolve: (r) => r.groups }),
  }),
});

const WaitStatsRef = builder.objectRef<WaitStats>('CallbackWaitStats').implement({
  description: 'Wait from creation to connection of connected callbacks, in seconds.',
  fields: (t) => ({
    connected: t.exposeInt('connected'),
    avgSeconds: t.exposeFloat('avgSeconds', { nullable: true }),
    p50Seconds: t.exposeFloat('p50Seconds', { nullable: true }),
    p90Seconds: t.exposeFloat('p90Seconds', { nullable: true }),
    p95Seconds: t.exposeFloat('p95Seconds', { nullable: true }),
    maxSeconds: t.exposeFloat('maxSeconds', { nullable: true }),
    histogram: t.exposeIntList('histogram', { description: 'Counts per bin of waitBinsSeconds.' }),
  }),
});

const CallbackBucketRef = builder.objectRef<CallbackBucket>('CallbackReportBucket').implement({
  fields: (t) => ({
    start: t.field({ type: 'DateTime', resolve: (b) => b.start }),
    created: t.exposeInt('created'),
    connected: t.exposeInt('connected'),
    cancelled: t.exposeInt('cancelled'),
    abandoned: t.exposeInt('abandoned'),
    completed: t.exposeInt('completed'),
    avgWaitSeconds: t.exposeFloat('avgWaitSeconds', { nullable: true }),
  }),
});

const CallbackUsageRef = builder.objectRef<CallbackUsage>('CallbackUsage').implement({
  fields: (t) => ({
    service: t.exposeString('service'),
    queue: t.exposeString('queue', { description: 'Empty when the callback had no queue.' }),
    created: t.exposeInt('created'),
    connected: t.exposeInt('connected'),
    cancelled: t.exposeInt('cancelled'),
    abandoned: t.exposeInt('abandoned'),
    completed: t.exposeInt('completed'),
    wait: t.field({ type: WaitStatsRef, resolve: (s) => s.wait }),
    buckets: t.field({ type: [CallbackBucketRef], resolve: (s) => s.buckets }),
  }),
});

const CallbackReportRef = builder.objectRef<CallbackReport>('CallbackReport').implement({
  description:
    'Created, connected, cancelled and abandoned callbacks and the wait distribution, per service and queue.',
  fields: (t) => ({
    range: t.field({ type: RangeRef, resolve: (r) => r.range }),
    created: t.int({ resolve: (r) => r.totals.created }),
    connected: t.int({ resolve: (r) => r.totals.connected }),
    cancelled: t.int({ resolve: (r) => r.totals.cancelled }),
    abandoned: t.int({ resolve: (r) => r.totals.abandoned }),
    completed: t.int({ resolve: (r) => r.totals.completed }),
    wait: t.field({ type: WaitStatsRef, resolve: (r) => r.wait }),
    waitBinsSeconds: t.exposeIntList('waitBinsSeconds', {
      description: 'Upper bounds (exclusive) of the histogram bins; the last bin is open-ended.',
    }),
    waitBinLabels: t.stringList({ resolve: (r) => waitBinLabels(r.waitBinsSeconds) }),
    series: t.field({ type: [CallbackUsageRef], resolve: (r) => r.series }),
  }),
});

interface ReportExportLink {
  url: string;
  path: string;
  filename: string;
  contentType: string;
  expiresAt: Date;
}

const ReportExportRef = builder.objectRef<ReportExportLink>('ReportExport').implement({
  description: 'A short-lived download link for an exported report (no credentials needed while it lasts).',
  fields: (t) => ({
    url: t.exposeString('url', {
      description: 'PUBLIC_URL + path (just the path when PUBLIC_URL is unset).',
    }),
    path: t.exposeString('path'),
    filename: t.exposeString('filename'),
    contentType: t.exposeString('contentType'),
    expiresAt: t.field({ type: 'DateTime', resolve: (e) => e.expiresAt }),
  }),
});

builder.queryFields((t) => ({
  servicesReport: t.field({
    type: ServicesReportRef,
    authScopes: { admin: true },
    args: {
      range: t.arg({ type: RangeInputRef, required: true }),
      service: t.arg.string({ required: false }),
    },
    errors: {},
    resolve: (_root, args, ctx) =>
      ctx.managers.reports.services(toRange(args.range), { service: args.service }),
  }),
  resourcesReport: t.field({
    type: ResourcesReportRef,
    authScopes: { admin: true },
    args: { range: t.arg({ type: RangeInputRef, required: true }), group: t.arg.string({ required: false }) },
    errors: {},
    resolve: (_root, args, ctx) => ctx.managers.reports.resources(toRange(args.range), { group: args.group }),
  }),
  callbackReport: t.field({
    type: CallbackReportRef,
    authScopes: { admin: true },
    args: {
      range: t.arg({ type: RangeInputRef, required: true }),
      service: t.arg.string({ required: false }),
      queue: t.arg.string({ required: false, description: 'Empty string: callbacks without a queue.' }),
    },
    errors: {},
    resolve: (_root, args, ctx) =>
      ctx.managers.reports.callback(toRange(args.range), { service: args.service, queue: args.queue }),
  }),
}));

builder.mutationFields((t) => ({
  exportReport: t.field({
    type: ReportExportRef,
    authScopes: { admin: true },
    description:
      'Exports a report as CSV, xlsx or PDF (with a chart): answers a download link valid for 5 minutes.',
    args: {
      report: t.arg({ type: ReportKindEnum, required: true }),
      format: t.arg({ type: ExportFormatEnum, required: true }),
      range: t.arg({ type: RangeInputRef, required: true }),
      group: t.arg.string({ required: false }),
      service: t.arg.string({ required: false }),
      queue: t.arg.string({ required: false }),
    },
    errors: {},
    resolve: (_root, args, ctx) => {
      const request: ExportRequest = {
        report: parseReportKind(args.report),
        format: parseExportFormat(args.format),
        range: toRange(args.range),
        filters: { group: args.group, service: args.service, queue: args.queue },
      };
      const by = ctx.viewer.kind === 'admin' ? ctx.viewer.username : 'admin';
      return ctx.managers.reports.createExportLink(request, by);
    },
  }),
}));
