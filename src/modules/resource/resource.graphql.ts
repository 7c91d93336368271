import { builder } from '../../graphql/builder.js';
import { refreshOnEvents } from '../../pubsub/refresh-on-events.js';
import { parseBulkInput } from './resource.bulk.js';
import type {
  BookingView,
  BulkResult,
  MatchResult,
  PoolHealth,
  ResourceEventView,
  ResourceGroupView,
  ResourceView,
} from './resource.manager.js';
import { type AllocationStrategy, DEFAULT_GROUP_NAME } from './resource.rules.js';

const AllocationEnum = builder.enumType('ResourceAllocation', {
  description: 'How a number is chosen among the free ones.',
  values: {
    RANDOM: { value: 'random' as const, description: 'Any free number, at random.' },
    ROUND_ROBIN: {
      value: 'round-robin' as const,
      description: 'The number allocated longest ago: every number is used before one repeats.',
    },
  },
});

const EventKindEnum = builder.enumType('ResourceEventKind', {
  values: {
    ALLOCATED: { value: 'allocated' as const },
    RELEASED: {
      value: 'released' as const,
      description: 'Ended early: released, matched, session ended, admin.',
    },
    EXPIRED: { value: 'expired' as const, description: 'Ran out its booking time.' },
    EXHAUSTED: { value: 'exhausted' as const, description: 'An allocation found no free number.' },
  },
});

const BookingRef = builder.objectRef<BookingView>('ResourceBooking').implement({
  description: 'An active booking of an access number by a session.',
  fields: (t) => ({
    id: t.exposeID('id'),
    sessionId: t.exposeString('sessionId'),
    phoneNumber: t.exposeString('phoneNumber', { nullable: true, description: 'The ANI it expects.' }),
    hasAccessCode: t.exposeBoolean('hasAccessCode', {
      description: 'Whether the caller must present an access code (the code is not shown).',
    }),
    startsAt: t.field({ type: 'DateTime', resolve: (b) => b.startsAt }),
    expiresAt: t.field({ type: 'DateTime', resolve: (b) => b.expiresAt }),
  }),
});

const ResourceRef = builder.objectRef<ResourceView>('Resource').implement({
  description: 'An access number (DNIS) of a resource group.',
  fields: (t) => ({
    id: t.exposeInt('id'),
    name: t.exposeString('name', { description: 'e.g. Key1' }),
    accessNumber: t.exposeString('accessNumber', { description: 'e.g. 1-800-1234' }),
    booked: t.boolean({ resolve: (r) => r.bookings.length > 0 }),
    bookings: t.field({
      type: [BookingRef],
      description: 'Active bookings, most recent first (at most one in a locking group).',
      resolve: (r) => r.bookings,
    }),
    lastAllocatedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.lastAllocatedAt }),
  }),
});

const PoolHealthRef = builder.objectRef<PoolHealth>('ResourcePoolHealth').implement({
  fields: (t) => ({
    total: t.exposeInt('total'),
    free: t.exposeInt('free', { description: 'Numbers with no active booking.' }),
    booked: t.exposeInt('booked', { description: 'Numbers with at least one active booking.' }),
    activeBookings: t.exposeInt('activeBookings'),
  }),
});

const GroupRef = builder.objectRef<ResourceGroupView>('ResourceGroup').implement({
  description: 'A pool of access numbers that sessions book (GMS resource group, e.g. DNIS).',
  fields: (t) => ({
    id: t.exposeInt('id'),
    name: t.exposeString('name'),
    allocation: t.field({ type: AllocationEnum, resolve: (g) => g.allocation }),
    locking: t.exposeBoolean('locking', {
      description: 'On: a number belongs to at most one session at a time (exhausted pool → 503).',
    }),
    bookingExpirationTimeout: t.exposeInt('bookingExpirationTimeout', {
      description: 'Default `_booking_expiration_timeout`, seconds.',
    }),
    resources: t.field({ type: [ResourceRef], resolve: (g) => g.resources }),
    health: t.field({ type: PoolHealthRef, resolve: (g) => g.health }),
    createdAt: t.field({ type: 'DateTime', resolve: (g) => g.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (g) => g.updatedAt }),
  }),
});

const EventRef = builder.objectRef<ResourceEventView>('ResourceEvent').implement({
  fields: (t) => ({
    id: t.exposeInt('id'),
    occurredAt: t.field({ type: 'DateTime', resolve: (e) => e.occurredAt }),
    kind: t.field({ type: EventKindEnum, resolve: (e) => e.kind }),
    group: t.exposeString('group'),
    resourceName: t.exposeString('resourceName', { nullable: true }),
    accessNumber: t.exposeString('accessNumber', { nullable: true }),
    bookingId: t.exposeString('bookingId', { nullable: true }),
    sessionId: t.exposeString('sessionId', { nullable: true }),
    reason: t.exposeString('reason', { nullable: true }),
  }),
});

export const MatchRef = builder.objectRef<MatchResult>('ResourceMatch').implement({
  description: 'The session an incoming call belongs to; its booking has been released.',
  fields: (t) => ({
    sessionId: t.exposeString('sessionId'),
    bookingId: t.exposeString('bookingId'),
    group: t.exposeString('group'),
    resourceName: t.exposeString('resourceName'),
    accessNumber: t.exposeString('accessNumber'),
    phoneNumber: t.exposeString('phoneNumber', { nullable: true }),
  }),
});

const ResourceInput = builder.inputType('ResourceInput', {
  fields: (t) => ({
    name: t.string({ required: true, description: 'e.g. Key1' }),
    accessNumber: t.string({ required: true, description: 'e.g. 1-800-1234' }),
  }),
});

const CreateGroupInput = builder.inputType('CreateResourceGroupInput', {
  fields: (t) => ({
    name: t.string({ required: false, description: `Default ${DEFAULT_GROUP_NAME}` }),
    allocation: t.field({ type: AllocationEnum, required: false, description: 'Default RANDOM' }),
    locking: t.boolean({ required: false, description: 'Default false' }),
    bookingExpirationTimeout: t.int({ required: false, description: 'Seconds, default 30' }),
    resources: t.field({ type: [ResourceInput], required: false }),
  }),
});

const UpdateGroupInput = builder.inputType('UpdateResourceGroupInput', {
  fields: (t) => ({
    name: t.string({ required: false, description: 'Rename the group' }),
    allocation: t.field({ type: AllocationEnum, required: false }),
    locking: t.boolean({ required: false }),
    bookingExpirationTimeout: t.int({ required: false }),
  }),
});

const UpdateResourceInput = builder.inputType('UpdateResourceInput', {
  fields: (t) => ({
    name: t.string({ required: false }),
    accessNumber: t.string({ required: false }),
  }),
});

const allocation = (value: AllocationStrategy | null | undefined) => value ?? null;

builder.queryFields((t) => ({
  resourceGroups: t.field({
    type: [GroupRef],
    authScopes: { admin: true },
    description: 'Every resource group with its numbers, their current bookings and pool health.',
    resolve: (_root, _args, ctx) => ctx.managers.resources.listGroups(),
  }),
  resourceGroup: t.field({
    type: GroupRef,
    authScopes: { admin: true },
    args: { name: t.arg.string({ required: true }) },
    errors: {},
    resolve: (_root, args, ctx) => ctx.managers.resources.getGroup(args.name),
  }),
  resourceEvents: t.field({
    type: [EventRef],
    authScopes: { admin: true },
    description: 'Allocation history, newest first (allocated, released, expired, exhausted).',
    args: {
      group: t.arg.string({ required: false }),
      limit: t.arg.int({ required: false, description: '1-1000, default 100' }),
      before: t.arg.int({ required: false, description: 'Only events with a smaller id (paging).' }),
    },
    resolve: (_root, args, ctx) =>
      ctx.managers.resources.listEvents({ group: args.group, limit: args.limit ?? 100, before: args.before }),
  }),
}));

const BulkInput = builder.inputType('ResourceBulkInput', {
  description:
    'Numbers in bulk: a range, CSV text, or both (they add up). At most 100,000 numbers a request; ' +
    'the whole input is checked first and an error names its line; nothing is written then.',
  fields: (t) => ({
    range: t.string({
      required: false,
      description:
        'FIRST-LAST, e.g. 18001110000-18001119999 (same digit count); each number is named by itself.',
    }),
    csv: t.string({
      required: false,
      description:
        'One resource a line: "number" or "name,number" (also ; or tab); a title line and # comments are skipped.',
    }),
  }),
});

const BulkResultRef = builder.objectRef<BulkResult>('ResourceBulkResult').implement({
  fields: (t) => ({
    group: t.exposeString('group'),
    count: t.exposeInt('count', { description: 'Numbers added (or removed).' }),
    total: t.exposeInt('total', { description: 'Numbers in the group now.' }),
  }),
});

builder.mutationFields((t) => ({
  addResources: t.field({
    type: BulkResultRef,
    authScopes: { admin: true },
    description: 'Add numbers in bulk (a DNIS pool): all or none, in one transaction.',
    args: { group: t.arg.string({ required: true }), input: t.arg({ type: BulkInput, required: true }) },
    errors: {},
    resolve: (_root, { group, input }, ctx) =>
      ctx.managers.resources.addResources(group, parseBulkInput(input)),
  }),
  removeResources: t.field({
    type: BulkResultRef,
    authScopes: { admin: true },
    description:
      'Remove numbers in bulk, by access number: all or none (a number not in the group is an error); ' +
      'booked numbers only with force (their bookings end).',
    args: {
      group: t.arg.string({ required: true }),
      input: t.arg({ type: BulkInput, required: true }),
      force: t.arg.boolean({ required: false }),
    },
    errors: {},
    resolve: (_root, { group, input, force }, ctx) =>
      ctx.managers.resources.removeResources(group, parseBulkInput(input), { force: force ?? false }),
  }),
  createResourceGroup: t.field({
    type: GroupRef,
    authScopes: { admin: true },
    args: { input: t.arg({ type: CreateGroupInput, required: false }) },
    errors: {},
    resolve: (_root, { input }, ctx) =>
      ctx.managers.resources.createGroup({
        name: input?.name,
        allocation: allocation(input?.allocation),
        locking: input?.locking,
        bookingExpirationTimeout: input?.bookingExpirationTimeout,
        resources: input?.resources,
      }),
  }),
  updateResourceGroup: t.field({
    type: GroupRef,
    authScopes: { admin: true },
    description: 'Change settings; switching locking is safe while numbers are booked.',
    args: {
      name: t.arg.string({ required: true }),
      input: t.arg({ type: UpdateGroupInput, required: true }),
    },
    errors: {},
    resolve: (_root, { name, input }, ctx) =>
      ctx.managers.resources.updateGroup(name, { ...input, allocation: allocation(input.allocation) }),
  }),
  deleteResourceGroup: t.field({
    type: 'Boolean',
    authScopes: { admin: true },
    description: 'Refused while numbers are booked unless force (the bookings end).',
    args: { name: t.arg.string({ required: true }), force: t.arg.boolean({ required: false }) },
    errors: {},
    resolve: (_root, args, ctx) =>
      ctx.managers.resources.deleteGroup(args.name, { force: args.force ?? false }),
  }),
  addResource: t.field({
    type: ResourceRef,
    authScopes: { admin: true },
    args: { group: t.arg.string({ required: true }), input: t.arg({ type: ResourceInput, required: true }) },
    errors: {},
    resolve: (_root, { group, input }, ctx) => ctx.managers.resources.addResource(group, input),
  }),
  updateResource: t.field({
    type: ResourceRef,
    authScopes: { admin: true },
    description: 'Rename or renumber; a new number for a booked resource needs force (the bookings end).',
    args: {
      group: t.arg.string({ required: true }),
      name: t.arg.string({ required: true }),
      input: t.arg({ type: UpdateResourceInput, required: true }),
      force: t.arg.boolean({ required: false }),
    },
    errors: {},
    resolve: (_root, args, ctx) =>
      ctx.managers.resources.updateResource(args.group, args.name, args.input, {
        force: args.force ?? false,
      }),
  }),
  removeResource: t.field({
    type: 'Boolean',
    authScopes: { admin: true },
    description: 'Refused while the number is booked unless force (the bookings end).',
    args: {
      group: t.arg.string({ required: true }),
      name: t.arg.string({ required: true }),
      force: t.arg.boolean({ required: false }),
    },
    errors: {},
    resolve: (_root, args, ctx) =>
      ctx.managers.resources.removeResource(args.group, args.name, { force: args.force ?? false }),
  }),
  releaseResourceBooking: t.boolean({
    authScopes: { admin: true },
    description: 'End a booking now, whoever holds it. False when it was no longer active.',
    args: { bookingId: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => ctx.managers.resources.releaseBooking(args.bookingId),
  }),
  matchAccessNumber: t.field({
    type: MatchRef,
    authScopes: { admin: true },
    description:
      'For IVR integrations (match-interaction): the session an incoming call belongs to, by dialled ' +
      'number (DNIS) and optionally caller number (ANI) and access code. Releases the booking.',
    args: {
      accessNumber: t.arg.string({ required: true }),
      phoneNumber: t.arg.string({ required: false }),
      accessCode: t.arg.string({ required: false }),
    },
    errors: {},
    resolve: (_root, args, ctx) =>
      ctx.managers.resources.match({
        accessNumber: args.accessNumber,
        phoneNumber: args.phoneNumber,
        accessCode: args.accessCode,
      }),
  }),
}));

const PoolRef = builder.objectRef<{ group: string; health: PoolHealth }>('ResourcePool').implement({
  description: 'The booked/free counts of one resource group.',
  fields: (t) => ({
    group: t.exposeString('group'),
    health: t.field({ type: PoolHealthRef, resolve: (p) => p.health }),
  }),
});

/** How often the live pool counts are re-read: bookings also end by expiry, which no event announces. */
const POOL_REFRESH_MS = 2_000;

builder.queryFields((t) => ({
  resourcePools: t.field({
    type: [PoolRef],
    authScopes: { admin: true },
    description: 'Booked/free counts of every resource group (aggregated; no numbers listed).',
    resolve: (_root, _args, ctx) => ctx.managers.resources.poolHealth(),
  }),
}));

builder.subscriptionFields((t) => ({
  resourcePoolsChanged: t.field({
    type: [PoolRef],
    authScopes: { admin: true },
    description: `Live booked/free counts of every resource group: the counts now, then again whenever they change (checked every ${POOL_REFRESH_MS / 1000} s).`,
    subscribe: (_root, _args, ctx) =>
      changedOnly(
        refreshOnEvents(ctx.deps.bus, [], () => ctx.managers.resources.poolHealth(), POOL_REFRESH_MS),
      ),
    resolve: (pools) => pools,
  }),
}));

/** Passes a value on only when it differs from the last one passed. */
async function* changedOnly<T>(source: AsyncGenerator<T>): AsyncGenerator<T> {
  let last: string | null = null;
  for await (const value of source) {
    const key = JSON.stringify(value);
    if (key === last) continue;
    last = key;
    yield value;
  }
}
