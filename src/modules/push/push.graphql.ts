import { GraphQLError } from 'graphql';
import { DomainError, ForbiddenError, NotFoundError } from '../../errors.js';
import { builder } from '../../graphql/builder.js';
import type { DeviceEvent, SessionEvent } from '../event/event.manager.js';
import type { NotificationSubscriptionRow, PushDeliveryRow } from './push.tables.js';

export const SessionEventRef = builder.objectRef<SessionEvent>('SessionEvent').implement({
  description:
    'An event of a service session, as a GMS push delivers it (`{ id, message, tag }`), with its per-session sequence number.',
  fields: (t) => ({
    id: t.exposeID('deliveryId', { description: 'The push `id` (resume with `afterId`).' }),
    sessionId: t.exposeID('sessionId'),
    seq: t.exposeInt('seq', { description: 'Dense per-session sequence number (resume with `afterSeq`).' }),
    tag: t.exposeString('tag', { description: 'GMS tag, e.g. `service.agentavailable.<session id>`.' }),
    message: t.field({
      type: 'JSON',
      description: 'The push message as GMS delivers it (a typed event presented as its GMS JSON).',
      resolve: (e, _args, ctx) => ctx.managers.events.wire(e),
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (e) => e.createdAt }),
  }),
});

export const DeviceEventRef = builder.objectRef<DeviceEvent>('DeviceEvent').implement({
  description: 'An event of any session of one device (gms_user), with the cursor to resume after it.',
  fields: (t) => ({
    id: t.exposeID('deliveryId', { description: 'The push `id` (resume with `afterId`).' }),
    sessionId: t.exposeID('sessionId'),
    seq: t.exposeInt('seq', { description: 'Dense per-session sequence number (resume with `afterSeq`).' }),
    tag: t.exposeString('tag', { description: 'GMS tag, e.g. `service.agentavailable.<session id>`.' }),
    message: t.field({
      type: 'JSON',
      description: 'The push message as GMS delivers it (a typed event presented as its GMS JSON).',
      resolve: (e, _args, ctx) => ctx.managers.events.wire(e),
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (e) => e.createdAt }),
    cursor: t.exposeString('cursor', {
      description: 'Opaque position after this event: pass it as `cursor` to resume.',
    }),
  }),
});

/** Subscriptions have no error unions: domain failures become plain GraphQL errors with a code. */
function asGraphQLError(err: unknown): never {
  if (err instanceof NotFoundError)
    throw new GraphQLError(err.message, { extensions: { code: 'NOT_FOUND', reason: err.code } });
  if (err instanceof ForbiddenError)
    throw new GraphQLError(err.message, { extensions: { code: 'FORBIDDEN', reason: err.code } });
  if (err instanceof DomainError)
    throw new GraphQLError(err.message, { extensions: { code: 'BAD_USER_INPUT', reason: err.code } });
  throw err;
}

builder.queryFields((t) => ({
  serviceSessionEvents: t.field({
    type: [SessionEventRef],
    authScopes: { public: true },
    description:
      'Stored events of your session after a position (catch-up after a reconnect: subscribe first, then read, and de-duplicate by seq).',
    args: {
      sessionId: t.arg.id({ required: true }),
      afterSeq: t.arg.int(),
      afterId: t.arg.id(),
      limit: t.arg.int({ defaultValue: 100 }),
    },
    errors: {},
    resolve: (_r, args, ctx) =>
      ctx.managers.push.sessionEvents(
        ctx.viewer,
        String(args.sessionId),
        { afterSeq: args.afterSeq, afterId: args.afterId ? String(args.afterId) : null },
        args.limit ?? 100,
      ),
  }),
  deviceEvents: t.field({
    type: [DeviceEventRef],
    authScopes: { public: true },
    description:
      'Stored events of every session of your device (gms_user; admins name one) after a cursor, oldest first.',
    args: {
      gmsUser: t.arg.string(),
      cursor: t.arg.string(),
      limit: t.arg.int({ defaultValue: 100 }),
    },
    errors: {},
    resolve: (_r, args, ctx) =>
      ctx.managers.push.deviceEvents(ctx.viewer, args.gmsUser, args.cursor ?? null, args.limit ?? 100),
  }),
}));

builder.subscriptionFields((t) => ({
  serviceSessionEvents: t.field({
    type: SessionEventRef,
    authScopes: { public: true },
    description:
      'Live events of your session (admins: any). Events stored after `afterSeq`/`afterId` (default: all still stored) come first, then new ones from any instance.',
    args: {
      sessionId: t.arg.id({ required: true }),
      afterSeq: t.arg.int(),
      afterId: t.arg.id(),
    },
    // The event stream itself, not wrapped in an async generator: one promise hop less per event
    // and subscriber (20,000 subscribers of a device), and return() ends it at once instead of
    // after the generator's pending next().
    subscribe: (_r, args, ctx) =>
      ctx.managers.push
        .streamSession(ctx.viewer, String(args.sessionId), {
          afterSeq: args.afterSeq,
          afterId: args.afterId ? String(args.afterId) : null,
        })
        .catch(asGraphQLError),
    resolve: (event) => event,
  }),
  deviceEvents: t.field({
    type: DeviceEventRef,
    authScopes: { public: true },
    description:
      'Live events of every session of your device (gms_user header or connection parameter; admins name one). Resume with the last `cursor` seen; without one, every stored event comes first.',
    args: { gmsUser: t.arg.string(), cursor: t.arg.string() },
    subscribe: (_r, args, ctx) => {
      try {
        return ctx.managers.push.streamDevice(ctx.viewer, args.gmsUser, args.cursor ?? null);
      } catch (err) {
        return asGraphQLError(err);
      }
    },
    resolve: (event) => event,
  }),
}));

const NotificationSubscriptionRef = builder
  .objectRef<NotificationSubscriptionRow>('NotificationSubscription')
  .implement({
    description: 'A Notification API subscription (POST /genesys/1/notification/subscription).',
    fields: (t) => ({
      id: t.exposeID('id'),
      subscriberId: t.exposeString('subscriberId'),
      providerName: t.exposeString('providerName', { nullable: true }),
      type: t.exposeString('type', { description: 'comet, httpcb, customhttp, ios, fcm, android or gcm.' }),
      deviceId: t.exposeString('deviceId', { nullable: true }),
      filter: t.exposeString('filter', { description: 'Matched against event tags; `*` is a wildcard.' }),
      gmsUser: t.exposeString('gmsUser', { nullable: true }),
      createdAt: t.field({ type: 'DateTime', resolve: (s) => s.createdAt }),
      expiresAt: t.field({ type: 'DateTime', resolve: (s) => s.expiresAt }),
    }),
  });

const PushDeliveryStatusEnum = builder.enumType('PushDeliveryStatus', {
  values: ['pending', 'delivered', 'dead'] as const,
  description: '`dead`: given up (last attempt or a permanent failure); the dead-letter record.',
});

const PushDeliveryRef = builder.objectRef<PushDeliveryRow>('PushDelivery').implement({
  description: 'One provider delivery (httpcb, customhttp, APNs, FCM) of the push outbox.',
  fields: (t) => ({
    id: t.exposeID('id'),
    source: t.exposeString('source', {
      description: '`session` (a session event) or `notification` (publish).',
    }),
    subscriptionId: t.exposeID('subscriptionId', { nullable: true }),
    sessionId: t.exposeID('sessionId', { nullable: true }),
    seq: t.exposeInt('seq', { nullable: true }),
    type: t.exposeString('type'),
    deviceId: t.exposeString('deviceId'),
    eventId: t.exposeID('eventId', { description: 'The push `id` the device sees.' }),
    tag: t.exposeString('tag'),
    message: t.field({ type: 'JSON', resolve: (d) => d.message }),
    status: t.field({ type: PushDeliveryStatusEnum, resolve: (d) => d.status }),
    attempts: t.exposeInt('attempts'),
    lastError: t.exposeString('lastError', { nullable: true }),
    nextAttemptAt: t.field({ type: 'DateTime', resolve: (d) => d.nextAttemptAt }),
    createdAt: t.field({ type: 'DateTime', resolve: (d) => d.createdAt }),
    deliveredAt: t.field({ type: 'DateTime', nullable: true, resolve: (d) => d.deliveredAt }),
  }),
});

builder.queryFields((t) => ({
  notificationSubscriptions: t.field({
    type: [NotificationSubscriptionRef],
    authScopes: { admin: true },
    description: 'Live Notification API subscriptions, newest first.',
    args: { limit: t.arg.int({ defaultValue: 100 }) },
    resolve: (_r, args, ctx) => ctx.managers.notifications.list(args.limit ?? 100),
  }),
  pushDeliveries: t.field({
    type: [PushDeliveryRef],
    authScopes: { admin: true },
    description: 'Provider deliveries and their status (dead = dead-lettered), newest first.',
    args: {
      status: t.arg({ type: PushDeliveryStatusEnum }),
      subscriptionId: t.arg.id(),
      sessionId: t.arg.id(),
      limit: t.arg.int({ defaultValue: 100 }),
    },
    resolve: (_r, args, ctx) =>
      ctx.managers.notifications.deliveries({
        status: args.status,
        subscriptionId: args.subscriptionId ? String(args.subscriptionId) : null,
        sessionId: args.sessionId ? String(args.sessionId) : null,
        limit: args.limit ?? 100,
      }),
  }),
}));

builder.mutationFields((t) => ({
  retryPushDelivery: t.field({
    type: PushDeliveryRef,
    authScopes: { admin: true },
    description: 'Puts a dead-lettered delivery back in the queue with fresh attempts.',
    args: { id: t.arg.id({ required: true }) },
    errors: {},
    resolve: (_r, args, ctx) => ctx.managers.notifications.retry(String(args.id)),
  }),
}));
