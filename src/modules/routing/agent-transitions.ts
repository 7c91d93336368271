import { eq, sql } from 'drizzle-orm';
import type { Clock } from '../../clock.js';
import type { Db, Tx } from '../../db/client.js';
import { ConflictError, ValidationError } from '../../errors.js';
import { type RoutingEvents, reservationEvent } from './events.js';
import { agentNotFound, endReservation, lockAgent, requestOf, writeAgentState } from './queue.rows.js';
import {
  type AgentRow,
  type AgentState,
  type RequestRow,
  requestsTable,
  reservationsTable,
  virtualQueuesTable,
} from './routing.tables.js';

/** What moves an agent: its own request, or a step of the reservation it holds. */
export type AgentCause =
  /** The agent (or its supervisor) sets its state. */
  | 'agent'
  /** The matching pass pairs a READY agent with a request (match-pass.ts, in bulk). */
  | 'reserve'
  | 'accept'
  | 'reject'
  /** The reservation lapsed unanswered (reservation-expiry.ts): redirect on no answer. */
  | 'expire'
  /** A reserved agent stepped away: the request goes back to its place. */
  | 'release'
  /** The request was cancelled under the agent: it did nothing wrong and keeps its place. */
  | 'cancel'
  | 'complete';

/** The states an agent sets itself. RESERVED and BUSY are the router's. */
export const SELF_STATES: readonly AgentState[] = ['LOGGED_OUT', 'NOT_READY', 'READY', 'AFTER_CALL_WORK'];

/**
 * THE agent state machine: from each state, where each cause may take the agent. Every state
 * write goes through `moveAgent`, which refuses a move this table does not list, except the
 * matching pass's `reserve`, written in bulk by one UPDATE on agents it locked as READY.
 */
export const AGENT_TRANSITIONS: Readonly<
  Record<AgentState, Readonly<Partial<Record<AgentCause, readonly AgentState[]>>>>
> = {
  LOGGED_OUT: { agent: SELF_STATES },
  NOT_READY: { agent: SELF_STATES },
  READY: { agent: SELF_STATES, reserve: ['RESERVED'] },
  AFTER_CALL_WORK: { agent: SELF_STATES },
  RESERVED: {
    release: ['NOT_READY', 'LOGGED_OUT'],
    accept: ['BUSY'],
    reject: ['READY', 'NOT_READY'],
    expire: ['NOT_READY'],
    cancel: ['READY'],
  },
  BUSY: { complete: ['READY', 'AFTER_CALL_WORK', 'NOT_READY'] },
};

/** Why an agent may not set its own state from where it is (the states with no `agent` entry). */
const SELF_REFUSALS: Partial<Record<AgentState, (agentId: string) => ConflictError>> = {
  RESERVED: (id) =>
    new ConflictError(
      'routing/agent_reserved',
      `Agent '${id}' holds a reservation: accept or reject it first`,
    ),
  BUSY: (id) =>
    new ConflictError('routing/agent_busy', `Agent '${id}' is handling an interaction: complete it first`),
};

export const allowed = (from: AgentState, cause: AgentCause, to: AgentState): boolean =>
  AGENT_TRANSITIONS[from][cause]?.includes(to) ?? false;

/**
 * Writes an agent's move after checking it against the table (a move it does not list is a bug in
 * this module, never a client's mistake: it throws and the transaction rolls back). READY records
 * when the agent became ready (`keep.readySince`: an agent whose reservation was cancelled keeps
 * its place among idle agents).
 */
export async function moveAgent(
  tx: Tx,
  agent: AgentRow,
  cause: AgentCause,
  next: AgentState,
  now: Date,
  keep: { readySince?: Date | null; reservationId?: number } = {},
): Promise<AgentRow> {
  if (!allowed(agent.state, cause, next))
    throw new Error(`routing: no agent transition ${agent.state} -(${cause})-> ${next}`);
  const readySince = next === 'READY' ? (keep.readySince ?? now) : null;
  return writeAgentState(tx, agent.id, next, now, readySince, keep.reservationId ?? null);
}

const RETURN_CAUSES = { EXPIRED: 'expire', REJECTED: 'reject', RELEASED: 'release' } as const;

/** Ends the request's reservation and puts it back in its place; the agent goes to `next`. */
export async function returnToQueue(
  tx: Tx,
  req: RequestRow,
  agent: AgentRow,
  outcome: keyof typeof RETURN_CAUSES,
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
  if (req.reservationId !== null) await endReservation(tx, req.reservationId, outcome, now);
  await moveAgent(tx, agent, RETURN_CAUSES[outcome], next, now);
  const event = reservationEvent(outcome, req, agent.id, 'WAITING', now, req.reservationExpiresAt ?? now);
  events.reservation(event);
  events.agent(agent.id, next, now, event);
  events.queue(req.virtualQueue, 'REQUEUED', req.requestId, now);
}

/** Outcome of a transition that must still be reported as an error once its effects committed. */
class DeferredError {
  constructor(readonly error: Error) {}
}

/** The agent desktop's transitions: the agent's own state, and accept / reject / complete of its reservation. */
export class AgentTransitions {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /**
   * Sets an agent's own state (SELF_STATES). A reserved agent may only step away (NOT_READY /
   * LOGGED_OUT), which returns the request to its place; a busy agent must complete the
   * interaction first.
   */
  async setState(agentId: string, target: AgentState, events: RoutingEvents): Promise<AgentRow> {
    if (!SELF_STATES.includes(target))
      throw new ValidationError(
        'routing/invalid_state',
        `${target} is set by the router, not by the agent`,
        'state',
      );
    return this.db.transaction(async (tx) => {
      const now = this.clock.now();
      const agent = await lockAgent(tx, agentId);
      if (!agent) throw agentNotFound(agentId);
      if (agent.state === target) return agent;
      const cause = allowed(agent.state, 'release', target) ? 'release' : 'agent';
      if (!allowed(agent.state, cause, target))
        throw (SELF_REFUSALS[agent.state] as (id: string) => ConflictError)(agentId);
      if (cause === 'release') {
        const req = await requestOf(tx, agent);
        if (req) {
          await returnToQueue(tx, req, agent, 'RELEASED', target, now, events);
          return (await lockAgent(tx, agentId)) as AgentRow;
        }
        // The request is already gone: nothing to release, the agent steps away all the same.
      }
      const row = await moveAgent(tx, agent, cause, target, now);
      events.agent(agentId, target, now, null);
      return row;
    });
  }

  async accept(agentId: string, reservationId: number, events: RoutingEvents): Promise<RequestRow> {
    const result = await this.db.transaction(async (tx) => {
      const now = this.clock.now();
      const { agent, req } = await lockReservation(tx, agentId, reservationId, 'RESERVED');
      if ((req.reservationExpiresAt?.getTime() ?? 0) <= now.getTime()) {
        await returnToQueue(tx, req, agent, 'EXPIRED', 'NOT_READY', now, events);
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
      await moveAgent(tx, agent, 'accept', 'BUSY', now, { reservationId });
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
      const { agent, req } = await lockReservation(tx, agentId, reservationId, 'RESERVED');
      await returnToQueue(tx, req, agent, 'REJECTED', next, now, events);
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
      const { agent, req } = await lockReservation(tx, agentId, reservationId, 'ACCEPTED');
      const handleSeconds = Math.max(0, (now.getTime() - (req.acceptedAt ?? now).getTime()) / 1000);
      const [updated] = await tx
        .update(requestsTable)
        .set({ state: 'COMPLETED', completedAt: now, updatedAt: now })
        .where(eq(requestsTable.seq, req.seq))
        .returning();
      await endReservation(tx, reservationId, 'COMPLETED', now);
      await moveAgent(tx, agent, 'complete', next, now);
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
}

/** Locks the agent, then the request of `reservationId`, and checks both are in the expected state. */
async function lockReservation(
  tx: Tx,
  agentId: string,
  reservationId: number,
  requestState: 'RESERVED' | 'ACCEPTED',
): Promise<{ agent: AgentRow; req: RequestRow }> {
  const agent = await lockAgent(tx, agentId);
  if (!agent) throw agentNotFound(agentId);
  const expectedAgentState = requestState === 'RESERVED' ? 'RESERVED' : 'BUSY';
  const req =
    agent.currentReservationId === reservationId && agent.state === expectedAgentState
      ? await requestOf(tx, agent)
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
