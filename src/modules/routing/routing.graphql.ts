import { GraphQLError } from 'graphql';
import { ForbiddenError, ValidationError } from '../../errors.js';
import { builder } from '../../graphql/builder.js';
import type { GraphQLContext } from '../../graphql/context.js';
import { subscribeTopic } from '../../graphql/subscriptions.js';
import { refreshOnEvents } from '../../pubsub/refresh-on-events.js';
import type { AgentGroupView, AgentView, Skill } from './agents.js';
import type { AgentEvent } from './events.js';
import type { ReservationView } from './routing.manager.js';
import { AGENT_STATES, REQUEST_STATES, RESERVATION_OUTCOMES } from './routing.tables.js';
import type { QueuePosition, RoutingRequestView } from './routing.types.js';
import { LEGACY_METRICS, LEGACY_OBJECT_TYPES, type RoutingStatistics } from './stats.js';
import type { ParsedTarget } from './target.js';
import type { VirtualQueueView } from './virtual-queues.js';

const AgentStateEnum = builder.enumType('RoutingAgentState', {
  description: 'RESERVED and BUSY are set by the router; an agent sets the others.',
  values: AGENT_STATES,
});

const SettableStateEnum = builder.enumType('RoutingAgentSettableState', {
  values: ['LOGGED_OUT', 'NOT_READY', 'READY', 'AFTER_CALL_WORK'] as const,
});

const RequestStateEnum = builder.enumType('RoutingRequestState', { values: REQUEST_STATES });

const OutcomeEnum = builder.enumType('RoutingReservationOutcome', {
  description: 'Why a reservation ended.',
  values: RESERVATION_OUTCOMES,
});

const EventKindEnum = builder.enumType('RoutingReservationEventKind', {
  values: ['RESERVED', 'ACCEPTED', ...RESERVATION_OUTCOMES] as const,
});

const ObjectTypeEnum = builder.enumType('RoutingObjectType', {
  values: ['VIRTUAL_QUEUE', 'AGENT_GROUP', 'AGENT'] as const,
});

const AfterRejectEnum = builder.enumType('RoutingAfterReject', { values: ['READY', 'NOT_READY'] as const });
const AfterCompleteEnum = builder.enumType('RoutingAfterComplete', {
  values: ['READY', 'AFTER_CALL_WORK', 'NOT_READY'] as const,
});

function agentIdOf(ctx: GraphQLContext): string {
  if (ctx.viewer.kind !== 'agent') throw new ForbiddenError('Agent desktop operations need an agent token');
  return ctx.viewer.agentId;
}

function reservationIdArg(value: string | number): number {
  const text = String(value);
  if (!/^\d{1,15}$/.test(text))
    throw new ValidationError('routing/invalid_reservation_id', 'Not a reservation id', 'reservationId');
  return Number(text);
}

const SkillRef = builder.objectRef<Skill>('RoutingSkill').implement({
  fields: (t) => ({ name: t.exposeString('name'), level: t.exposeInt('level') }),
});

const ReservationRef = builder.objectRef<ReservationView>('RoutingReservation').implement({
  description: 'An agent reserved for a request: pending until accepted, then the interaction.',
  fields: (t) => ({
    id: t.exposeID('id'),
    requestId: t.exposeString('requestId', { description: 'The session or callback id.' }),
    virtualQueue: t.exposeString('virtualQueue'),
    agentId: t.exposeString('agentId'),
    target: t.exposeString('target'),
    priority: t.exposeInt('priority'),
    data: t.field({
      type: 'JSON',
      description: "The enqueuer's data (for callbacks, the session's user data).",
      resolve: (r) => r.data,
    }),
    enqueuedAt: t.field({ type: 'DateTime', resolve: (r) => r.enqueuedAt }),
    reservedAt: t.field({ type: 'DateTime', resolve: (r) => r.reservedAt }),
    expiresAt: t.field({
      type: 'DateTime',
      description: 'Accept before this, or the request returns to the queue.',
      resolve: (r) => r.expiresAt,
    }),
    acceptedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.acceptedAt }),
    endedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.endedAt }),
    outcome: t.field({ type: OutcomeEnum, nullable: true, resolve: (r) => r.outcome }),
    requestState: t.field({ type: RequestStateEnum, resolve: (r) => r.requestState }),
  }),
});

const AgentRef = builder.objectRef<AgentView>('RoutingAgent').implement({
  fields: (t) => ({
    id: t.exposeString('id'),
    name: t.exposeString('name'),
    state: t.field({ type: AgentStateEnum, resolve: (a) => a.state }),
    stateChangedAt: t.field({ type: 'DateTime', resolve: (a) => a.stateChangedAt }),
    readySince: t.field({ type: 'DateTime', nullable: true, resolve: (a) => a.readySince }),
    hasPassword: t.exposeBoolean('hasPassword', {
      description: 'Whether the agent can log in to the desktop.',
    }),
    skills: t.field({ type: [SkillRef], resolve: (a) => a.skills }),
    groups: t.exposeStringList('groups'),
    currentReservation: t.field({
      type: ReservationRef,
      nullable: true,
      description: 'The pending reservation or the interaction being handled.',
      resolve: (a, _args, ctx) =>
        a.currentReservationId === null ? null : ctx.managers.routing.reservation(a.currentReservationId),
    }),
  }),
});

const GroupRef = builder.objectRef<AgentGroupView>('RoutingAgentGroup').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    description: t.exposeString('description'),
    agentIds: t.exposeStringList('agentIds'),
  }),
});

const RequestRef = builder.objectRef<RoutingRequestView>('RoutingRequest').implement({
  fields: (t) => ({
    requestId: t.exposeString('requestId'),
    virtualQueue: t.exposeString('virtualQueue'),
    target: t.exposeString('target'),
    priority: t.exposeInt('priority'),
    data: t.field({ type: 'JSON', resolve: (r) => r.data }),
    state: t.field({ type: RequestStateEnum, resolve: (r) => r.state }),
    enqueuedAt: t.field({ type: 'DateTime', resolve: (r) => r.enqueuedAt }),
    agentId: t.exposeString('agentId', { nullable: true }),
    reservationId: t.exposeID('reservationId', { nullable: true }),
    reservationExpiresAt: t.field({
      type: 'DateTime',
      nullable: true,
      resolve: (r) => r.reservationExpiresAt,
    }),
    reservationCount: t.exposeInt('reservationCount'),
    acceptedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.acceptedAt }),
    completedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.completedAt }),
    cancelledAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.cancelledAt }),
  }),
});

const PositionRef = builder.objectRef<QueuePosition>('RoutingQueuePosition').implement({
  fields: (t) => ({
    requestId: t.exposeString('requestId'),
    state: t.field({ type: RequestStateEnum, resolve: (p) => p.state }),
    position: t.exposeInt('position'),
    totalWaiting: t.exposeInt('totalWaiting'),
    eta: t.exposeInt('eta', { nullable: true, description: 'Seconds; null when there is no estimate.' }),
    agentReadyThresholdPassed: t.exposeBoolean('agentReadyThresholdPassed'),
    reason: t.exposeString('reason'),
  }),
});

const StatisticsRef = builder.objectRef<RoutingStatistics>('RoutingStatistics').implement({
  fields: (t) => ({
    objectType: t.field({ type: ObjectTypeEnum, resolve: (s) => s.objectType }),
    objectId: t.exposeString('objectId'),
    windowSeconds: t.exposeInt('windowSeconds'),
    computedAt: t.field({ type: 'DateTime', resolve: (s) => s.computedAt }),
    requestsWaiting: t.exposeInt('requestsWaiting'),
    requestsReserved: t.exposeInt('requestsReserved'),
    expectedWaitSeconds: t.exposeInt('expectedWaitSeconds', {
      nullable: true,
      description: 'EWT of a request arriving now; null when no matching agent is staffed.',
    }),
    longestCurrentWaitSeconds: t.exposeInt('longestCurrentWaitSeconds'),
    agentsReady: t.exposeInt('agentsReady'),
    agentsBusy: t.exposeInt('agentsBusy', { description: 'Reserved, busy or in after-call work.' }),
    agentsNotReady: t.exposeInt('agentsNotReady'),
    agentsLoggedIn: t.exposeInt('agentsLoggedIn'),
    agentState: t.field({ type: AgentStateEnum, nullable: true, resolve: (s) => s.agentState }),
    averageHandleSeconds: t.exposeFloat('averageHandleSeconds', { nullable: true }),
    answered: t.exposeInt('answered'),
    averageWaitSeconds: t.exposeFloat('averageWaitSeconds', { nullable: true }),
    maxWaitSeconds: t.exposeFloat('maxWaitSeconds', { nullable: true }),
    abandoned: t.exposeInt('abandoned'),
    abandonedPercentage: t.exposeFloat('abandonedPercentage'),
    averageAbandonWaitSeconds: t.exposeFloat('averageAbandonWaitSeconds', { nullable: true }),
    statServerValue: t.string({
      nullable: true,
      description:
        'The value of a Stat Server metric (the legacy Stat API names, see `statServerMetrics`), as text; null when the metric has no value for this object.',
      args: { metric: t.arg.string({ required: true }) },
      resolve: (s, args) => {
        const read = LEGACY_METRICS[args.metric];
        // A plain field (no result union): a GraphQLError reaches the client unmasked.
        if (!read)
          throw new GraphQLError(`Unknown metric '${args.metric}': see statServerMetrics`, {
            extensions: { code: 'BAD_USER_INPUT', field: 'metric' },
          });
        const value = read(s);
        return value === null ? null : String(value);
      },
    }),
  }),
});

const StatObjectTypeRef = builder
  .objectRef<{ name: string; objectType: RoutingStatistics['objectType'] }>('StatServerObjectType')
  .implement({
    fields: (t) => ({
      name: t.exposeString('name', {
        description: 'Stat Server name, lower case (regdn, agent, groupagents, queue).',
      }),
      objectType: t.field({ type: ObjectTypeEnum, resolve: (o) => o.objectType }),
    }),
  });

const VirtualQueueRef = builder.objectRef<VirtualQueueView>('VirtualQueue').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    description: t.exposeString('description'),
    target: t.exposeString('target', { nullable: true }),
    reservationTimeoutSeconds: t.exposeInt('reservationTimeoutSeconds', {
      nullable: true,
      description: 'Null: the engine default.',
    }),
    defaultHandleSeconds: t.exposeInt('defaultHandleSeconds', { nullable: true }),
    averageHandleSeconds: t.exposeFloat('averageHandleSeconds', { nullable: true }),
    handleSamples: t.exposeInt('handleSamples'),
    requests: t.field({
      type: [RequestRef],
      description: 'Active requests in queue order.',
      args: { limit: t.arg.int({ required: false }) },
      resolve: async (q, args, ctx) =>
        await ctx.managers.routing.listRequests({ virtualQueue: q.name, limit: args.limit ?? 100 }),
    }),
  }),
});

const TargetCheckRef = builder
  .objectRef<{ valid: boolean; parsed: ParsedTarget | null; message: string | null }>('RoutingTargetCheck')
  .implement({
    fields: (t) => ({
      valid: t.exposeBoolean('valid'),
      message: t.exposeString('message', { nullable: true }),
      normalized: t.string({ nullable: true, resolve: (c) => c.parsed?.normalized ?? null }),
      kind: t.string({ nullable: true, resolve: (c) => c.parsed?.kind ?? null }),
      groups: t.stringList({ resolve: (c) => c.parsed?.groups ?? [] }),
    }),
  });

const AgentEventRef = builder.objectRef<AgentEvent>('RoutingAgentEvent').implement({
  description: 'A change of the agent: its state, and the reservation change that caused it, if any.',
  fields: (t) => ({
    agentId: t.exposeString('agentId'),
    state: t.field({ type: AgentStateEnum, resolve: (e) => e.state }),
    at: t.field({ type: 'DateTime', resolve: (e) => e.at }),
    kind: t.field({ type: EventKindEnum, nullable: true, resolve: (e) => e.reservation?.kind ?? null }),
    reservationId: t.id({ nullable: true, resolve: (e) => e.reservation?.reservationId ?? null }),
    reservation: t.field({
      type: ReservationRef,
      nullable: true,
      description: 'The reservation as stored now (with the request data).',
      resolve: (e, _args, ctx) =>
        e.reservation ? ctx.managers.routing.reservation(e.reservation.reservationId) : null,
    }),
  }),
});

const AgentLoginRef = builder
  .objectRef<{ token: string; expiresAt: Date; agent: AgentView }>('AgentLoginPayload')
  .implement({
    fields: (t) => ({
      token: t.exposeString('token', { description: 'Send as `Authorization: Bearer <token>`.' }),
      expiresAt: t.field({ type: 'DateTime', resolve: (r) => r.expiresAt }),
      agent: t.field({ type: AgentRef, resolve: (r) => r.agent }),
    }),
  });

const SkillInput = builder.inputType('RoutingSkillInput', {
  fields: (t) => ({ name: t.string({ required: true }), level: t.int({ required: true }) }),
});

const AgentInput = builder.inputType('RoutingAgentInput', {
  fields: (t) => ({
    id: t.string({ required: true }),
    name: t.string({ required: false }),
    password: t.string({ required: false, description: 'Agent desktop password (8+ characters).' }),
    skills: t.field({ type: [SkillInput], required: false, description: 'Replaces the skills when given.' }),
    groups: t.stringList({ required: false, description: 'Replaces the group membership when given.' }),
  }),
});

const VirtualQueueInput = builder.inputType('VirtualQueueInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    description: t.string({ required: false }),
    target: t.string({ required: false, description: 'Default target; empty string clears it.' }),
    reservationTimeoutSeconds: t.int({ required: false }),
    defaultHandleSeconds: t.int({ required: false }),
  }),
});

const adminOrAgent = { admin: true, agent: true } as const;

builder.queryFields((t) => ({
  routingAgents: t.field({
    type: [AgentRef],
    authScopes: { admin: true },
    resolve: (_r, _a, ctx) => ctx.managers.routing.agents.list(),
  }),
  routingAgent: t.field({
    type: AgentRef,
    nullable: true,
    authScopes: { admin: true },
    args: { id: t.arg.string({ required: true }) },
    resolve: (_r, args, ctx) => ctx.managers.routing.agents.get(args.id),
  }),
  routingAgentGroups: t.field({
    type: [GroupRef],
    authScopes: { admin: true },
    resolve: (_r, _a, ctx) => ctx.managers.routing.agents.listGroups(),
  }),
  virtualQueues: t.field({
    type: [VirtualQueueRef],
    authScopes: { admin: true },
    resolve: (_r, _a, ctx) => ctx.managers.routing.queues.list(),
  }),
  virtualQueue: t.field({
    type: VirtualQueueRef,
    nullable: true,
    authScopes: { admin: true },
    args: { name: t.arg.string({ required: true }) },
    resolve: (_r, args, ctx) => ctx.managers.routing.queues.get(args.name),
  }),
  routingRequest: t.field({
    type: RequestRef,
    nullable: true,
    authScopes: { admin: true },
    description: 'The latest request with this id (active or finished).',
    args: { requestId: t.arg.string({ required: true }) },
    resolve: (_r, args, ctx) => ctx.managers.routing.router.get(args.requestId),
  }),
  routingQueuePosition: t.field({
    type: PositionRef,
    authScopes: { admin: true },
    args: { requestId: t.arg.string({ required: true }) },
    errors: {},
    resolve: (_r, args, ctx) => ctx.managers.routing.router.position(args.requestId),
  }),
  validateRoutingTarget: t.field({
    type: TargetCheckRef,
    authScopes: { admin: true },
    description: 'Checks a target such as `Billing@StatServer.GA` or `English=20&Loans=2@StatServer.??`.',
    args: { target: t.arg.string({ required: true }) },
    resolve: (_r, args, ctx) => {
      try {
        return { valid: true, parsed: ctx.managers.routing.validateTarget(args.target), message: null };
      } catch (err) {
        if (err instanceof ValidationError) return { valid: false, parsed: null, message: err.message };
        throw err;
      }
    },
  }),
  statServerMetrics: t.stringList({
    authScopes: { admin: true },
    description:
      'Stat Server metric names this engine computes (Lab → Statistics, legacy `POST /genesys/1/statistic`), for `RoutingStatistics.statServerValue`.',
    resolve: () => Object.keys(LEGACY_METRICS),
  }),
  statServerObjectTypes: t.field({
    type: [StatObjectTypeRef],
    authScopes: { admin: true },
    description:
      'Stat Server object types (RegDN, Agent, GroupAgents, …) this engine has objects for, with the routing type each reads.',
    resolve: () => Object.entries(LEGACY_OBJECT_TYPES).map(([name, objectType]) => ({ name, objectType })),
  }),
  routingStatistics: t.field({
    type: StatisticsRef,
    authScopes: adminOrAgent,
    args: {
      objectType: t.arg({ type: ObjectTypeEnum, required: true }),
      objectId: t.arg.string({ required: true }),
      windowSeconds: t.arg.int({ required: false, description: 'Default 900.' }),
    },
    errors: {},
    resolve: (_r, args, ctx) =>
      ctx.managers.routing.statistics(args.objectType, args.objectId, args.windowSeconds),
  }),
  agentMe: t.field({
    type: AgentRef,
    authScopes: { agent: true },
    description: 'The agent the desktop token belongs to, with its current reservation.',
    resolve: (_r, _a, ctx) => ctx.managers.routing.agents.require(agentIdOf(ctx)),
  }),
  agentReservations: t.field({
    type: [ReservationRef],
    authScopes: { agent: true },
    description: "The agent's recent reservations, newest first.",
    args: { limit: t.arg.int({ required: false }) },
    resolve: (_r, args, ctx) => ctx.managers.routing.agentReservations(agentIdOf(ctx), args.limit ?? 20),
  }),
}));

builder.mutationFields((t) => ({
  upsertRoutingAgent: t.field({
    type: AgentRef,
    authScopes: { admin: true },
    args: { input: t.arg({ type: AgentInput, required: true }) },
    errors: {},
    resolve: (_r, { input }, ctx) => ctx.managers.routing.agents.upsert(input),
  }),
  deleteRoutingAgent: t.field({
    type: 'Boolean',
    authScopes: { admin: true },
    args: { id: t.arg.string({ required: true }) },
    errors: {},
    resolve: (_r, args, ctx) => ctx.managers.routing.agents.delete(args.id),
  }),
  setRoutingAgentState: t.field({
    type: AgentRef,
    authScopes: { admin: true },
    description: "Sets an agent's state as its supervisor (e.g. log out an agent who left).",
    args: { id: t.arg.string({ required: true }), state: t.arg({ type: SettableStateEnum, required: true }) },
    errors: {},
    resolve: (_r, args, ctx) => ctx.managers.routing.setAgentState(args.id, args.state),
  }),
  upsertRoutingAgentGroup: t.field({
    type: GroupRef,
    authScopes: { admin: true },
    args: { name: t.arg.string({ required: true }), description: t.arg.string({ required: false }) },
    errors: {},
    resolve: (_r, args, ctx) => ctx.managers.routing.agents.upsertGroup(args),
  }),
  deleteRoutingAgentGroup: t.field({
    type: 'Boolean',
    authScopes: { admin: true },
    args: { name: t.arg.string({ required: true }) },
    resolve: (_r, args, ctx) => ctx.managers.routing.agents.deleteGroup(args.name),
  }),
  upsertVirtualQueue: t.field({
    type: VirtualQueueRef,
    authScopes: { admin: true },
    args: { input: t.arg({ type: VirtualQueueInput, required: true }) },
    errors: {},
    resolve: (_r, { input }, ctx) => ctx.managers.routing.queues.upsert(input),
  }),
  deleteVirtualQueue: t.field({
    type: 'Boolean',
    authScopes: { admin: true },
    args: { name: t.arg.string({ required: true }) },
    errors: {},
    resolve: (_r, args, ctx) => ctx.managers.routing.queues.delete(args.name),
  }),
  agentLogin: t.field({
    type: AgentLoginRef,
    authScopes: { public: true },
    description: 'Agent desktop login: an agent token, and a logged-out agent becomes NOT_READY.',
    args: { agentId: t.arg.string({ required: true }), password: t.arg.string({ required: true }) },
    errors: {},
    resolve: (_r, args, ctx) => ctx.managers.routing.agentLogin(args.agentId, args.password),
  }),
  agentLogout: t.field({
    type: AgentRef,
    authScopes: { agent: true },
    description: 'Logs the agent out (a pending reservation returns to the queue) and revokes its tokens.',
    errors: {},
    resolve: (_r, _a, ctx) => ctx.managers.routing.agentLogout(agentIdOf(ctx)),
  }),
  agentSetState: t.field({
    type: AgentRef,
    authScopes: { agent: true },
    args: { state: t.arg({ type: SettableStateEnum, required: true }) },
    errors: {},
    resolve: (_r, args, ctx) => ctx.managers.routing.setAgentState(agentIdOf(ctx), args.state),
  }),
  agentAcceptReservation: t.field({
    type: ReservationRef,
    authScopes: { agent: true },
    args: { reservationId: t.arg.id({ required: true }) },
    errors: {},
    resolve: (_r, args, ctx) =>
      ctx.managers.routing.acceptReservation(agentIdOf(ctx), reservationIdArg(args.reservationId)),
  }),
  agentRejectReservation: t.field({
    type: AgentRef,
    authScopes: { agent: true },
    description: 'The request returns to its place; the agent becomes NOT_READY unless `next` is READY.',
    args: {
      reservationId: t.arg.id({ required: true }),
      next: t.arg({ type: AfterRejectEnum, required: false }),
    },
    errors: {},
    resolve: (_r, args, ctx) =>
      ctx.managers.routing.rejectReservation(
        agentIdOf(ctx),
        reservationIdArg(args.reservationId),
        args.next ?? 'NOT_READY',
      ),
  }),
  agentCompleteInteraction: t.field({
    type: AgentRef,
    authScopes: { agent: true },
    description:
      'Ends the accepted interaction and records its handle time; the agent becomes `next` (READY).',
    args: {
      reservationId: t.arg.id({ required: true }),
      next: t.arg({ type: AfterCompleteEnum, required: false }),
    },
    errors: {},
    resolve: (_r, args, ctx) =>
      ctx.managers.routing.completeInteraction(
        agentIdOf(ctx),
        reservationIdArg(args.reservationId),
        args.next ?? 'READY',
      ),
  }),
}));

builder.subscriptionFields((t) => ({
  agentEvents: t.field({
    type: AgentEventRef,
    authScopes: { agent: true },
    description:
      "The agent's current state (first event), then its reservations and state changes as they happen.",
    subscribe: async function* (_r, _a, ctx) {
      const agentId = agentIdOf(ctx);
      const events = subscribeTopic(ctx, 'routing:agent', agentId);
      try {
        await events.ready;
        // The current state first: whatever happened before this subscription is not lost.
        yield await ctx.managers.routing.agentSnapshot(agentId);
        yield* events;
      } finally {
        await events.return();
      }
    },
    resolve: (event) => event,
  }),
  routingQueueStatistics: t.field({
    type: StatisticsRef,
    authScopes: adminOrAgent,
    description: "A virtual queue's statistics: now, then after every change (at least every 5 s).",
    args: {
      virtualQueue: t.arg.string({ required: true }),
      windowSeconds: t.arg.int({ required: false }),
    },
    subscribe: async (_r, args, ctx) => {
      const routing = ctx.managers.routing;
      // Fail at subscribe time for an unknown queue or a bad window.
      const first = await routing.statistics('VIRTUAL_QUEUE', args.virtualQueue, args.windowSeconds);
      return refreshOnEvents(
        ctx.deps.bus,
        [
          { topic: 'routing:queue', key: first.objectId },
          { topic: 'routing:agent', key: null },
        ],
        () => routing.statistics('VIRTUAL_QUEUE', first.objectId, args.windowSeconds),
        routing.options.statisticsRefreshMs,
      );
    },
    resolve: (stats) => stats,
  }),
}));
