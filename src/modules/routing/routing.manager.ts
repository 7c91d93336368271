import { eq, sql } from 'drizzle-orm';
import type { AuthManager } from '../../auth/auth.manager.js';
import type { DbOrTx } from '../../db/client.js';
import type { Deps } from '../../deps.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import type { Scheduler } from '../../scheduler.js';
import { AgentTransitions } from './agent-transitions.js';
import { AGENT_TOKEN_PREFIX, AgentDirectory, type AgentView } from './agents.js';
import { type AgentEvent, type QueueEvent, RoutingEvents } from './events.js';
import { InternalRouter } from './internal-router.js';
import { MatchPass } from './match-pass.js';
import { Matcher } from './matcher.js';
import { loadProfiles } from './queue.rows.js';
import { QueueStore, requestView } from './queue.store.js';
import { expireReservations } from './reservation-expiry.js';
import type { Router } from './router.js';
import {
  type AgentState,
  agentsTable,
  type JsonObject,
  type RequestState,
  type ReservationOutcome,
  type ReservationRow,
  requestsTable,
  reservationsTable,
} from './routing.tables.js';
import type { ReservationEvent, RoutingRequestView } from './routing.types.js';
import {
  checkWindow,
  LEGACY_METRICS,
  LEGACY_OBJECT_TYPES,
  type RoutingStatistics,
  RoutingStats,
  StatisticError,
  type StatObjectType,
} from './stats.js';
import { matchesAgent, type ParsedTarget, TargetCache } from './target.js';
import { VirtualQueues } from './virtual-queues.js';

// What other modules need, importable from this manager file (the dependency rules allow
// managers and types across modules).
export type { Router } from './router.js';
export type {
  EnqueueInput,
  QueuePosition,
  ReservationEvent,
  RoutingRequestView,
  ThresholdOptions,
} from './routing.types.js';
export { validateTarget } from './target.js';

declare module '../../pubsub/topics.js' {
  interface TopicMap {
    /** Keyed by request id, and published once more with no key (every request). */
    'routing:reservation': ReservationEvent;
    /** Keyed by agent id, and published once more with no key (every agent). */
    'routing:agent': AgentEvent;
    /** Keyed by virtual queue name. */
    'routing:queue': QueueEvent;
  }
}

export interface RoutingOptions {
  /** Seconds a reserved agent has to accept before the request returns to the queue (per queue overridable). */
  reservationTimeoutSeconds: number;
  /** Handle time assumed for EWT until a queue has completed interactions (per queue overridable). */
  defaultHandleSeconds: number;
  /** Weight of the newest completed handle time in a queue's average (0..1). */
  handleTimeAlpha: number;
  /** Ready agents one matching pass locks at most. */
  maxAgentsPerPass: number;
  /** How often each instance expires reservations and runs a matching pass. */
  tickIntervalMs: number;
  /** Default window of the statistics. */
  statisticsWindowSeconds: number;
  /** Live statistics are recomputed at least this often. */
  statisticsRefreshMs: number;
}

export const DEFAULT_ROUTING_OPTIONS: RoutingOptions = {
  reservationTimeoutSeconds: 30,
  defaultHandleSeconds: 180,
  handleTimeAlpha: 0.2,
  maxAgentsPerPass: 200,
  tickIntervalMs: 1000,
  statisticsWindowSeconds: 900,
  statisticsRefreshMs: 5000,
};

/** A reservation as the agent desktop sees it, with the request's data. */
export interface ReservationView {
  id: number;
  requestId: string;
  virtualQueue: string;
  agentId: string;
  target: string;
  priority: number;
  data: JsonObject;
  enqueuedAt: Date;
  reservedAt: Date;
  expiresAt: Date;
  acceptedAt: Date | null;
  endedAt: Date | null;
  /** Why it ended; null while open. */
  outcome: ReservationOutcome | null;
  requestState: RequestState;
}

export interface LegacyStatistic {
  objectId: string;
  objectType: string;
  metric: string;
  value: number | string | null;
  timestamp: string;
}

declare module '../../managers.types.js' {
  interface Managers {
    routing: RoutingManager;
  }
}

/**
 * The routing engine: virtual queues, agents and their desktop, reservations, EWT and
 * statistics. Other modules use `router` (the `Router` seam) and `validateTarget`.
 */
export class RoutingManager {
  readonly options: RoutingOptions;
  /** What the rest of the code routes through. */
  readonly router: Router;
  /** This engine's own implementation of `router`. */
  readonly engine: InternalRouter;
  readonly agents: AgentDirectory;
  readonly queues: VirtualQueues;
  readonly targets = new TargetCache();
  private readonly store: QueueStore;
  private readonly transitions: AgentTransitions;
  private readonly matcher: Matcher;
  private readonly stats: RoutingStats;

  constructor(
    private readonly deps: Deps,
    auth: AuthManager,
    options: Partial<RoutingOptions> & { createRouter?: (engine: InternalRouter) => Router } = {},
  ) {
    const { createRouter, ...overrides } = options;
    this.options = { ...DEFAULT_ROUTING_OPTIONS, ...overrides };
    const o = this.options;
    this.store = new QueueStore(deps.db, deps.clock, this.targets);
    this.transitions = new AgentTransitions(deps.db, deps.clock);
    const pass = new MatchPass(deps.db, deps.clock, deps.logger, this.targets, {
      reservationTimeoutSeconds: o.reservationTimeoutSeconds,
      maxAgentsPerPass: o.maxAgentsPerPass,
    });
    this.matcher = new Matcher(deps, pass, o.maxAgentsPerPass);
    this.stats = new RoutingStats(deps.db, deps.clock, this.targets, {
      defaultHandleSeconds: o.defaultHandleSeconds,
    });
    this.engine = new InternalRouter(
      deps,
      this.store,
      this.matcher,
      this.stats,
      this.targets,
      o.defaultHandleSeconds,
    );
    this.router = createRouter ? createRouter(this.engine) : this.engine;
    this.agents = new AgentDirectory(deps.db, deps.clock, deps.config.admin.tokenTtlSeconds);
    this.queues = new VirtualQueues(deps.db, deps.clock, this.targets);
    auth.registerTokenResolver(AGENT_TOKEN_PREFIX, async (token, gmsUser) => {
      const agentId = await this.agents.agentForToken(token);
      return agentId ? { kind: 'agent', agentId, gmsUser } : null;
    });
  }

  /** Parses a target (ValidationError `routing/invalid_target` when it is not valid). */
  validateTarget(target: string): ParsedTarget {
    return this.targets.get(target);
  }

  /**
   * Whether a READY agent matches `target` now (e.g. request-chat's `_wait_for_agent`). Runs on the
   * caller's transaction when given one (a session being created in it).
   */
  async readyAgentMatches(target: string, db: DbOrTx = this.deps.db): Promise<boolean> {
    const parsed = this.validateTarget(target);
    const ready = await db
      .select({ id: agentsTable.id })
      .from(agentsTable)
      .where(eq(agentsTable.state, 'READY'));
    const profiles = await loadProfiles(
      db,
      ready.map((r) => r.id),
    );
    return profiles.some((p) => matchesAgent(parsed.expr, p));
  }

  /** Runs a matching pass now (coalesced with one already running on this instance). */
  runMatching(): Promise<void> {
    return this.matcher.run();
  }

  private async commit<T>(events: RoutingEvents, result: T, rematch: boolean): Promise<T> {
    await events.publish(this.deps.bus);
    if (rematch) await this.matcher.run();
    return result;
  }

  // ---------------------------------------------------------------- agent desktop

  /** Checks the agent's password and issues an agent token; a logged-out agent becomes NOT_READY. */
  async agentLogin(
    agentId: string,
    password: string,
  ): Promise<{ token: string; expiresAt: Date; agent: AgentView }> {
    const issued = await this.agents.issueToken(agentId, password);
    const current = await this.agents.require(agentId);
    if (current.state === 'LOGGED_OUT') await this.setAgentState(agentId, 'NOT_READY');
    return { ...issued, agent: await this.agents.require(agentId) };
  }

  /** Logs the agent out (a pending reservation returns to the queue) and revokes its tokens. */
  agentLogout(agentId: string): Promise<AgentView> {
    return this.setAgentState(agentId, 'LOGGED_OUT');
  }

  /**
   * Sets an agent's state (by the agent or its supervisor). LOGGED_OUT also revokes the agent's
   * desktop tokens: a supervisor logging out an agent who left must really end the session.
   */
  async setAgentState(agentId: string, state: AgentState): Promise<AgentView> {
    const events = new RoutingEvents();
    await this.transitions.setState(agentId, state, events);
    if (state === 'LOGGED_OUT') await this.agents.revokeTokens(agentId);
    // READY, or a released reservation: either way a pass may now pair someone.
    const rematch = state === 'READY' || events.reservations.length > 0;
    await this.commit(events, null, rematch);
    return this.agents.require(agentId);
  }

  async acceptReservation(agentId: string, reservationId: number): Promise<ReservationView> {
    const events = new RoutingEvents();
    try {
      await this.transitions.accept(agentId, reservationId, events);
    } finally {
      // An expired reservation is returned to the queue before the error is reported.
      await this.commit(
        events,
        null,
        events.reservations.some((e) => e.kind === 'EXPIRED'),
      );
    }
    return (await this.reservation(reservationId)) as ReservationView;
  }

  async rejectReservation(
    agentId: string,
    reservationId: number,
    next: 'READY' | 'NOT_READY' = 'NOT_READY',
  ): Promise<AgentView> {
    const events = new RoutingEvents();
    await this.transitions.reject(agentId, reservationId, next, events);
    await this.commit(events, null, true);
    return this.agents.require(agentId);
  }

  /** Ends the interaction, recording its handle time; the agent becomes READY unless told otherwise. */
  async completeInteraction(
    agentId: string,
    reservationId: number,
    next: 'READY' | 'AFTER_CALL_WORK' | 'NOT_READY' = 'READY',
  ): Promise<AgentView> {
    const events = new RoutingEvents();
    await this.transitions.complete(agentId, reservationId, next, this.options.handleTimeAlpha, events);
    await this.commit(events, null, next === 'READY');
    return this.agents.require(agentId);
  }

  /** The agent's open reservation (pending or accepted), with the request's data. */
  async currentReservation(agentId: string): Promise<ReservationView | null> {
    const agent = await this.agents.get(agentId);
    if (!agent || agent.currentReservationId === null) return null;
    return this.reservation(agent.currentReservationId);
  }

  /** The agent's state now, shaped as an event (the first event of the agent's subscription). */
  async agentSnapshot(agentId: string): Promise<AgentEvent> {
    const agent = await this.agents.require(agentId);
    const res =
      agent.currentReservationId === null ? null : await this.reservation(agent.currentReservationId);
    return {
      agentId,
      state: agent.state,
      at: this.deps.clock.now().toISOString(),
      reservation: res && {
        kind: res.acceptedAt ? 'ACCEPTED' : 'RESERVED',
        reservationId: res.id,
        requestId: res.requestId,
        virtualQueue: res.virtualQueue,
        agentId,
        requestState: res.requestState,
        at: (res.acceptedAt ?? res.reservedAt).toISOString(),
        expiresAt: res.expiresAt.toISOString(),
      },
    };
  }

  async reservation(id: number): Promise<ReservationView | null> {
    const [row] = await this.deps.db
      .select({ res: reservationsTable, req: requestsTable })
      .from(reservationsTable)
      .innerJoin(requestsTable, eq(requestsTable.seq, reservationsTable.requestSeq))
      .where(eq(reservationsTable.id, id));
    return row ? reservationView(row.res, row.req) : null;
  }

  async agentReservations(agentId: string, limit = 20): Promise<ReservationView[]> {
    const rows = await this.deps.db
      .select({ res: reservationsTable, req: requestsTable })
      .from(reservationsTable)
      .innerJoin(requestsTable, eq(requestsTable.seq, reservationsTable.requestSeq))
      .where(eq(reservationsTable.agentId, agentId))
      .orderBy(sql`${reservationsTable.id} desc`)
      .limit(Math.min(Math.max(limit, 1), 200));
    return rows.map((r) => reservationView(r.res, r.req));
  }

  /** Active requests (or those in `states`) in queue order. */
  async listRequests(filter: {
    virtualQueue?: string;
    states?: RequestState[];
    limit?: number;
  }): Promise<RoutingRequestView[]> {
    return (await this.store.list(filter)).map(requestView);
  }

  // ---------------------------------------------------------------- statistics

  async statistics(
    type: StatObjectType,
    objectId: string,
    windowSeconds?: number | null,
  ): Promise<RoutingStatistics> {
    const window = checkWindow(windowSeconds, this.options.statisticsWindowSeconds);
    if (type === 'VIRTUAL_QUEUE') {
      const queue = await this.queues.resolve(objectId);
      if (!queue) throw new NotFoundError('routing/queue_not_found', `Virtual queue '${objectId}' not found`);
      return this.stats.queue(queue.name, window);
    }
    if (type === 'AGENT_GROUP') {
      if (!(await this.agents.getGroup(objectId)))
        throw new NotFoundError('routing/group_not_found', `Agent group '${objectId}' not found`);
      return this.stats.group(objectId, window);
    }
    const agent = await this.agents.require(objectId);
    return this.stats.agent(agent.id, agent.state, window);
  }

  /**
   * The legacy Stat API (`objectId`, `objectType`, `metric`/`statisticType`, optional
   * `timeProfile` as a number of seconds). An object or metric this engine does not have is a
   * StatisticError, as Stat Server refuses an ill-defined statistic (GMS answers 403: error-table.ts).
   */
  async legacyStatistic(fields: Record<string, string>): Promise<LegacyStatistic> {
    const required = (key: string, value: string | undefined) => {
      if (!value?.trim())
        throw new ValidationError('routing/missing_parameter', `Parameter '${key}' is required`, key);
      return value.trim();
    };
    const objectId = required('objectId', fields.objectId);
    const objectType = required('objectType', fields.objectType);
    const metricName = required('metric', fields.metric ?? fields.statisticType);
    const type = LEGACY_OBJECT_TYPES[objectType.toLowerCase()];
    if (!type)
      throw new StatisticError(
        'routing/unsupported_object_type',
        `Object type '${objectType}' is not supported: use Queue (or RegDN) for a virtual queue, GroupAgents or Agent`,
      );
    const metric = Object.keys(LEGACY_METRICS).find((m) => m.toLowerCase() === metricName.toLowerCase());
    if (!metric) throw new StatisticError('routing/unknown_metric', `Unknown metric '${metricName}'`);
    const profile = fields.timeProfile?.trim();
    const window = profile && /^\d+$/.test(profile) ? Number(profile) : undefined;
    let stats: RoutingStatistics;
    try {
      stats = await this.statistics(type, objectId, window);
    } catch (err) {
      if (err instanceof NotFoundError)
        throw new StatisticError('routing/object_not_found', `${objectType} '${objectId}' not found`);
      throw err;
    }
    return {
      objectId,
      objectType,
      metric,
      value: (LEGACY_METRICS[metric] as (s: RoutingStatistics) => number | string | null)(stats),
      timestamp: stats.computedAt.toISOString(),
    };
  }

  // ---------------------------------------------------------------- background work

  /** Expires lapsed reservations, then runs a matching pass. Idempotent; any instance may run it. */
  async tick(): Promise<{ expired: number }> {
    const events = new RoutingEvents();
    const expired = await expireReservations(this.deps.db, this.deps.clock, events);
    await events.publish(this.deps.bus);
    await this.matcher.run();
    return { expired };
  }

  /**
   * Deletes expired agent tokens. Finished requests (routing history) leave through the retention
   * task (src/lifecycle/policies.ts, RETENTION_ROUTING_DAYS).
   */
  async housekeeping(): Promise<{ tokens: number }> {
    return { tokens: await this.agents.sweepExpiredTokens() };
  }

  schedule(scheduler: Scheduler): void {
    scheduler.every('routing tick', this.options.tickIntervalMs, () => this.tick());
    scheduler.every('routing housekeeping', 60_000, () => this.housekeeping());
  }
}

function reservationView(res: ReservationRow, req: typeof requestsTable.$inferSelect): ReservationView {
  return {
    id: res.id,
    requestId: res.requestId,
    virtualQueue: res.virtualQueue,
    agentId: res.agentId,
    target: req.target,
    priority: req.priority,
    data: req.data,
    enqueuedAt: req.enqueuedAt,
    reservedAt: res.reservedAt,
    expiresAt: res.expiresAt,
    acceptedAt: res.acceptedAt,
    endedAt: res.endedAt,
    outcome: res.outcome,
    requestState: req.state,
  };
}
