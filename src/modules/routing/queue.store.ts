import { and, asc, desc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { Clock } from '../../clock.js';
import type { Db, DbOrTx } from '../../db/client.js';
import { ConflictError, ValidationError } from '../../errors.js';
import { moveAgent } from './agent-transitions.js';
import { type RoutingEvents, reservationEvent } from './events.js';
import { endReservation, lockAgent, lockRequest } from './queue.rows.js';
import { type RequestRow, type RequestState, requestsTable, virtualQueuesTable } from './routing.tables.js';
import type { EnqueueInput, RoutingRequestView } from './routing.types.js';
import type { TargetCache } from './target.js';

export const ACTIVE_STATES: RequestState[] = ['WAITING', 'RESERVED', 'ACCEPTED'];
const activeSql = sql.raw(`state in ('WAITING', 'RESERVED', 'ACCEPTED')`);

export const DATA_LIMIT_BYTES = 64 * 1024;

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

/**
 * The queue's requests: enqueue, read, list and cancel. Pairing them with agents is the matching
 * pass (match-pass.ts, pairing.ts); what agents do with a reservation is agent-transitions.ts;
 * lapsed reservations are reservation-expiry.ts. The locking rules are in queue.rows.ts.
 */
export class QueueStore {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly targets: TargetCache,
  ) {}

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
        const agent = seen.agentId ? await lockAgent(tx, seen.agentId) : undefined;
        const req = await lockRequest(tx, seen.seq);
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
          await endReservation(tx, req.reservationId, 'CANCELLED', now);
          if (agent.currentReservationId === req.reservationId) {
            // The agent did nothing wrong: back to READY, keeping its place among idle agents.
            await moveAgent(tx, agent, 'cancel', 'READY', now, { readySince: agent.readySince });
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
