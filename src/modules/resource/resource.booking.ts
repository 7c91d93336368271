import type { DbOrTx, Tx } from '../../db/client.js';
import type { Deps } from '../../deps.js';
import type { ActivityRecorder } from '../report/activity.manager.js';
import { type AllocationScope, Allocator } from './resource.allocation.js';
import { type BookingContext, listEvents, sweepExpired } from './resource.history.js';
import { match } from './resource.matching.js';
import {
  closeBooking,
  extend,
  release,
  releaseBooking,
  releaseSession,
  sessionBookings,
} from './resource.release.js';
import type { BookingCloseReason, ResourceBookingRow } from './resource.tables.js';
import type {
  AllocateInput,
  Allocation,
  BookingView,
  MatchInput,
  MatchResult,
  ResourceEventView,
} from './resource.types.js';

export type { AllocationScope } from './resource.allocation.js';
export { GROUP_LOCK_SPACE } from './resource.allocation.js';
export { iso } from './resource.history.js';

/**
 * The booking engine behind ResourceManager, one file per responsibility:
 * - resource.allocation.ts: allocation (one statement per booking, cost independent of pool size);
 * - resource.release.ts: extend, release, and the compare-and-set close every ending goes through;
 * - resource.matching.ts: matching an incoming call to its session;
 * - resource.history.ts: `resource_events`, the activity rows, expiry, booked/free counts.
 *
 * Invariants:
 * - Locking groups: a number has at most one active booking. The free/booked state is on the
 *   `resources` row and is claimed in one statement that locks the row it decides on (FOR UPDATE
 *   SKIP LOCKED); the EXCLUDE constraint on `resource_bookings` backs it up.
 * - Active = not closed and `ends_at > now` (deps.clock), so an expiry frees a number on every
 *   instance at once; `sweepExpired` only tidies and records `expired` events.
 * - Release and extend are compare-and-set on (resource, booked_by, booking_version), so a late
 *   release from an expired session never frees a newer booking.
 * - Lock order is always resources row, then bookings rows (no deadlocks between paths).
 */
export class BookingEngine {
  private readonly ctx: BookingContext;
  private readonly allocator: Allocator;

  constructor(deps: Deps, activity: ActivityRecorder | null = null) {
    this.ctx = { deps, activity };
    this.allocator = new Allocator(this.ctx);
  }

  /**
   * Books an access number of `group` for a session (request-interaction, request-access).
   * Locking group with every number booked → UnavailableError `resource/pool_exhausted` (503) at once.
   */
  allocate(input: AllocateInput, scope?: AllocationScope): Promise<Allocation> {
    return this.allocator.allocate(input, scope);
  }

  sessionBookings(sessionId: string): Promise<(BookingView & { group: string; accessNumber: string })[]> {
    return sessionBookings(this.ctx, sessionId);
  }

  listEvents(
    options: { group?: string | null; limit?: number; before?: number | null } = {},
  ): Promise<ResourceEventView[]> {
    return listEvents(this.ctx, options);
  }

  releaseBooking(bookingId: string): Promise<boolean> {
    return releaseBooking(this.ctx, bookingId);
  }

  extend(input: { bookingId: string; sessionId: string; seconds: number }): Promise<Allocation> {
    return extend(this.ctx, input);
  }

  release(input: { bookingId: string; sessionId: string }): Promise<boolean> {
    return release(this.ctx, input);
  }

  releaseSession(sessionId: string, db?: DbOrTx): Promise<number> {
    return releaseSession(this.ctx, sessionId, db);
  }

  closeBooking(
    tx: Tx,
    booking: ResourceBookingRow,
    now: Date,
    reason: Exclude<BookingCloseReason, 'expired'>,
  ): Promise<boolean> {
    return closeBooking(this.ctx, tx, booking, now, reason);
  }

  match(input: MatchInput): Promise<MatchResult> {
    return match(this.ctx, input);
  }

  sweepExpired(): Promise<number> {
    return sweepExpired(this.ctx);
  }
}
