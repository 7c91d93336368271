import { and, eq, inArray, lte } from 'drizzle-orm';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import { returnToQueue } from './agent-transitions.js';
import type { RoutingEvents } from './events.js';
import { agentsTable, requestsTable } from './routing.tables.js';

/**
 * Returns lapsed reservations' requests to their place (their arrival time is unchanged) and puts
 * the agent who did not answer in NOT_READY (redirect on no answer). Idempotent and safe on any
 * number of instances: rows another transaction holds are skipped and retried later.
 */
export async function expireReservations(
  db: Db,
  clock: Clock,
  events: RoutingEvents,
  limit = 500,
): Promise<number> {
  const now = clock.now();
  const due = await db
    .select({ seq: requestsTable.seq, agentId: requestsTable.agentId })
    .from(requestsTable)
    .where(and(eq(requestsTable.state, 'RESERVED'), lte(requestsTable.reservationExpiresAt, now)))
    .limit(limit);
  if (due.length === 0) return 0;
  return db.transaction(async (tx) => {
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
      await returnToQueue(tx, req, agent, 'EXPIRED', 'NOT_READY', now, events);
      expired++;
    }
    return expired;
  });
}
