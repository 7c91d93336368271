import { and, asc, desc, eq, inArray, lte, type SQL, sql } from 'drizzle-orm';
import type { Clock } from '../../clock.js';
import type { Db, DbOrTx, Tx } from '../../db/client.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import type { Logger } from '../../log/logger.js';
import { type RoutingEvents, reservationEvent } from './events.js';
import {
  type AgentRow,
  type AgentState,
  agentGroupMembersTable,
  agentSkillsTable,
  agentsTable,
  type RequestRow,
  type RequestState,
  type ReservationOutcome,
  requestsTable,
  reservationsTable,
  virtualQueuesTable,
} from './routing.tables.js';
import type { EnqueueInput, RoutingRequestView } from './routing.types.js';
import { type MatchableAgent, matchesAgent, type TargetCache } from './target.js';

export const ACTIVE_STATES: RequestState[] = ['WAITING', 'RESERVED', 'ACCEPTED'];
const activeSql = sql.raw(`state in ('WAITING', 'RESERVED', 'ACCEPTED')`);

export interface QueueStoreOptions {
  /** Seconds an agent stays reserved for a request before the reservation lapses. */
  reservationTimeoutSeconds: number;
  /** Upper bound of ready agents one matching pass locks. */
  maxAgentsPerPass: number;
}

export const DATA_LIMIT_BYTES = 64 * 1024;

const iso = (d: Date) => d.toISOString();

export function requestView(row: RequestRow): RoutingRequestView {
  return {
    requestId: row.requestId,
    virtualQueue: row.virtualQueue,
    target: row.target,
    priority: row.priority,
    data: row.data,
    state: row.state,
    enqueuedAt: row.enqueuedAt,
    agentId: row.agentId,
    reservationId: row.reservationId,
    reservationExpiresAt: row.reservationExpiresAt,
    reservationCount: row.reservationCount,
    acceptedAt: row.acceptedAt,
    completedAt: row.completedAt,
    cancelledAt: row.cancelledAt,
    cancelReason: row.cancelReason,
  };
}

export function checkQueueName(name: unknown, field = 'virtualQueue'): string {
  if (typeof name !== 'string' || name.trim() === '' || name.length > 200 || /[\p{Cc}]/u.test(name))
    throw new ValidationError(
      'routing/invalid_queue',
      'A virtual queue name is 1 to 200 characters without control characters',
      field,
    );
  return name.trim();
}

export interface MatchPassResult {
  reserved: number;
  lockedAgents: number;
  /** Waiting requests this pass wanted were held by another pass while some of its agents stayed unpaired. */
  contended: boolean;
}

/** Outcome of a transition that must still be reported as an error once its effects committed. */
class DeferredError {
  constructor(readonly error: Error) {}
}

/**
 * Every read and write of the queue and of agent state transitions, with the locking rules:
 * - lock order is always agent row first, then request row, so two transactions never wait on
 *   each other in a cycle;
 * - the matching pass and the expiry sweep lock with FOR UPDATE SKIP LOCKED and re-check the
 *   state on the rows they locked, so concurrent passes (on any instance) never reserve one
 *   agent or one request twice; the unique partial indexes on open reservations are a backstop;
 * - single-agent operations lock with a plain FOR UPDATE (they must not skip their own agent).
 */
export class QueueStore {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly targets: TargetCache,
    private readonly options: QueueStoreOptions,
  ) {}

  // ---------------------------------------------------------------- enqueue / cancel / read

  async enqueue(input: EnqueueInput, events: RoutingEvents): Promise<{ row: RequestRow; created: boolean }> {
    const requestId = checkRequestId(input.requestId);
    const virtualQueue = checkQueueName(input.virtualQueue);
    const priority = input.priority ?? 0;
    if (!Number.isInteger(priority) || Math.abs(priority) > 1_000_000)
      throw new ValidationError(
        'routing/invalid_priority',
        'Priority is an integer between -1000000 and 1000000',
        'priority',
      );
    const data = input.data ?? {};
    if (data === null || typeof data !== 'object' || Array.isArray(data))
      throw new ValidationError('routing/invalid_data', 'Request data must be a JSON object', 'data');
    if (Buffer.byteLength(JSON.stringify(data)) > DATA_LIMIT_BYTES)
      throw new ValidationError(
        'routing/invalid_data',
        `Request data exceeds ${DATA_LIMIT_BYTES} bytes of JSON`,
        'data',
      );
    const now = this.clock.now();
    await this.db.insert(virtualQueuesTable).values({ name: virtualQueue }).onConflictDoNothing();
    const [queue] = await this.db
      .select({ target: virtualQueuesTable.target })
      .from(virtualQueuesTable)
      .where(eq(virtualQueuesTable.name, virtualQueue));
    const targetText = input.target?.trim() || queue?.target;
    if (!targetText)
      throw new ValidationError(
        'routing/missing_target',
        `No target given and virtual queue '${virtualQueue}' has no default target`,
        'target',
      );
    const parsed = this.targets.get(targetText);
    const [row] = await this.db
      .insert(requestsTable)
      .values({
        requestId,
        virtualQueue,
        target: parsed.normalized,
        targetGroups: parsed.groups,
        priority,
        data,
        state: 'WAITING',
        enqueuedAt: now,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing({ target: requestsTable.requestId, where: activeSql })
      .returning();
    if (row) {
      events.queue(virtualQueue, 'ENQUEUED', requestId, now);
      return { row, created: true };
    }
    const existing = await this.activeRow(this.db, requestId);
    if (!existing) throw new ConflictError('routing/enqueue_race', `Request '${requestId}' changed; retry`);
    if (existing.virtualQueue !== virtualQueue)
      throw new ConflictError(
        'routing/already_queued',
        `Request '${requestId}' is already in virtual queue '${existing.virtualQueue}'`,
      );
    return { row: existing, created: false };
  }

  private async activeRow(db: DbOrTx, requestId: string): Promise<RequestRow | undefined> {
    const [row] = await db
      .select()
      .from(requestsTable)
      .where(and(eq(requestsTable.requestId, requestId), inArray(requestsTable.state, ACTIVE_STATES)))
      .limit(1);
    return row;
  }

  async latest(requestId: string): Promise<RequestRow | undefined> {
    const [row] = await this.db
      .select()
      .from(requestsTable)
      .where(eq(requestsTable.requestId, requestId))
      .orderBy(desc(requestsTable.seq))
      .limit(1);
    return row;
  }

  async active(requestId: string): Promise<RequestRow | undefined> {
    return this.activeRow(this.db, requestId);
  }

  async list(filter: {
    virtualQueue?: string;
    states?: RequestState[];
    limit?: number;
  }): Promise<RequestRow[]> {
    const conditions: SQL[] = [];
    if (filter.virtualQueue) conditions.push(eq(requestsTable.virtualQueue, filter.virtualQueue));
    conditions.push(inArray(requestsTable.state, filter.states?.length ? filter.states : ACTIVE_STATES));
    return this.db
      .select()
      .from(requestsTable)
      .where(and(...conditions))
      .orderBy(desc(requestsTable.priority), asc(requestsTable.enqueuedAt), asc(requestsTable.seq))
      .limit(Math.min(Math.max(filter.limit ?? 100, 1), 1000));
  }

  /** Cancels a WAITING or RESERVED request; a reserved agent returns to READY with its place. */
  async cancel(requestId: string, reason: string | null, events: RoutingEvents): Promise<boolean> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const seen = await this.activeRow(this.db, requestId);
      if (!seen || seen.state === 'ACCEPTED') return false;
      const result = await this.db.transaction(async (tx) => {
        const now = this.clock.now();
        const agent = seen.agentId ? await this.lockAgent(tx, seen.agentId) : undefined;
        const req = await this.lockRequest(tx, seen.seq);
        if (!req || req.state !== seen.state || req.agentId !== seen.agentId) return 'retry' as const;
        await tx
          .update(requestsTable)
          .set({
            state: 'CANCELLED',
            cancelledAt: now,
            cancelReason: reason,
            reservationExpiresAt: null,
            updatedAt: now,
          })
          .where(eq(requestsTable.seq, req.seq));
        events.queue(req.virtualQueue, 'CANCELLED', req.requestId, now);
        if (req.state === 'RESERVED' && req.reservationId !== null && agent) {
          await this.endReservation(tx, req.reservationId, 'CANCELLED', now);
          if (agent.currentReservationId === req.reservationId) {
            // The agent did nothing wrong: back to READY, keeping its place among idle agents.
            await this.setAgentState(tx, agent.id, 'READY', now, agent.readySince ?? now);
            events.agent(agent.id, 'READY', now, null);
          }
          events.reservation(
            reservationEvent('CANCELLED', req, agent.id, 'CANCELLED', now, req.reservationExpiresAt ?? now),
          );
        }
        return 'done' as const;
      });
      if (result === 'done') return true;
    }
    throw new ConflictError('routing/cancel_contended', `Request '${requestId}' kept changing; retry`);
  }

  // ---------------------------------------------------------------- matching pass

  /**
   * One matching pass: lock the ready agents nobody else holds, lock the oldest waiting requests
   * of the targets those agents can serve, and pair them — requests in priority then arrival
   * order, each taking the matching agent that has been ready longest. Returns how many
   * reservations it made. Rows a concurrent pass holds are skipped, never waited for.
   */
  async matchPass(events: RoutingEvents): Promise<MatchPassResult> {
    return this.db.transaction(async (tx) => {
      const now = this.clock.now();
      const agents = await tx
        .select({ id: agentsTable.id })
        .from(agentsTable)
        .where(eq(agentsTable.state, 'READY'))
        .orderBy(asc(agentsTable.readySince), asc(agentsTable.id))
        .limit(this.options.maxAgentsPerPass)
        .for('update', { skipLocked: true });
      if (agents.length === 0) return { reserved: 0, lockedAgents: 0, contended: false };

      const waitingTargets = await tx
        .select({ target: requestsTable.target })
        .from(requestsTable)
        .where(eq(requestsTable.state, 'WAITING'))
        .groupBy(requestsTable.target);
      if (waitingTargets.length === 0) return { reserved: 0, lockedAgents: agents.length, contended: false };

      const profiles = await loadProfiles(
        tx,
        agents.map((a) => a.id),
      );
      const servable = new Map<string, ReturnType<TargetCache['get']>>();
      for (const { target } of waitingTargets) {
        const parsed = this.parsedOrNull(target);
        if (parsed && profiles.some((p) => matchesAgent(parsed.expr, p))) servable.set(target, parsed);
      }
      if (servable.size === 0) return { reserved: 0, lockedAgents: agents.length, contended: false };

      // Per servable target, at most one request per locked agent can be served in this pass:
      // pick them without locks, then lock those still waiting, skipping rows another pass holds.
      const ranked = await tx
        .select({ seq: sql<number>`seq` })
        .from(
          sql`(select ${requestsTable.seq} as seq, row_number() over (
            partition by ${requestsTable.target}
            order by ${requestsTable.priority} desc, ${requestsTable.enqueuedAt}, ${requestsTable.seq}) as rn
          from ${requestsTable}
          where ${requestsTable.state} = 'WAITING' and ${inArray(requestsTable.target, [...servable.keys()])}
        ) as ranked`,
        )
        .where(sql`rn <= ${agents.length}`);
      const candidates =
        ranked.length === 0
          ? []
          : await tx
              .select({
                seq: requestsTable.seq,
                requestId: requestsTable.requestId,
                virtualQueue: requestsTable.virtualQueue,
                target: requestsTable.target,
              })
              .from(requestsTable)
              .where(
                and(
                  eq(requestsTable.state, 'WAITING'),
                  inArray(
                    requestsTable.seq,
                    ranked.map((r) => Number(r.seq)),
                  ),
                ),
              )
              .orderBy(desc(requestsTable.priority), asc(requestsTable.enqueuedAt), asc(requestsTable.seq))
              .for('update', { skipLocked: true });
      // Rows we could not lock are another pass's; if ours ends up short, the caller retries.
      const contended = candidates.length < ranked.length;

      const taken = new Set<string>();
      const pairs: { req: (typeof candidates)[number]; agentId: string }[] = [];
      for (const req of candidates) {
        const parsed = servable.get(req.target);
        if (!parsed) continue;
        const agent = profiles.find((p) => !taken.has(p.id) && matchesAgent(parsed.expr, p));
        if (!agent) continue;
        taken.add(agent.id);
        pairs.push({ req, agentId: agent.id });
        if (taken.size === profiles.length) break;
      }
      if (pairs.length === 0) return { reserved: 0, lockedAgents: agents.length, contended };

      const queues = [...new Set(pairs.map((p) => p.req.virtualQueue))];
      const timeouts = new Map(
        (
          await tx
            .select({ name: virtualQueuesTable.name, seconds: virtualQueuesTable.reservationTimeoutSeconds })
            .from(virtualQueuesTable)
            .where(inArray(virtualQueuesTable.name, queues))
        ).map((q) => [q.name, q.seconds ?? this.options.reservationTimeoutSeconds]),
      );
      const expiresFor = (queue: string) =>
        new Date(now.getTime() + (timeouts.get(queue) ?? this.options.reservationTimeoutSeconds) * 1000);

      const inserted = await tx
        .insert(reservationsTable)
        .values(
          pairs.map(({ req, agentId }) => ({
            requestSeq: req.seq,
            requestId: req.requestId,
            agentId,
            virtualQueue: req.virtualQueue,
            reservedAt: now,
            expiresAt: expiresFor(req.virtualQueue),
          })),
        )
        .returning({ id: reservationsTable.id, requestSeq: reservationsTable.requestSeq });
      const reservationBySeq = new Map(inserted.map((r) => [r.requestSeq, r.id]));

      const agentValues = sql.join(
        pairs.map((p) => sql`(${p.agentId}, ${reservationBySeq.get(p.req.seq)}::bigint)`),
        sql`, `,
      );
      await tx.execute(sql`update ${agentsTable}
        set state = 'RESERVED', current_reservation_id = v.rid, state_changed_at = ${iso(now)}::timestamptz,
            updated_at = ${iso(now)}::timestamptz
        from (values ${agentValues}) as v(agent_id, rid)
        where ${agentsTable.id} = v.agent_id`);
      const requestValues = sql.join(
        pairs.map(
          (p) =>
            sql`(${p.req.seq}::bigint, ${p.agentId}, ${reservationBySeq.get(p.req.seq)}::bigint, ${iso(
              expiresFor(p.req.virtualQueue),
            )}::timestamptz)`,
        ),
        sql`, `,
      );
      await tx.execute(sql`update ${requestsTable}
        set state = 'RESERVED', agent_id = v.agent_id, reservation_id = v.rid, reservation_expires_at = v.expires,
            reservation_count = reservation_count + 1, updated_at = ${iso(now)}::timestamptz
        from (values ${requestValues}) as v(seq, agent_id, rid, expires)
        where ${requestsTable.seq} = v.seq`);

      for (const { req, agentId } of pairs) {
        const reservationId = reservationBySeq.get(req.seq) as number;
        const event = reservationEvent(
          'RESERVED',
          { ...req, reservationId },
          agentId,
          'RESERVED',
          now,
          expiresFor(req.virtualQueue),
        );
        events.reservation(event);
        events.agent(agentId, 'RESERVED', now, event);
        events.queue(req.virtualQueue, 'RESERVED', req.requestId, now);
      }
      return {
        reserved: pairs.length,
        lockedAgents: agents.length,
        contended: contended && taken.size < profiles.length,
      };
    });
  }

  private parsedOrNull(target: string) {
    try {
      return this.targets.get(target);
    } catch (err) {
      this.logger.warn('waiting request has an unparsable target; skipped', { target, err });
      return null;
    }
  }

  // ---------------------------------------------------------------- reservation timeouts

  /**
   * Returns lapsed reservations' requests to their place (their arrival time is unchanged) and
   * puts the agent who did not answer in NOT_READY (redirect on no answer). Idempotent and safe
   * on any number of instances: rows another transaction holds are skipped and retried later.
   */
  async expireReservations(events: RoutingEvents, limit = 500): Promise<number> {
    const now = this.clock.now();
    const due = await this.db
      .select({ seq: requestsTable.seq, agentId: requestsTable.agentId })
      .from(requestsTable)
      .where(and(eq(requestsTable.state, 'RESERVED'), lte(requestsTable.reservationExpiresAt, now)))
      .limit(limit);
    if (due.length === 0) return 0;
    return this.db.transaction(async (tx) => {
      const agentIds = [...new Set(due.map((d) => d.agentId).filter((a): a is string => a !== null))];
      const agents =
        agentIds.length === 0
          ? []
          : await tx
              .select()
              .from(agentsTable)
              .where(and(inArray(agentsTable.id, agentIds), eq(agentsTable.state, 'RESERVED')))
              .for('update', { skipLocked: true });
      const agentById = new Map(agents.map((a) => [a.id, a]));
      const requests = await tx
        .select()
        .from(requestsTable)
        .where(
          and(
            inArray(
              requestsTable.seq,
              due.map((d) => d.seq),
            ),
            eq(requestsTable.state, 'RESERVED'),
            lte(requestsTable.reservationExpiresAt, now),
          ),
        )
        .for('update', { skipLocked: true });
      let expired = 0;
      for (const req of requests) {
        const agent = req.agentId ? agentById.get(req.agentId) : undefined;
        if (!agent || agent.currentReservationId !== req.reservationId) continue;
        await this.returnToQueue(tx, req, agent, 'EXPIRED', 'NOT_READY', now, events);
        expired++;
      }
      return expired;
    });
  }

  // ---------------------------------------------------------------- agent transitions

  /** The agent's open reservation, if any, with its request. */
  async currentAssignment(agentId: string): Promise<{ agent: AgentRow; request: RequestRow | null } | null> {
    const [agent] = await this.db.select().from(agentsTable).where(eq(agentsTable.id, agentId));
    if (!agent) return null;
    if (agent.currentReservationId === null) return { agent, request: null };
    const [request] = await this.db
      .select()
      .from(requestsTable)
      .where(eq(requestsTable.reservationId, agent.currentReservationId))
      .limit(1);
    return { agent, request: request ?? null };
  }

  /**
   * Sets an agent's own state (LOGGED_OUT, NOT_READY, READY, AFTER_CALL_WORK). A reserved agent
   * may only step away (NOT_READY / LOGGED_OUT), which returns the request to its place; a busy
   * agent must complete the interaction first.
   */
  async setState(agentId: string, target: AgentState, events: RoutingEvents): Promise<AgentRow> {
    if (target === 'RESERVED' || target === 'BUSY')
      throw new ValidationError(
        'routing/invalid_state',
        `${target} is set by the router, not by the agent`,
        'state',
      );
    return this.db.transaction(async (tx) => {
      const now = this.clock.now();
      const agent = await this.lockAgent(tx, agentId);
      if (!agent) throw agentNotFound(agentId);
      if (agent.state === target) return agent;
      if (agent.state === 'BUSY')
        throw new ConflictError(
          'routing/agent_busy',
          `Agent '${agentId}' is handling an interaction: complete it first`,
        );
      if (agent.state === 'RESERVED') {
        if (target !== 'NOT_READY' && target !== 'LOGGED_OUT')
          throw new ConflictError(
            'routing/agent_reserved',
            `Agent '${agentId}' holds a reservation: accept or reject it first`,
          );
        const req = agent.currentReservationId === null ? undefined : await this.requestOf(tx, agent);
        if (req) {
          await this.returnToQueue(tx, req, agent, 'RELEASED', target, now, events);
          return (await this.lockAgent(tx, agentId)) as AgentRow;
        }
      }
      const row = await this.setAgentState(tx, agentId, target, now, target === 'READY' ? now : null);
      events.agent(agentId, target, now, null);
      return row;
    });
  }

  async accept(agentId: string, reservationId: number, events: RoutingEvents): Promise<RequestRow> {
    const result = await this.db.transaction(async (tx) => {
      const now = this.clock.now();
      const { agent, req } = await this.lockReservation(tx, agentId, reservationId, 'RESERVED');
      if ((req.reservationExpiresAt?.getTime() ?? 0) <= now.getTime()) {
        await this.returnToQueue(tx, req, agent, 'EXPIRED', 'NOT_READY', now, events);
        return new DeferredError(
          new ConflictError('routing/reservation_expired', `Reservation ${reservationId} has expired`),
        );
      }
      const [updated] = await tx
        .update(requestsTable)
        .set({ state: 'ACCEPTED', acceptedAt: now, reservationExpiresAt: null, updatedAt: now })
        .where(eq(requestsTable.seq, req.seq))
        .returning();
      await tx
        .update(reservationsTable)
        .set({ acceptedAt: now })
        .where(eq(reservationsTable.id, reservationId));
      await this.setAgentState(tx, agentId, 'BUSY', now, null, reservationId);
      const event = reservationEvent(
        'ACCEPTED',
        req,
        agentId,
        'ACCEPTED',
        now,
        req.reservationExpiresAt ?? now,
      );
      events.reservation(event);
      events.agent(agentId, 'BUSY', now, event);
      events.queue(req.virtualQueue, 'ACCEPTED', req.requestId, now);
      return updated as RequestRow;
    });
    if (result instanceof DeferredError) throw result.error;
    return result;
  }

  /** The request returns to its place; the agent goes to `next` (NOT_READY unless asked READY). */
  async reject(
    agentId: string,
    reservationId: number,
    next: 'READY' | 'NOT_READY',
    events: RoutingEvents,
  ): Promise<void> {
    await this.db.transaction(async (tx) => {
      const now = this.clock.now();
      const { agent, req } = await this.lockReservation(tx, agentId, reservationId, 'RESERVED');
      await this.returnToQueue(tx, req, agent, 'REJECTED', next, now, events);
    });
  }

  /** Ends an accepted interaction; returns its handle time in seconds. */
  async complete(
    agentId: string,
    reservationId: number,
    next: 'READY' | 'AFTER_CALL_WORK' | 'NOT_READY',
    alpha: number,
    events: RoutingEvents,
  ): Promise<{ request: RequestRow; handleSeconds: number }> {
    return this.db.transaction(async (tx) => {
      const now = this.clock.now();
      const { req } = await this.lockReservation(tx, agentId, reservationId, 'ACCEPTED');
      const handleSeconds = Math.max(0, (now.getTime() - (req.acceptedAt ?? now).getTime()) / 1000);
      const [updated] = await tx
        .update(requestsTable)
        .set({ state: 'COMPLETED', completedAt: now, updatedAt: now })
        .where(eq(requestsTable.seq, req.seq))
        .returning();
      await this.endReservation(tx, reservationId, 'COMPLETED', now);
      await this.setAgentState(tx, agentId, next, now, next === 'READY' ? now : null);
      // Exponentially weighted, computed in one UPDATE so concurrent completions compose.
      await tx
        .update(virtualQueuesTable)
        .set({
          averageHandleSeconds: sql`case when ${virtualQueuesTable.averageHandleSeconds} is null then ${handleSeconds}::double precision
            else ${virtualQueuesTable.averageHandleSeconds} * ${1 - alpha}::double precision + ${handleSeconds * alpha}::double precision end`,
          handleSamples: sql`${virtualQueuesTable.handleSamples} + 1`,
          updatedAt: now,
        })
        .where(eq(virtualQueuesTable.name, req.virtualQueue));
      const event = reservationEvent('COMPLETED', req, agentId, 'COMPLETED', now, now);
      events.reservation(event);
      events.agent(agentId, next, now, event);
      events.queue(req.virtualQueue, 'COMPLETED', req.requestId, now);
      return { request: updated as RequestRow, handleSeconds };
    });
  }

  // ---------------------------------------------------------------- helpers (inside a transaction)

  private async lockAgent(tx: Tx, agentId: string): Promise<AgentRow | undefined> {
    const [row] = await tx.select().from(agentsTable).where(eq(agentsTable.id, agentId)).for('update');
    return row;
  }

  private async lockRequest(tx: Tx, seq: number): Promise<RequestRow | undefined> {
    const [row] = await tx.select().from(requestsTable).where(eq(requestsTable.seq, seq)).for('update');
    return row;
  }

  private async requestOf(tx: Tx, agent: AgentRow): Promise<RequestRow | undefined> {
    if (agent.currentReservationId === null) return undefined;
    const [res] = await tx
      .select({ seq: reservationsTable.requestSeq })
      .from(reservationsTable)
      .where(eq(reservationsTable.id, agent.currentReservationId));
    if (!res) return undefined;
    const req = await this.lockRequest(tx, res.seq);
    return req && req.reservationId === agent.currentReservationId ? req : undefined;
  }

  /** Locks the agent, then the request of `reservationId`, and checks both are in the expected state. */
  private async lockReservation(
    tx: Tx,
    agentId: string,
    reservationId: number,
    requestState: 'RESERVED' | 'ACCEPTED',
  ): Promise<{ agent: AgentRow; req: RequestRow }> {
    const agent = await this.lockAgent(tx, agentId);
    if (!agent) throw agentNotFound(agentId);
    const expectedAgentState = requestState === 'RESERVED' ? 'RESERVED' : 'BUSY';
    const req =
      agent.currentReservationId === reservationId && agent.state === expectedAgentState
        ? await this.requestOf(tx, agent)
        : undefined;
    if (!req || req.state !== requestState || req.agentId !== agentId)
      throw new ConflictError(
        'routing/no_such_reservation',
        requestState === 'RESERVED'
          ? `Agent '${agentId}' holds no pending reservation ${reservationId}`
          : `Agent '${agentId}' is not handling reservation ${reservationId}`,
      );
    return { agent, req };
  }

  /** Ends the request's reservation and puts it back in its place; the agent goes to `next`. */
  private async returnToQueue(
    tx: Tx,
    req: RequestRow,
    agent: AgentRow,
    outcome: 'EXPIRED' | 'REJECTED' | 'RELEASED',
    next: AgentState,
    now: Date,
    events: RoutingEvents,
  ): Promise<void> {
    await tx
      .update(requestsTable)
      .set({
        state: 'WAITING',
        agentId: null,
        reservationId: null,
        reservationExpiresAt: null,
        updatedAt: now,
      })
      .where(eq(requestsTable.seq, req.seq));
    if (req.reservationId !== null) await this.endReservation(tx, req.reservationId, outcome, now);
    await this.setAgentState(tx, agent.id, next, now, next === 'READY' ? now : null);
    const event = reservationEvent(outcome, req, agent.id, 'WAITING', now, req.reservationExpiresAt ?? now);
    events.reservation(event);
    events.agent(agent.id, next, now, event);
    events.queue(req.virtualQueue, 'REQUEUED', req.requestId, now);
  }

  private async endReservation(tx: Tx, id: number, outcome: ReservationOutcome, now: Date): Promise<void> {
    await tx
      .update(reservationsTable)
      .set({ endedAt: now, outcome })
      .where(and(eq(reservationsTable.id, id), sql`${reservationsTable.endedAt} is null`));
  }

  private async setAgentState(
    tx: Tx,
    agentId: string,
    state: AgentState,
    now: Date,
    readySince: Date | null,
    reservationId: number | null = null,
  ): Promise<AgentRow> {
    const [row] = await tx
      .update(agentsTable)
      .set({ state, stateChangedAt: now, readySince, currentReservationId: reservationId, updatedAt: now })
      .where(eq(agentsTable.id, agentId))
      .returning();
    return row as AgentRow;
  }
}

/** Skills and groups of these agents, in the given order. */
export async function loadProfiles(db: DbOrTx, agentIds: string[]): Promise<MatchableAgent[]> {
  if (agentIds.length === 0) return [];
  const skills = await db.select().from(agentSkillsTable).where(inArray(agentSkillsTable.agentId, agentIds));
  const groups = await db
    .select()
    .from(agentGroupMembersTable)
    .where(inArray(agentGroupMembersTable.agentId, agentIds));
  const profiles = new Map<string, { id: string; groups: Set<string>; skills: Map<string, number> }>(
    agentIds.map((id) => [id, { id, groups: new Set(), skills: new Map() }]),
  );
  for (const s of skills) profiles.get(s.agentId)?.skills.set(s.skill, s.level);
  for (const g of groups) profiles.get(g.agentId)?.groups.add(g.groupName);
  return agentIds.map((id) => profiles.get(id) as MatchableAgent);
}

export function checkRequestId(requestId: unknown): string {
  if (typeof requestId !== 'string' || requestId.trim() === '' || requestId.length > 200)
    throw new ValidationError(
      'routing/invalid_request_id',
      'A request id is 1 to 200 characters',
      'requestId',
    );
  return requestId;
}

export const agentNotFound = (agentId: string) =>
  new NotFoundError('routing/agent_not_found', `Agent '${agentId}' not found`);
