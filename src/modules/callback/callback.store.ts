import {
  and,
  asc,
  desc,
  eq,
  gt,
  inArray,
  isNotNull,
  isNull,
  ne,
  notInArray,
  or,
  type SQL,
  sql,
} from 'drizzle-orm';
import { assertOwns, owns } from '../../auth/ownership.js';
import type { DbOrTx } from '../../db/client.js';
import type { Deps } from '../../deps.js';
import { NotFoundError } from '../../errors.js';
import type { ActivityRecorder, CallbackActivityKind } from '../report/activity.manager.js';
import type { Caller } from '../sessions/session-handlers.js';
import {
  type CallbackDialog,
  type CallbackRow,
  type CallbackState,
  callbacksTable,
} from './callback.tables.js';

/** Published (after commit) whenever a callback changes: a poke, the row is the record. */
export interface CallbackChange {
  id: string;
  serviceName: string;
  state: CallbackState;
  reason: string | null;
  at: string;
}

declare module '../../pubsub/topics.js' {
  interface TopicMap {
    /** Keyed by service name, and once more with no key. */
    'callback:changed': CallbackChange;
  }
}

export interface CallbackQuery {
  serviceName?: string | null;
  ids?: string[] | null;
  states?: CallbackState[] | null;
  /**
   * The legacy admin queue query's `target`: Genesys' QA suite and the Android sample pass the
   * callback service name there (and read the answer keyed by it); a routing target or a virtual
   * queue name matches too.
   */
  queue?: string | null;
  /** Every state but these (GMS `_callback_state=!STATE`). */
  excludeStates?: CallbackState[] | null;
  customerNumber?: string | null;
  target?: string | null;
  virtualQueue?: string | null;
  /** Desired time (or creation time for immediate callbacks) from / to. */
  from?: Date | null;
  to?: Date | null;
  limit?: number;
  /** Rows to skip (paging through a long queue, in the same order). */
  offset?: number;
}

/**
 * The columns of an agent reserved for a callback: ROUTING with that agent and reservation, the
 * reservation marked as the one the customer was told of (so it is told once). The agent-available
 * push and the user-terminated dial request both take this transition.
 */
export const agentReservedColumns = (agentId: string, reservationId: number, now: Date) =>
  ({
    state: 'ROUTING',
    agentId,
    reservationId,
    notifiedReservationId: reservationId,
    updatedAt: now,
  }) satisfies Partial<typeof callbacksTable.$inferInsert>;

/**
 * The `callbacks` rows: reads, who may see them, the writes of the routing transitions (each a
 * compare-and-set that applies only while the row is where the transition expects it), the report
 * activity row in the transaction of a change, and the `callback:changed` poke after commit. Which
 * transition to take is the manager's decision (callback.routing-sync.ts); the dial, notification,
 * scheduling and connect steps keep the writes of their own columns beside their rules.
 */
export class CallbackStore {
  constructor(
    private readonly deps: Deps,
    private readonly activity: ActivityRecorder,
  ) {}

  // ---------------------------------------------------------------- reads

  async find(id: string, db: DbOrTx = this.deps.db): Promise<CallbackRow | null> {
    const [row] = await db.select().from(callbacksTable).where(eq(callbacksTable.id, id));
    return row ?? null;
  }

  async get(id: string): Promise<CallbackRow> {
    const row = await this.find(id);
    if (!row) throw this.notFound(id);
    return row;
  }

  /** A callback the caller may act on (auth/ownership.ts: strict → only the device that started it). */
  async owned(caller: Caller, id: string): Promise<CallbackRow> {
    return assertOwns(caller.viewer, await this.get(id), caller.rules, () => this.notFound(id));
  }

  /** `owned`, or null. */
  async findOwned(caller: Caller, id: string): Promise<CallbackRow | null> {
    const row = await this.find(id);
    return row && this.visibleTo(caller, [row]).length > 0 ? row : null;
  }

  /** The rows a caller may see: all under `open` rules (GMS 8.1), its own under `strict`. */
  visibleTo(caller: Caller, rows: CallbackRow[]): CallbackRow[] {
    return caller.rules === 'open' ? rows : rows.filter((r) => owns(caller.viewer, r));
  }

  notFound(id: string) {
    return new NotFoundError('callback/not_found', `Callback '${id}' not found`);
  }

  async list(q: CallbackQuery = {}): Promise<CallbackRow[]> {
    const where: SQL[] = [];
    if (q.serviceName) where.push(eq(callbacksTable.serviceName, q.serviceName));
    if (q.ids?.length) where.push(inArray(callbacksTable.id, q.ids));
    if (q.states?.length) where.push(inArray(callbacksTable.state, q.states));
    if (q.excludeStates?.length) where.push(notInArray(callbacksTable.state, q.excludeStates));
    if (q.customerNumber) {
      const n = q.customerNumber.trim();
      const key = `+${n.replace(/\D/g, '')}`;
      where.push(or(eq(callbacksTable.customerNumber, n), eq(callbacksTable.customerKey, key)) as SQL);
    }
    if (q.target) where.push(eq(callbacksTable.target, q.target));
    if (q.queue)
      where.push(
        or(
          eq(callbacksTable.serviceName, q.queue),
          eq(callbacksTable.target, q.queue),
          eq(callbacksTable.virtualQueue, q.queue),
        ) as SQL,
      );
    if (q.virtualQueue) where.push(eq(callbacksTable.virtualQueue, q.virtualQueue));
    const when = sql`coalesce(${callbacksTable.desiredTime}, ${callbacksTable.createdAt})`;
    if (q.from) where.push(sql`${when} >= ${q.from.toISOString()}::timestamptz`);
    if (q.to) where.push(sql`${when} <= ${q.to.toISOString()}::timestamptz`);
    return this.deps.db
      .select()
      .from(callbacksTable)
      .where(and(...where))
      .orderBy(asc(when), asc(callbacksTable.createdAt), asc(callbacksTable.id))
      .limit(Math.min(Math.max(q.limit ?? 500, 1), 5000))
      .offset(Math.max(q.offset ?? 0, 0));
  }

  /**
   * A page of a service's callbacks, newest first, older than `before` (keyset on created_at, id),
   * only those of `customerNumber` (as given at the start) when it is set.
   */
  async page(
    serviceName: string,
    limit: number,
    before: Pick<CallbackRow, 'createdAt' | 'id'> | null,
    customerNumber: string | null = null,
  ): Promise<CallbackRow[]> {
    const where: SQL[] = [eq(callbacksTable.serviceName, serviceName)];
    if (customerNumber !== null) where.push(eq(callbacksTable.customerNumber, customerNumber));
    if (before)
      where.push(
        sql`(${callbacksTable.createdAt}, ${callbacksTable.id}) < (${before.createdAt.toISOString()}::timestamptz, ${before.id})`,
      );
    return this.deps.db
      .select()
      .from(callbacksTable)
      .where(and(...where))
      .orderBy(desc(callbacksTable.createdAt), desc(callbacksTable.id))
      .limit(limit);
  }

  /** Active callbacks to look at again (`reconcile`), least recently changed first. */
  async needingSync(batch: number, now: Date): Promise<{ id: string }[]> {
    return this.deps.db
      .select({ id: callbacksTable.id })
      .from(callbacksTable)
      .where(
        or(
          inArray(callbacksTable.state, ['QUEUED', 'ROUTING', 'PROCESSING']),
          and(
            eq(callbacksTable.state, 'COMPLETED'),
            isNotNull(callbacksTable.enqueuedAt),
            gt(callbacksTable.completedAt, new Date(now.getTime() - 10 * 60_000)),
          ),
        ),
      )
      .orderBy(asc(callbacksTable.updatedAt))
      .limit(batch);
  }

  /** Queued or scheduled callbacks, not yet arrived, whose number ends in these seven digits. */
  async waitingForNumber(tail: string): Promise<CallbackRow[]> {
    return this.deps.db
      .select()
      .from(callbacksTable)
      .where(
        and(
          inArray(callbacksTable.state, ['SCHEDULED', 'QUEUED']),
          isNull(callbacksTable.arrivedAt),
          sql`${callbacksTable.customerKey} like ${`%${tail}`}`,
        ),
      );
  }

  // ---------------------------------------------------------------- changes

  /**
   * Starts (and reschedules) of a service are serialised: limits and capacity count committed rows.
   * The statement is sent when this is called (not at the caller's await), so statements the caller
   * sends after calling it run after the lock is held, even when they are sent without waiting.
   */
  lockService(tx: DbOrTx, serviceName: string): Promise<void> {
    return tx
      .execute(sql`select pg_advisory_xact_lock(hashtext(${`callback:${serviceName}`}))`)
      .then(() => undefined);
  }

  /** The reports' activity record (docs/reports.md), in the transaction of the change. */
  recordActivity(
    tx: DbOrTx,
    cb: Pick<CallbackRow, 'id' | 'serviceName' | 'virtualQueue' | 'createdAt'>,
    kind: CallbackActivityKind,
    now: Date,
  ): Promise<void> {
    return this.activity.record(tx, {
      category: 'callback',
      kind,
      service: cb.serviceName,
      queue: cb.virtualQueue,
      callbackId: cb.id,
      waitMs: kind === 'created' ? null : now.getTime() - cb.createdAt.getTime(),
      at: now,
    });
  }

  change(cb: CallbackRow): CallbackChange {
    return {
      id: cb.id,
      serviceName: cb.serviceName,
      state: cb.state,
      reason: cb.reason,
      at: cb.updatedAt.toISOString(),
    };
  }

  /** The `callback:changed` poke, keyed by service and once more with no key. */
  async announce(cb: CallbackRow): Promise<void> {
    const change = this.change(cb);
    await this.deps.bus.publish('callback:changed', cb.serviceName, change);
    await this.deps.bus.publish('callback:changed', null, change);
  }

  /** The dialog just handed to the device (routing-sync reads whether a number or a chat was handed out). */
  async setDialog(id: string, dialog: CallbackDialog, db: DbOrTx = this.deps.db): Promise<void> {
    await db
      .update(callbacksTable)
      .set({ dialog, updatedAt: this.deps.clock.now() })
      .where(eq(callbacksTable.id, id));
  }

  /** The routing request now exists; true when this call recorded it. */
  async markEnqueued(id: string, now: Date): Promise<boolean> {
    const marked = await this.deps.db
      .update(callbacksTable)
      .set({ enqueuedAt: now, updatedAt: now })
      .where(and(eq(callbacksTable.id, id), isNull(callbacksTable.enqueuedAt)))
      .returning({ id: callbacksTable.id });
    return marked.length > 0;
  }

  /** The reservation lapsed before the customer came: ROUTING → QUEUED. */
  async backToQueue(id: string, now: Date): Promise<CallbackRow | null> {
    const [back] = await this.deps.db
      .update(callbacksTable)
      .set({ state: 'QUEUED', agentId: null, reservationId: null, updatedAt: now })
      .where(
        and(eq(callbacksTable.id, id), eq(callbacksTable.state, 'ROUTING'), isNull(callbacksTable.arrivedAt)),
      )
      .returning();
    return back ?? null;
  }

  /** The customer arrived (call matched, chat created): QUEUED/ROUTING → ROUTING, once. */
  async markArrived(id: string, now: Date): Promise<CallbackRow | null> {
    const [row] = await this.deps.db
      .update(callbacksTable)
      .set({ arrivedAt: now, state: 'ROUTING', updatedAt: now })
      .where(
        and(
          eq(callbacksTable.id, id),
          isNull(callbacksTable.arrivedAt),
          inArray(callbacksTable.state, ['QUEUED', 'ROUTING']),
        ),
      )
      .returning();
    return row ?? null;
  }

  /**
   * The customer is with the agent: COMPLETED (AGENT_CONNECTED), or PROCESSING when the session is
   * retained; once (the first connection wins), with its activity rows.
   */
  async markConnected(
    id: string,
    retain: boolean,
    agentId: string,
    reservationId: number,
    now: Date,
  ): Promise<CallbackRow | undefined> {
    return this.deps.db.transaction(async (tx) => {
      const [updated] = await tx
        .update(callbacksTable)
        .set({
          state: retain ? 'PROCESSING' : 'COMPLETED',
          reason: retain ? null : 'AGENT_CONNECTED',
          completedAt: retain ? null : now,
          agentId,
          reservationId,
          connectedAt: now,
          updatedAt: now,
        })
        .where(
          and(
            eq(callbacksTable.id, id),
            isNull(callbacksTable.connectedAt),
            ne(callbacksTable.state, 'COMPLETED'),
          ),
        )
        .returning();
      if (updated) {
        await this.recordActivity(tx, updated, 'connected', now);
        if (!retain) await this.recordActivity(tx, updated, 'completed', now);
      }
      return updated;
    });
  }

  /** The state and slot before a completion, the row locked for the rest of `tx`. */
  async lockForCompletion(
    tx: DbOrTx,
    id: string,
  ): Promise<{ state: CallbackState; slotStart: Date | null } | undefined> {
    const [before] = await tx
      .select({ state: callbacksTable.state, slotStart: callbacksTable.slotStart })
      .from(callbacksTable)
      .where(eq(callbacksTable.id, id))
      .for('update');
    return before;
  }

  /** COMPLETED with `reason` (the caller holds the row lock and checked the state). */
  async markCompleted(tx: DbOrTx, id: string, reason: string, now: Date): Promise<CallbackRow | undefined> {
    const [row] = await tx
      .update(callbacksTable)
      .set({ state: 'COMPLETED', reason, completedAt: now, updatedAt: now })
      .where(eq(callbacksTable.id, id))
      .returning();
    return row;
  }
}
