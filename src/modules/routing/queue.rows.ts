import { and, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../../db/client.js';
import { NotFoundError } from '../../errors.js';
import {
  type AgentRow,
  type AgentState,
  agentGroupMembersTable,
  agentSkillsTable,
  agentsTable,
  type RequestRow,
  type ReservationOutcome,
  requestsTable,
  reservationsTable,
} from './routing.tables.js';
import type { MatchableAgent } from './target.js';

/*
 * Row-level reads and writes shared by the queue (queue.store.ts), the agent state machine
 * (agent-transitions.ts), the matching pass (match-pass.ts) and the expiry (reservation-expiry.ts).
 * The locking rules they all keep:
 * - lock order is always agent row first, then request row, so two transactions never wait on
 *   each other in a cycle;
 * - the matching pass and the expiry sweep lock with FOR UPDATE SKIP LOCKED and re-check the
 *   state on the rows they locked, so concurrent passes (on any instance) never reserve one
 *   agent or one request twice; the unique partial indexes on open reservations are a backstop;
 * - single-agent operations lock with a plain FOR UPDATE (they must not skip their own agent).
 */

export const agentNotFound = (agentId: string) =>
  new NotFoundError('routing/agent_not_found', `Agent '${agentId}' not found`);

export async function lockAgent(tx: Tx, agentId: string): Promise<AgentRow | undefined> {
  const [row] = await tx.select().from(agentsTable).where(eq(agentsTable.id, agentId)).for('update');
  return row;
}

export async function lockRequest(tx: Tx, seq: number): Promise<RequestRow | undefined> {
  const [row] = await tx.select().from(requestsTable).where(eq(requestsTable.seq, seq)).for('update');
  return row;
}

/** The request of the agent's open reservation, locked (after the agent: the lock order). */
export async function requestOf(tx: Tx, agent: AgentRow): Promise<RequestRow | undefined> {
  if (agent.currentReservationId === null) return undefined;
  const [res] = await tx
    .select({ seq: reservationsTable.requestSeq })
    .from(reservationsTable)
    .where(eq(reservationsTable.id, agent.currentReservationId));
  if (!res) return undefined;
  const req = await lockRequest(tx, res.seq);
  return req && req.reservationId === agent.currentReservationId ? req : undefined;
}

export async function endReservation(
  tx: Tx,
  id: number,
  outcome: ReservationOutcome,
  now: Date,
): Promise<void> {
  await tx
    .update(reservationsTable)
    .set({ endedAt: now, outcome })
    .where(and(eq(reservationsTable.id, id), sql`${reservationsTable.endedAt} is null`));
}

/** Writes an agent's state; only agent-transitions.ts calls it, after checking the transition table. */
export async function writeAgentState(
  tx: Tx,
  agentId: string,
  state: AgentState,
  now: Date,
  readySince: Date | null,
  reservationId: number | null,
): Promise<AgentRow> {
  const [row] = await tx
    .update(agentsTable)
    .set({ state, stateChangedAt: now, readySince, currentReservationId: reservationId, updatedAt: now })
    .where(eq(agentsTable.id, agentId))
    .returning();
  return row as AgentRow;
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
