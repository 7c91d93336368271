import type { DbOrTx } from '../../db/client.js';
import type { Deps } from '../../deps.js';
import { DomainError } from '../../errors.js';
import type { OfficeHoursManager } from '../office-hours/office-hours.manager.js';
import type { ResourceManager } from '../resource/resource.manager.js';
import type { RoutingManager } from '../routing/routing.manager.js';
import { ACTIVE_STATES } from './callback.limits.js';
import type { CallbackStore } from './callback.store.js';
import type { CallbackRow, CallbackState } from './callback.tables.js';

/**
 * How a callback ends: COMPLETED with its `_callback_reason` under the row lock (once), its report
 * activity, its capacity place given back when it never reached its slot, then (after commit) its
 * routing request withdrawn and its access-number bookings released. Cancel and admin cancel end it
 * through the same path; a stopped session ends it inside the session's own transaction.
 */
export class CallbackCompletion {
  constructor(
    private readonly deps: Deps,
    private readonly store: CallbackStore,
    private readonly m: {
      routing: RoutingManager;
      resources: ResourceManager;
      officeHours: OfficeHoursManager;
    },
  ) {}

  /** Ends a callback (COMPLETED with `reason`) unless already completed; true when this call did it. */
  async complete(
    id: string,
    reason: string,
    fromStates: CallbackState[] = ACTIVE_STATES,
    routingReason = reason,
  ): Promise<boolean> {
    const row = await this.deps.db.transaction((tx) => this.completeIn(tx, id, reason, fromStates));
    if (!row) return false;
    await this.store.announce(row);
    if (row.enqueuedAt) await this.m.routing.router.cancel(id, routingReason);
    await this.m.resources.releaseSession(id);
    return true;
  }

  /** The completion inside `tx` (the caller's transaction); null when the callback was not in `fromStates`. */
  async completeIn(
    tx: DbOrTx,
    id: string,
    reason: string,
    fromStates: CallbackState[] = ACTIVE_STATES,
  ): Promise<CallbackRow | null> {
    const now = this.deps.clock.now();
    const before = await this.store.lockForCompletion(tx, id);
    if (!before || !fromStates.includes(before.state)) return null;
    const row = await this.store.markCompleted(tx, id, reason, now);
    if (row)
      await this.store.recordActivity(
        tx,
        row,
        reason.startsWith('CANCELLED')
          ? 'cancelled'
          : reason === 'AGENT_CONNECTED'
            ? 'completed'
            : 'abandoned',
        now,
      );
    // A callback that never reached its slot (still scheduled, or cancelled) gives its place back.
    if (before.slotStart && (before.state === 'SCHEDULED' || reason.startsWith('CANCELLED')))
      await this.m.officeHours.releaseCapacity(tx, { ref: id });
    return row ?? null;
  }

  /** DELETE /genesys/1/service/callback/{name}/{id} (and admin cancel with CANCELLED_BY_ADMIN). */
  async cancel(id: string, options: { serviceName?: string; reason?: string } = {}): Promise<CallbackRow> {
    const cb = await this.store.get(id);
    if (options.serviceName && cb.serviceName !== options.serviceName) throw this.store.notFound(id);
    if (cb.state === 'COMPLETED')
      throw new DomainError(
        'callback/already_completed',
        `Callback '${id}' is already COMPLETED (${cb.reason})`,
      );
    await this.complete(id, options.reason ?? 'CANCELLED');
    return this.store.get(id);
  }

  /**
   * Admin bulk cancel (`POST /genesys/1/admin/callback/cancel`): each active callback becomes
   * COMPLETED with CANCELLED_BY_ADMIN; `reason` is kept as the routing cancel reason.
   */
  async adminCancel(
    ids: string[],
    reason?: string,
  ): Promise<{ cancelled: string[]; notCancelled: string[] }> {
    const cancelled: string[] = [];
    const notCancelled: string[] = [];
    for (const id of [...new Set(ids)]) {
      const done = await this.complete(id, 'CANCELLED_BY_ADMIN', ACTIVE_STATES, reason);
      (done ? cancelled : notCancelled).push(id);
    }
    return { cancelled, notCancelled };
  }
}
