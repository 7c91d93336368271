import { and, asc, eq, isNotNull, isNull, ne } from 'drizzle-orm';
import type { Deps } from '../../deps.js';
import { DomainError, ValidationError } from '../../errors.js';
import { agentReservedColumns, type CallbackStore } from './callback.store.js';
import { type CallbackRow, callbacksTable } from './callback.tables.js';

/** A user-terminated callback's customer is to be called now (for a dialer integration). */
export interface DialRequest {
  id: string;
  serviceName: string;
  customerNumber: string;
  agentId: string | null;
  virtualQueue: string;
  at: string;
}

export const DIAL_OUTCOMES = ['CONNECTED', 'NO_ANSWER', 'BUSY', 'FAILED'] as const;
export type DialOutcome = (typeof DIAL_OUTCOMES)[number];

declare module '../../pubsub/topics.js' {
  interface TopicMap {
    /** No key: every dial request (a poke; `pendingDials()` is the record). */
    'callback:dial': DialRequest;
  }
}

/**
 * The user-terminated dial step: when an agent is reserved, the customer is to be called by a
 * dialer integration. The request is stored on the row first (`dial_requested_at`), then poked on
 * `callback:dial`; a dialer re-reads `pendingDials` after a poke or a restart and reports one
 * outcome per request (`dial_outcome`). What the outcome does to the callback is the manager's.
 */
export class CallbackDialer {
  constructor(
    private readonly deps: Deps,
    private readonly store: CallbackStore,
  ) {}

  /** Asks the dialer to call the customer (once): stored first, then `callback:dial` pokes. */
  async requestDial(cb: CallbackRow, agentId: string, reservationId: number): Promise<void> {
    const now = this.deps.clock.now();
    const [row] = await this.deps.db
      .update(callbacksTable)
      .set({ ...agentReservedColumns(agentId, reservationId, now), dialRequestedAt: now })
      .where(
        and(
          eq(callbacksTable.id, cb.id),
          isNull(callbacksTable.dialRequestedAt),
          ne(callbacksTable.state, 'COMPLETED'),
        ),
      )
      .returning();
    if (!row) return;
    await this.store.announce(row);
    await this.deps.bus.publish('callback:dial', null, this.dialRequest(row));
  }

  private dialRequest(row: CallbackRow): DialRequest {
    return {
      id: row.id,
      serviceName: row.serviceName,
      customerNumber: row.customerKey ?? row.customerNumber ?? '',
      agentId: row.agentId,
      virtualQueue: row.virtualQueue,
      at: (row.dialRequestedAt ?? row.updatedAt).toISOString(),
    };
  }

  /** Dial requests with no outcome yet, oldest first: what a dialer (re)reads after a poke or a restart. */
  async pendingDials(limit = 100): Promise<DialRequest[]> {
    const rows = await this.deps.db
      .select()
      .from(callbacksTable)
      .where(
        and(
          isNotNull(callbacksTable.dialRequestedAt),
          isNull(callbacksTable.dialOutcome),
          ne(callbacksTable.state, 'COMPLETED'),
        ),
      )
      .orderBy(asc(callbacksTable.dialRequestedAt))
      .limit(Math.min(Math.max(limit, 1), 1000));
    return rows.map((r) => this.dialRequest(r));
  }

  /**
   * Stores the dialer's report, once per dial request: a second report, or one for a callback that
   * asked for no dial (or has ended), is refused.
   */
  async recordOutcome(id: string, outcome: DialOutcome): Promise<void> {
    if (!(DIAL_OUTCOMES as readonly string[]).includes(outcome))
      throw new ValidationError(
        'callback/invalid_outcome',
        `Dial outcome must be one of ${DIAL_OUTCOMES.join(', ')}`,
        'outcome',
      );
    const now = this.deps.clock.now();
    const [row] = await this.deps.db
      .update(callbacksTable)
      .set({ dialOutcome: outcome, updatedAt: now })
      .where(
        and(
          eq(callbacksTable.id, id),
          isNotNull(callbacksTable.dialRequestedAt),
          isNull(callbacksTable.dialOutcome),
          ne(callbacksTable.state, 'COMPLETED'),
        ),
      )
      .returning();
    if (!row) {
      await this.store.get(id);
      throw new DomainError(
        'callback/no_pending_dial',
        `Callback '${id}' has no dial waiting for an outcome`,
      );
    }
  }
}
