import { GraphQLError } from 'graphql';
import { graphqlRequester } from '../../auth/ownership.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { builder } from '../../graphql/builder.js';
import type { GraphQLContext } from '../../graphql/context.js';
import { refreshOnEvents } from '../../pubsub/refresh-on-events.js';
import type { SessionEvent } from '../event/event.manager.js';
import type { QueuePosition } from '../routing/routing.manager.js';
import { ServiceOptionInput } from '../services/services.graphql.js';
import { callbackRecord, checkQueuePositionBody, dialogBody } from './callback.legacy.js';
import {
  type CallbackDialog,
  type CallbackQuery,
  type CallbackRow,
  DIAL_OUTCOMES,
  type DialogAnswer,
  type DialRequest,
} from './callback.manager.js';
import { CALLBACK_STATES } from './callback.tables.js';

const CallbackStateEnum = builder.enumType('CallbackState', {
  values: CALLBACK_STATES,
  description:
    'SCHEDULED (waiting for its desired time), QUEUED (waiting for an agent, or for the customer of an immediate callback), ROUTING (an agent is reserved, or the customer arrived and waits for one), PROCESSING (connected; only with _retain_session_until_ixn_deleted), COMPLETED (see reason).',
});

const LIVE_REFRESH_MS = 5_000;

const DialOutcomeEnum = builder.enumType('CallbackDialOutcome', { values: DIAL_OUTCOMES });

const DialRequestRef = builder.objectRef<DialRequest>('CallbackDialRequest').implement({
  description: 'A user-terminated callback whose customer the dialer is to call now.',
  fields: (t) => ({
    id: t.exposeID('id'),
    serviceName: t.exposeString('serviceName'),
    customerNumber: t.exposeString('customerNumber', { description: 'Normalised with a leading +.' }),
    agentId: t.exposeString('agentId', { nullable: true, description: 'The agent reserved for the call.' }),
    virtualQueue: t.exposeString('virtualQueue'),
    at: t.field({ type: 'DateTime', resolve: (d) => d.at }),
  }),
});

type DialogOf<A extends CallbackDialog['action']> = Extract<CallbackDialog, { action: A }>;

/**
 * Every dialog action: its enum value, object type and meaning (a Record, so a new action fails to
 * compile until it is described here).
 */
const DIALOG_ACTIONS: Record<CallbackDialog['action'], { name: string; type: string; description: string }> =
  {
    WaitForAgent: {
      name: 'WAIT_FOR_AGENT',
      type: 'CallbackWaitDialog',
      description: 'Wait: the device is notified (callbackEvents) when an agent is available.',
    },
    ConfirmationDialog: {
      name: 'CONFIRMATION',
      type: 'CallbackConfirmationDialog',
      description: 'User-terminated: the customer will be called (GMS ConfirmationDialog).',
    },
    StartChat: {
      name: 'START_CHAT',
      type: 'CallbackStartChatDialog',
      description: "Chat: start the callback's chat (GMS StartChat).",
    },
    DialNumber: {
      name: 'DIAL_NUMBER',
      type: 'CallbackDialNumberDialog',
      description: 'Voice: dial the booked access number (GMS DialNumber).',
    },
    DisplayMenu: {
      name: 'MENU',
      type: 'CallbackMenuDialog',
      description: 'The agent-available continuation: a menu whose one entry is connect (GMS DisplayMenu).',
    },
  };

const DialogActionEnum = builder.enumType('CallbackDialogAction', {
  description: "A callback dialog's kind (GMS names it in the dialog's `_action`; WAIT_FOR_AGENT has none).",
  values: Object.fromEntries(
    Object.entries(DIALOG_ACTIONS).map(([action, d]) => [
      d.name,
      { value: action, description: d.description },
    ]),
  ) as Record<string, { value: CallbackDialog['action']; description: string }>,
});

const DialogRef = builder.interfaceRef<CallbackDialog>('CallbackDialog').implement({
  description:
    'What a callback asks of the customer (its start or connect answer); the legacy API sends it as GMS JSON.',
  resolveType: (d) => DIALOG_ACTIONS[d.action].type,
  fields: (t) => ({ action: t.field({ type: DialogActionEnum, resolve: (d) => d.action }) }),
});

builder.objectRef<DialogOf<'WaitForAgent'>>('CallbackWaitDialog').implement({
  interfaces: [DialogRef],
  fields: (t) => ({
    desiredTime: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'A scheduled callback: when the customer asked to be called.',
      resolve: (d) => d.desiredTime,
    }),
  }),
});
builder.objectRef<DialogOf<'ConfirmationDialog'>>('CallbackConfirmationDialog').implement({
  interfaces: [DialogRef],
});
builder.objectRef<DialogOf<'StartChat'>>('CallbackStartChatDialog').implement({ interfaces: [DialogRef] });
builder.objectRef<DialogOf<'DialNumber'>>('CallbackDialNumberDialog').implement({
  interfaces: [DialogRef],
  fields: (t) => ({
    accessNumber: t.exposeString('accessNumber'),
    accessCode: t.exposeString('accessCode', {
      nullable: true,
      description: 'To key in after dialling (_provide_code); null when none.',
    }),
    expiresAt: t.field({
      type: 'DateTime',
      description: 'The number is booked for this customer until then.',
      resolve: (d) => d.expiresAt,
    }),
  }),
});
builder.objectRef<DialogOf<'DisplayMenu'>>('CallbackMenuDialog').implement({ interfaces: [DialogRef] });

/** GraphQL is always strict: a device sees only its own callbacks; admins see all. */
const visibleCallback = (ctx: GraphQLContext, id: string): Promise<CallbackRow | null> =>
  ctx.managers.callbacks.findOwned(graphqlRequester(ctx.viewer), id);

const ownCallback = (ctx: GraphQLContext, id: string): Promise<CallbackRow> =>
  ctx.managers.callbacks.owned(graphqlRequester(ctx.viewer), id);

async function subscribedCallback(ctx: GraphQLContext, id: string): Promise<CallbackRow> {
  const row = await visibleCallback(ctx, id);
  if (!row) throw new GraphQLError(`Callback '${id}' not found`, { extensions: { code: 'NOT_FOUND' } });
  return row;
}

export const CallbackRef = builder.objectRef<CallbackRow>('Callback').implement({
  description: 'A callback (a session of a `callback` service).',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The session id, also the routing request id.' }),
    serviceName: t.exposeString('serviceName'),
    state: t.field({ type: CallbackStateEnum, resolve: (c) => c.state }),
    reason: t.exposeString('reason', { nullable: true, description: '`_callback_reason` once COMPLETED.' }),
    mediaType: t.exposeString('mediaType', { description: 'voice or chat' }),
    callDirection: t.exposeString('callDirection'),
    customerNumber: t.exposeString('customerNumber', { nullable: true }),
    desiredTime: t.field({ type: 'DateTime', nullable: true, resolve: (c) => c.desiredTime }),
    virtualQueue: t.exposeString('virtualQueue'),
    target: t.exposeString('target', { nullable: true }),
    agentId: t.exposeString('agentId', { nullable: true }),
    connectCount: t.exposeInt('connectCount'),
    connectLimit: t.exposeInt('connectLimit'),
    createdAt: t.field({ type: 'DateTime', resolve: (c) => c.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (c) => c.updatedAt }),
    completedAt: t.field({ type: 'DateTime', nullable: true, resolve: (c) => c.completedAt }),
    dialog: t.field({
      type: DialogRef,
      nullable: true,
      description:
        'The dialog its start or latest connect answered with; null for a callback started before dialogs were stored that has not connected since.',
      resolve: (c) => c.dialog,
    }),
    record: t.field({
      type: 'JSON',
      description: 'The legacy callback record (reference §7.4), as the REST queries answer it.',
      resolve: (c) => callbackRecord(c),
    }),
  }),
});

const StartedRef = builder
  .objectRef<{ callback: CallbackRow; answer: DialogAnswer }>('CallbackStarted')
  .implement({
    fields: (t) => ({
      callback: t.field({ type: CallbackRef, resolve: (r) => r.callback }),
      dialog: t.field({ type: DialogRef, description: 'The first dialog.', resolve: (r) => r.answer.dialog }),
      response: t.field({
        type: 'JSON',
        description:
          'The legacy start response (the first dialog as GMS JSON): `{ _id, _text }`, or the DialNumber / StartChat / ConfirmationDialog dialog.',
        resolve: (r) => dialogBody(r.answer),
      }),
    }),
  });

const PositionRef = builder.objectRef<QueuePosition>('CallbackQueuePosition').implement({
  fields: (t) => ({
    position: t.exposeInt('position', { description: '1 for the next served; 0 once an agent is reserved.' }),
    totalWaiting: t.exposeInt('totalWaiting'),
    eta: t.exposeInt('eta', {
      nullable: true,
      description: 'Seconds; null when there is no estimate ("n/a").',
    }),
    agentReadyThresholdPassed: t.exposeBoolean('agentReadyThresholdPassed'),
    reason: t.exposeString('reason'),
    legacy: t.field({
      type: 'JSON',
      description: 'The `check-queue-position` body.',
      resolve: (p) => checkQueuePositionBody(p),
    }),
  }),
});

const EventRef = builder.objectRef<SessionEvent>('CallbackEvent').implement({
  description: 'A stored session event, as the push delivers it (`{ id, message, tag }`).',
  fields: (t) => ({
    seq: t.exposeInt('seq', { description: 'Dense per session: resume after the last one seen.' }),
    id: t.exposeString('deliveryId', { description: 'The push `id`.' }),
    tag: t.exposeString('tag'),
    message: t.field({
      type: 'JSON',
      description: 'The push message as GMS delivers it (a typed event presented as its GMS JSON).',
      resolve: (e, _args, ctx) => ctx.managers.events.wire(e),
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (e) => e.createdAt }),
  }),
});

const AdminCancelRef = builder
  .objectRef<{ cancelled: string[]; notCancelled: string[] }>('CallbackAdminCancelResult')
  .implement({
    fields: (t) => ({
      cancelled: t.exposeStringList('cancelled'),
      notCancelled: t.exposeStringList('notCancelled', {
        description: 'Unknown or already completed.',
      }),
    }),
  });

const queueArgs = (t: Parameters<Parameters<typeof builder.queryFields>[0]>[0]) => ({
  service: t.arg.string(),
  states: t.arg({ type: [CallbackStateEnum], description: 'Default: every state but COMPLETED.' }),
  excludeStates: t.arg({
    type: [CallbackStateEnum],
    description: 'Every state but these (legacy `_callback_state=!STATE`); not with `states`.',
  }),
  customerNumber: t.arg.string({ description: 'As given, or any spelling with the same digits.' }),
  target: t.arg.string(),
  virtualQueue: t.arg.string(),
  from: t.arg({ type: 'DateTime', description: 'Desired time (or creation time) from.' }),
  to: t.arg({ type: 'DateTime' }),
  limit: t.arg.int({ defaultValue: 500 }),
});

/**
 * The queue query's arguments: CallbackQuery's filters under the same names (GraphQL makes each
 * nullable), `service` for `serviceName`; `ids` and the legacy `queue` have no argument here.
 */
type QueueArgs = {
  [K in Exclude<keyof CallbackQuery, 'serviceName' | 'ids' | 'queue'>]?: CallbackQuery[K] | null;
} & { service?: string | null };

const toQuery = (a: QueueArgs): CallbackQuery => {
  if (a.states?.length && a.excludeStates?.length)
    throw new ValidationError('callback/invalid_state', 'Give states or excludeStates, not both', 'states');
  return {
    serviceName: a.service,
    states: a.states?.length
      ? a.states
      : a.excludeStates?.length
        ? null
        : ['SCHEDULED', 'QUEUED', 'ROUTING', 'PROCESSING'],
    excludeStates: a.excludeStates,
    customerNumber: a.customerNumber,
    target: a.target,
    virtualQueue: a.virtualQueue,
    from: a.from,
    to: a.to,
    limit: a.limit ?? 500,
    offset: a.offset ?? 0,
  };
};

builder.objectField(CallbackRef, 'queuePosition', (t) =>
  t.field({
    type: PositionRef,
    nullable: true,
    description:
      'Position and EWT in its virtual queue while it waits for an agent (QUEUED, ROUTING, PROCESSING); null otherwise. One lookup per callback: page long lists.',
    resolve: async (c, _a, ctx) => {
      if (!c.enqueuedAt || c.state === 'COMPLETED' || c.state === 'SCHEDULED') return null;
      try {
        return await ctx.managers.callbacks.queuePosition(c.id);
      } catch (err) {
        // Between the read and this lookup the request may have left routing (answered, cancelled).
        if (err instanceof NotFoundError) return null;
        throw err;
      }
    },
  }),
);

builder.queryFields((t) => ({
  callback: t.field({
    type: CallbackRef,
    nullable: true,
    authScopes: { public: true },
    description: 'A callback started with your gms_user header (admins: any).',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, args, ctx) => visibleCallback(ctx, String(args.id)),
  }),
  callbackQueuePosition: t.field({
    type: PositionRef,
    authScopes: { public: true },
    description: 'Position and EWT of your callback in its virtual queue (check-queue-position).',
    args: { id: t.arg.id({ required: true }) },
    errors: {},
    resolve: async (_r, args, ctx) => {
      const row = await ownCallback(ctx, String(args.id));
      return ctx.managers.callbacks.queuePosition(row.id);
    },
  }),
  callbackPendingDials: t.field({
    type: [DialRequestRef],
    authScopes: { admin: true },
    description: 'Dialer integration: user-terminated callbacks waiting for their call, oldest first.',
    args: { limit: t.arg.int({ defaultValue: 100 }) },
    resolve: (_r, args, ctx) => ctx.managers.callbacks.pendingDials(args.limit ?? 100),
  }),
  callbackQueue: t.field({
    type: [CallbackRef],
    authScopes: { admin: true },
    description: 'Callback Management: the queue by service, state, target and time.',
    args: {
      ...queueArgs(t),
      offset: t.arg.int({
        defaultValue: 0,
        description: 'Rows to skip: page with offset + limit (same order).',
      }),
    },
    resolve: (_r, args, ctx) => ctx.managers.callbacks.list(toQuery(args)),
  }),
}));

builder.mutationFields((t) => ({
  startCallback: t.field({
    type: StartedRef,
    authScopes: { public: true },
    description:
      'POST /genesys/1/service/callback/{service}: `_` parameters are control parameters, the others user data. Subscribe to `callbackEvents(id)` afterwards: it starts with the stored events, so nothing is missed.',
    args: {
      service: t.arg.string({ required: true }),
      parameters: t.arg({ type: [ServiceOptionInput], required: true }),
    },
    errors: {},
    resolve: async (_r, args, ctx) => {
      const control: Record<string, string> = {};
      const userData: Record<string, string> = {};
      for (const p of args.parameters) (p.name.startsWith('_') ? control : userData)[p.name] = p.value;
      const answer = await ctx.managers.callbacks.start(
        args.service,
        { control, userData, files: [] },
        { ...graphqlRequester(ctx.viewer), baseUrl: ctx.deps.config.publicUrl },
      );
      return { callback: await ctx.managers.callbacks.get(answer.callback.id), answer };
    },
  }),
  connectCallback: t.field({
    type: 'JSON',
    authScopes: { public: true },
    description:
      'POST /genesys/1/service/{id}/connect: the DialNumber, StartChat or ConfirmationDialog dialog as GMS JSON (typed: `callback(id) { dialog }` afterwards).',
    args: { id: t.arg.id({ required: true }) },
    errors: {},
    resolve: async (_r, args, ctx) => {
      const row = await ownCallback(ctx, String(args.id));
      return dialogBody(await ctx.managers.callbacks.connect(row.id));
    },
  }),
  cancelCallback: t.field({
    type: CallbackRef,
    authScopes: { public: true },
    description: 'DELETE /genesys/1/service/callback/{name}/{id}: COMPLETED with reason CANCELLED.',
    args: { id: t.arg.id({ required: true }) },
    errors: {},
    resolve: async (_r, args, ctx) => {
      const row = await ownCallback(ctx, String(args.id));
      return ctx.managers.callbacks.cancel(row.id);
    },
  }),
  rescheduleCallback: t.field({
    type: CallbackRef,
    authScopes: { public: true },
    description:
      'PUT /genesys/1/service/callback/{name}/{id} with `_new_desired_time`: checked against office hours and capacity.',
    args: { id: t.arg.id({ required: true }), desiredTime: t.arg({ type: 'DateTime', required: true }) },
    errors: {},
    resolve: async (_r, args, ctx) => {
      const row = await ownCallback(ctx, String(args.id));
      return ctx.managers.callbacks.reschedule(row.id, args.desiredTime.toISOString());
    },
  }),
  updateCallback: t.field({
    type: CallbackRef,
    authScopes: { public: true },
    description:
      "PUT /genesys/1/service/callback/{name}/{id} as the mobile clients send it: a new desired time (checked against office hours and capacity), properties to store (user data: the callback record and the session's data, what the agent reads), or both, in one transaction.",
    args: {
      id: t.arg.id({ required: true }),
      desiredTime: t.arg({ type: 'DateTime' }),
      properties: t.arg({ type: [ServiceOptionInput], description: "Names without '_' (user data)." }),
    },
    errors: {},
    resolve: async (_r, args, ctx) => {
      const row = await ownCallback(ctx, String(args.id));
      return ctx.managers.callbacks.update(row.id, {
        newDesiredTime: args.desiredTime ? args.desiredTime.toISOString() : null,
        properties: Object.fromEntries((args.properties ?? []).map((p) => [p.name, p.value])),
      });
    },
  }),
  reportCallbackDialOutcome: t.field({
    type: CallbackRef,
    authScopes: { admin: true },
    description:
      'Dialer integration: CONNECTED gives the customer to the reserved agent; NO_ANSWER, BUSY or FAILED completes the callback with FAIL_CALL_TO_CUSTOMER.',
    args: { id: t.arg.id({ required: true }), outcome: t.arg({ type: DialOutcomeEnum, required: true }) },
    errors: {},
    resolve: (_r, args, ctx) => ctx.managers.callbacks.reportDialOutcome(String(args.id), args.outcome),
  }),
  adminCancelCallbacks: t.field({
    type: AdminCancelRef,
    authScopes: { admin: true },
    description: 'Bulk cancel: each active callback becomes COMPLETED with CANCELLED_BY_ADMIN.',
    args: { ids: t.arg.idList({ required: true }), reason: t.arg.string() },
    errors: {},
    resolve: (_r, args, ctx) =>
      ctx.managers.callbacks.adminCancel(args.ids.map(String), args.reason ?? undefined),
  }),
}));

builder.subscriptionFields((t) => ({
  callbackEvents: t.field({
    type: EventRef,
    authScopes: { public: true },
    description:
      'Your callback session events (agent available, notifications…): first every stored event after `afterSeq`, then new ones as they commit on any instance.',
    args: { id: t.arg.id({ required: true }), afterSeq: t.arg.int({ defaultValue: 0 }) },
    subscribe: async function* (_r, args, ctx) {
      const row = await subscribedCallback(ctx, String(args.id));
      const stream = ctx.managers.events.streamSession(row.id, args.afterSeq ?? 0);
      try {
        for await (const event of stream) yield event;
      } finally {
        await stream.return();
      }
    },
    resolve: (event) => event,
  }),
  callbackQueuePositionChanges: t.field({
    type: PositionRef,
    authScopes: { public: true },
    description: 'Live position and EWT of your callback: the current value, then after every queue change.',
    args: { id: t.arg.id({ required: true }) },
    subscribe: async function* (_r, args, ctx) {
      const row = await subscribedCallback(ctx, String(args.id));
      yield* refreshOnEvents(
        ctx.deps.bus,
        [
          { topic: 'routing:queue', key: row.virtualQueue },
          { topic: 'routing:reservation', key: row.id },
          { topic: 'callback:changed', key: row.serviceName },
        ],
        () => ctx.managers.callbacks.queuePosition(row.id),
        LIVE_REFRESH_MS,
      );
    },
    resolve: (p) => p,
  }),
  callbackDialRequests: t.field({
    type: [DialRequestRef],
    authScopes: { admin: true },
    description:
      'Dialer integration, live: the pending dials now, then again after every new dial request (at least every 5 s).',
    subscribe: (_r, _a, ctx) =>
      refreshOnEvents(
        ctx.deps.bus,
        [
          { topic: 'callback:dial', key: null },
          { topic: 'callback:changed', key: null },
        ],
        () => ctx.managers.callbacks.pendingDials(),
        LIVE_REFRESH_MS,
      ),
    resolve: (rows) => rows,
  }),
  callbackQueueChanges: t.field({
    type: [CallbackRef],
    authScopes: { admin: true },
    description:
      'Callback Management, live: the matching callbacks now, then again after every change (from stored state; changes only prompt a re-read).',
    args: {
      service: t.arg.string(),
      states: t.arg({ type: [CallbackStateEnum] }),
      excludeStates: t.arg({ type: [CallbackStateEnum] }),
      customerNumber: t.arg.string(),
      target: t.arg.string(),
      virtualQueue: t.arg.string(),
      limit: t.arg.int({ defaultValue: 500 }),
    },
    subscribe: (_r, args, ctx) =>
      refreshOnEvents(
        ctx.deps.bus,
        [{ topic: 'callback:changed', key: args.service ?? null }],
        () => ctx.managers.callbacks.list(toQuery(args)),
        LIVE_REFRESH_MS,
      ),
    resolve: (rows) => rows,
  }),
}));
