import { count, eq, type SQL, sql } from 'drizzle-orm';
import type { Clock } from '../../clock.js';
import { type Db, queryRows } from '../../db/client.js';
import { DomainError, ValidationError } from '../../errors.js';
import { estimateWaitSeconds, queueHandleSeconds } from './ewt.js';
import { loadProfiles } from './queue.rows.js';
import {
  type AgentState,
  agentGroupMembersTable,
  agentsTable,
  requestsTable,
  reservationsTable,
  virtualQueuesTable,
} from './routing.tables.js';
import { matchesAgent, type TargetCache, type TargetExpr, targetSql } from './target.js';

export type StatObjectType = 'VIRTUAL_QUEUE' | 'AGENT_GROUP' | 'AGENT';

export interface RoutingStatistics {
  objectType: StatObjectType;
  objectId: string;
  windowSeconds: number;
  computedAt: Date;
  /** Requests waiting for an agent (not yet reserved). */
  requestsWaiting: number;
  /** Requests holding a reservation, not yet accepted. */
  requestsReserved: number;
  /** For a new request; null when no matching agent is staffed (and always for an agent). */
  expectedWaitSeconds: number | null;
  /** How long the oldest waiting request has waited (0 when none). */
  longestCurrentWaitSeconds: number;
  agentsReady: number;
  /** Reserved, busy or in after-call work. */
  agentsBusy: number;
  agentsNotReady: number;
  agentsLoggedIn: number;
  /** The agent's own state (AGENT statistics only). */
  agentState: AgentState | null;
  /** Over the window: interactions completed. */
  averageHandleSeconds: number | null;
  /** Over the window: requests accepted by an agent, and their wait from arrival to acceptance. */
  answered: number;
  averageWaitSeconds: number | null;
  maxWaitSeconds: number | null;
  /** Over the window: requests cancelled before an agent accepted them. */
  abandoned: number;
  /** abandoned / (answered + abandoned) × 100; 0 when neither happened. */
  abandonedPercentage: number;
  averageAbandonWaitSeconds: number | null;
}

interface RequestAggregates {
  waiting: number;
  reserved: number;
  longest: number | null;
  answered: number;
  avg_wait: number | null;
  max_wait: number | null;
  abandoned: number;
  avg_aband: number | null;
  aht: number | null;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const round = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 1000);
const iso = (d: Date) => d.toISOString();

/** Metric names of the legacy Stat API (Stat Server statistic types) and what they read. */
export const LEGACY_METRICS: Record<string, (s: RoutingStatistics) => number | string | null> = {
  CurrNumberWaitingCalls: (s) => s.requestsWaiting,
  CurrNumberReservedCalls: (s) => s.requestsReserved,
  ExpectedWaitTime: (s) => s.expectedWaitSeconds,
  CurrMaxCallWaitingTime: (s) => s.longestCurrentWaitSeconds,
  CurrentReadyAgents: (s) => s.agentsReady,
  CurrentBusyAgents: (s) => s.agentsBusy,
  CurrentNotReadyAgents: (s) => s.agentsNotReady,
  CurrentLoggedInAgents: (s) => s.agentsLoggedIn,
  CurrentAgentState: (s) => s.agentState,
  AverHandleStatusTime: (s) => s.averageHandleSeconds,
  AverHandleDNStatusTime: (s) => s.averageHandleSeconds,
  AverHandlePlaceStatusTime: (s) => s.averageHandleSeconds,
  TotalNumberCallsAnswered: (s) => s.answered,
  AverDistribCallTime: (s) => s.averageWaitSeconds,
  MaxDistribCallTime: (s) => s.maxWaitSeconds,
  TotalNumberCallsAbandoned: (s) => s.abandoned,
  AbandCallsPercentage: (s) => s.abandonedPercentage,
  AverAbandCallTime: (s) => s.averageAbandonWaitSeconds,
};

/** Stat Server object types this engine has objects for. */
export const LEGACY_OBJECT_TYPES: Record<string, StatObjectType> = {
  queue: 'VIRTUAL_QUEUE',
  regdn: 'VIRTUAL_QUEUE',
  groupagents: 'AGENT_GROUP',
  agent: 'AGENT',
};

/**
 * An ill-defined statistic: an object type, metric or object this engine does not have. GMS answers
 * it with 403; that status is the legacy edge's business (error-table.ts), not this module's.
 */
export class StatisticError extends DomainError {
  override name = 'StatisticError';
}

export const MAX_WINDOW_SECONDS = 31 * 86_400;

export function checkWindow(seconds: number | null | undefined, fallback: number): number {
  if (seconds === undefined || seconds === null) return fallback;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_WINDOW_SECONDS)
    throw new ValidationError(
      'routing/invalid_window',
      `The statistics window is 1 to ${MAX_WINDOW_SECONDS} seconds`,
      'windowSeconds',
    );
  return seconds;
}

interface StatsOptions {
  defaultHandleSeconds: number;
}

/** Statistics aggregated in SQL over the stored requests and reservations. */
export class RoutingStats {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly targets: TargetCache,
    private readonly options: StatsOptions,
  ) {}

  private async requestAggregates(scope: SQL, now: Date, since: Date): Promise<RequestAggregates> {
    const s = sql`${iso(since)}::timestamptz`;
    const [row] = await queryRows<Record<keyof RequestAggregates, unknown>>(
      this.db,
      sql`select
        count(*) filter (where state = 'WAITING')::int as waiting,
        count(*) filter (where state = 'RESERVED')::int as reserved,
        extract(epoch from (${iso(now)}::timestamptz - min(enqueued_at) filter (where state = 'WAITING')))::float8 as longest,
        count(*) filter (where accepted_at >= ${s})::int as answered,
        avg(extract(epoch from (accepted_at - enqueued_at))) filter (where accepted_at >= ${s})::float8 as avg_wait,
        max(extract(epoch from (accepted_at - enqueued_at))) filter (where accepted_at >= ${s})::float8 as max_wait,
        count(*) filter (where state = 'CANCELLED' and accepted_at is null and cancelled_at >= ${s})::int as abandoned,
        avg(extract(epoch from (cancelled_at - enqueued_at)))
          filter (where state = 'CANCELLED' and accepted_at is null and cancelled_at >= ${s})::float8 as avg_aband,
        avg(extract(epoch from (completed_at - accepted_at))) filter (where state = 'COMPLETED' and completed_at >= ${s})::float8 as aht
      from ${requestsTable} where ${scope}`,
    );
    return {
      waiting: Number(row?.waiting ?? 0),
      reserved: Number(row?.reserved ?? 0),
      longest: num(row?.longest),
      answered: Number(row?.answered ?? 0),
      avg_wait: num(row?.avg_wait),
      max_wait: num(row?.max_wait),
      abandoned: Number(row?.abandoned ?? 0),
      avg_aband: num(row?.avg_aband),
      aht: num(row?.aht),
    };
  }

  /** Matching agents by state, for a predicate over the agent id. */
  async agentCounts(predicate: SQL | null): Promise<Map<AgentState, number>> {
    if (predicate === null) return new Map();
    const rows = await this.db
      .select({ state: agentsTable.state, n: count() })
      .from(agentsTable)
      .where(predicate)
      .groupBy(agentsTable.state);
    return new Map(rows.map((r) => [r.state, r.n]));
  }

  /** Predicate "agent matches any of these expressions" (null when there are none). */
  matchingPredicate(exprs: TargetExpr[]): SQL | null {
    if (exprs.length === 0) return null;
    return sql.join(
      exprs.map((e) => targetSql(e, sql`${agentsTable.id}`)),
      sql` or `,
    );
  }

  async queue(name: string, windowSeconds: number): Promise<RoutingStatistics> {
    const now = this.clock.now();
    const since = new Date(now.getTime() - windowSeconds * 1000);
    const [vq] = await this.db.select().from(virtualQueuesTable).where(eq(virtualQueuesTable.name, name));
    const agg = await this.requestAggregates(sql`${requestsTable.virtualQueue} = ${name}`, now, since);
    let targetTexts: string[] = vq?.target ? [vq.target] : [];
    if (targetTexts.length === 0) {
      const rows = await this.db
        .selectDistinct({ target: requestsTable.target })
        .from(requestsTable)
        .where(
          sql`${requestsTable.virtualQueue} = ${name} and ${requestsTable.state} in ('WAITING', 'RESERVED')`,
        )
        .limit(50);
      targetTexts = rows.map((r) => r.target);
    }
    const exprs = targetTexts.flatMap((t) => {
      try {
        return [this.targets.get(t).expr];
      } catch {
        return [];
      }
    });
    const agents = await this.agentCounts(this.matchingPredicate(exprs));
    const aht = queueHandleSeconds(vq, this.options.defaultHandleSeconds);
    return this.build('VIRTUAL_QUEUE', name, windowSeconds, now, agg, agents, aht, null, agg.aht);
  }

  async group(name: string, windowSeconds: number): Promise<RoutingStatistics> {
    const now = this.clock.now();
    const since = new Date(now.getTime() - windowSeconds * 1000);
    const agg = await this.requestAggregates(sql`${name} = any(${requestsTable.targetGroups})`, now, since);
    const agents = await this.agentCounts(
      sql`${agentsTable.id} in (select ${agentGroupMembersTable.agentId} from ${agentGroupMembersTable} where ${agentGroupMembersTable.groupName} = ${name})`,
    );
    const [handled] = await queryRows<{ aht: unknown }>(
      this.db,
      sql`select avg(extract(epoch from (ended_at - accepted_at)))::float8 as aht from ${reservationsTable}
        where outcome = 'COMPLETED' and ended_at >= ${iso(since)}::timestamptz and agent_id in
          (select ${agentGroupMembersTable.agentId} from ${agentGroupMembersTable} where ${agentGroupMembersTable.groupName} = ${name})`,
    );
    const aht = num(handled?.aht);
    return this.build(
      'AGENT_GROUP',
      name,
      windowSeconds,
      now,
      agg,
      agents,
      aht ?? this.options.defaultHandleSeconds,
      null,
      aht,
    );
  }

  async agent(agentId: string, state: AgentState, windowSeconds: number): Promise<RoutingStatistics> {
    const now = this.clock.now();
    const since = new Date(now.getTime() - windowSeconds * 1000);
    const s = sql`${iso(since)}::timestamptz`;
    // Waiting work this agent could take: evaluated per distinct target, not per request.
    const waitingByTarget = await queryRows<{ target: string; n: unknown; longest: unknown }>(
      this.db,
      sql`select target, count(*)::int as n,
          extract(epoch from (${iso(now)}::timestamptz - min(enqueued_at)))::float8 as longest
        from ${requestsTable} where state = 'WAITING' group by target`,
    );
    const [profile] = await loadProfiles(this.db, [agentId]);
    let waiting = 0;
    let longest: number | null = null;
    for (const row of waitingByTarget) {
      let expr: TargetExpr;
      try {
        expr = this.targets.get(row.target).expr;
      } catch {
        continue;
      }
      if (!profile || !matchesAgent(expr, profile)) continue;
      waiting += Number(row.n);
      longest = Math.max(longest ?? 0, Number(row.longest));
    }
    const [answeredRow] = await queryRows<Record<string, unknown>>(
      this.db,
      sql`select count(*)::int as answered,
          avg(extract(epoch from (accepted_at - enqueued_at)))::float8 as avg_wait,
          max(extract(epoch from (accepted_at - enqueued_at)))::float8 as max_wait
        from ${requestsTable} where agent_id = ${agentId} and accepted_at >= ${s}`,
    );
    const [resRow] = await queryRows<Record<string, unknown>>(
      this.db,
      sql`select
          avg(extract(epoch from (ended_at - accepted_at))) filter (where outcome = 'COMPLETED')::float8 as aht,
          count(*) filter (where outcome = 'CANCELLED')::int as abandoned,
          avg(extract(epoch from (ended_at - reserved_at))) filter (where outcome = 'CANCELLED')::float8 as avg_aband
        from ${reservationsTable} where agent_id = ${agentId} and ended_at >= ${s}`,
    );
    const [reservedRow] = await queryRows<{ n: unknown }>(
      this.db,
      sql`select count(*)::int as n from ${requestsTable} where state = 'RESERVED' and agent_id = ${agentId}`,
    );
    const agg: RequestAggregates = {
      waiting,
      reserved: Number(reservedRow?.n ?? 0),
      longest,
      answered: Number(answeredRow?.answered ?? 0),
      avg_wait: num(answeredRow?.avg_wait),
      max_wait: num(answeredRow?.max_wait),
      abandoned: Number(resRow?.abandoned ?? 0),
      avg_aband: num(resRow?.avg_aband),
      aht: num(resRow?.aht),
    };
    return this.build('AGENT', agentId, windowSeconds, now, agg, new Map([[state, 1]]), null, state, agg.aht);
  }

  private build(
    objectType: StatObjectType,
    objectId: string,
    windowSeconds: number,
    computedAt: Date,
    agg: RequestAggregates,
    agents: Map<AgentState, number>,
    ewtHandleSeconds: number | null,
    agentState: AgentState | null,
    windowHandleSeconds: number | null,
  ): RoutingStatistics {
    const n = (s: AgentState) => agents.get(s) ?? 0;
    const ready = n('READY');
    const busy = n('RESERVED') + n('BUSY') + n('AFTER_CALL_WORK');
    const offered = agg.answered + agg.abandoned;
    return {
      objectType,
      objectId,
      windowSeconds,
      computedAt,
      requestsWaiting: agg.waiting,
      requestsReserved: agg.reserved,
      expectedWaitSeconds:
        ewtHandleSeconds === null
          ? null
          : estimateWaitSeconds({
              position: agg.waiting + 1,
              readyAgents: ready,
              staffedAgents: ready + busy,
              averageHandleSeconds: ewtHandleSeconds,
            }),
      longestCurrentWaitSeconds: Math.max(0, Math.round(agg.longest ?? 0)),
      agentsReady: ready,
      agentsBusy: busy,
      agentsNotReady: n('NOT_READY'),
      agentsLoggedIn: ready + busy + n('NOT_READY'),
      agentState,
      averageHandleSeconds: round(windowHandleSeconds),
      answered: agg.answered,
      averageWaitSeconds: round(agg.avg_wait),
      maxWaitSeconds: round(agg.max_wait),
      abandoned: agg.abandoned,
      abandonedPercentage: offered === 0 ? 0 : Math.round((agg.abandoned / offered) * 10_000) / 100,
      averageAbandonWaitSeconds: round(agg.avg_aband),
    };
  }
}
