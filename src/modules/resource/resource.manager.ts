import type { DbOrTx } from '../../db/client.js';
import type { Deps } from '../../deps.js';
import type { ActivityRecorder } from '../report/activity.manager.js';
import { ResourceAdmin } from './resource.admin.js';
import { type AllocationScope, BookingEngine } from './resource.booking.js';
import type { BulkEntry } from './resource.bulk.js';
import { ResourceConfigSync } from './resource.config-sync.js';
import { ResourceGroupRows } from './resource.group-rows.js';
import { ResourceReads } from './resource.reads.js';
import type {
  AllocateInput,
  Allocation,
  BookingView,
  BulkResult,
  MatchInput,
  MatchResult,
  PoolHealth,
  ResourceEventView,
  ResourceGroupConfig,
  ResourceGroupInput,
  ResourceGroupPatch,
  ResourceGroupView,
  ResourceView,
} from './resource.types.js';

export type * from './resource.types.js';

export type MatchedListener = (match: MatchResult) => Promise<void>;

declare module '../../managers.types.js' {
  interface Managers {
    resources: ResourceManager;
  }
}

/**
 * Resource groups, access-number allocation and call matching (GMS request-interaction,
 * request-access, match-interaction): the module's public face (`managers.resources`). The session
 * layer calls `allocate`, `releaseSession` and `match`; admins and provisioning call the rest. Each
 * part lives in its own file: bookings in BookingEngine (resource.booking.ts), reads in
 * resource.reads.ts, administration in resource.admin.ts, the provisioning file's state in
 * resource.config-sync.ts, the row steps those two share in resource.group-rows.ts.
 */
export class ResourceManager {
  private readonly booking: BookingEngine;
  private readonly reads: ResourceReads;
  private readonly admin: ResourceAdmin;
  private readonly config: ResourceConfigSync;
  private readonly matchedListeners: MatchedListener[] = [];

  constructor(
    private readonly deps: Deps,
    activity: ActivityRecorder | null = null,
  ) {
    this.booking = new BookingEngine(deps, activity);
    const rows = new ResourceGroupRows(deps, this.booking);
    this.reads = new ResourceReads(deps);
    this.admin = new ResourceAdmin(deps, rows, this.reads);
    this.config = new ResourceConfigSync(deps, rows, this.reads);
  }

  // ------------------------------------------------------------------------------------------------
  // Bookings (delegated)

  /**
   * Books an access number of `group` for a session (request-interaction, request-access).
   * Locking group with every number booked → UnavailableError `resource/pool_exhausted` (503) at once.
   */
  allocate(input: AllocateInput, scope?: AllocationScope): Promise<Allocation> {
    return this.booking.allocate(input, scope);
  }

  /** Moves a booking's expiry to now + `seconds`; only its session, only while active (else 404). */
  extend(input: { bookingId: string; sessionId: string; seconds: number }): Promise<Allocation> {
    return this.booking.extend(input);
  }

  /** Releases one booking of a session. False when it was no longer active (expired, matched, …). */
  release(input: { bookingId: string; sessionId: string }): Promise<boolean> {
    return this.booking.release(input);
  }

  /** Releases every active booking of a session (it stopped or expired). Returns how many. */
  releaseSession(sessionId: string, db?: DbOrTx): Promise<number> {
    return this.booking.releaseSession(sessionId, db);
  }

  /** Ends one booking whoever holds it (an admin freeing a number). False when it was not active. */
  releaseBooking(bookingId: string): Promise<boolean> {
    return this.booking.releaseBooking(bookingId);
  }

  /** The session an incoming call belongs to (match-interaction); releases its booking; else 404. */
  async match(input: MatchInput): Promise<MatchResult> {
    const result = await this.booking.match(input);
    for (const listener of this.matchedListeners) {
      // The match has committed (the booking is released); a listener's failure must not hide the
      // session from the IVR that asked, so it is logged rather than thrown.
      await listener(result).catch((err: unknown) =>
        this.deps.logger.error('match listener failed', { err, sessionId: result.sessionId }),
      );
    }
    return result;
  }

  /**
   * Called after every successful match (match-interaction, GraphQL matchAccessNumber): e.g. the
   * callback engine completes a user-originated callback whose customer has just called in.
   */
  onMatched(listener: MatchedListener): void {
    this.matchedListeners.push(listener);
  }

  /** Active bookings of a session. */
  sessionBookings(sessionId: string): Promise<(BookingView & { group: string; accessNumber: string })[]> {
    return this.booking.sessionBookings(sessionId);
  }

  /** Closes expired bookings and records their `expired` events (housekeeping; idempotent). */
  sweepExpired(): Promise<number> {
    return this.booking.sweepExpired();
  }

  listEvents(
    options: { group?: string | null; limit?: number; before?: number | null } = {},
  ): Promise<ResourceEventView[]> {
    return this.booking.listEvents(options);
  }

  // ------------------------------------------------------------------------------------------------
  // Reading (resource.reads.ts)

  listGroups(): Promise<ResourceGroupView[]> {
    return this.reads.listGroups();
  }

  getGroup(name: string): Promise<ResourceGroupView> {
    return this.reads.getGroup(name);
  }

  /**
   * Booked/free counts of every group, aggregated in SQL (no resource rows are read): what a live
   * view polls, cheap enough at 10,000 numbers.
   */
  poolHealth(): Promise<{ group: string; health: PoolHealth }[]> {
    return this.reads.poolHealth();
  }

  // ------------------------------------------------------------------------------------------------
  // Administration (resource.admin.ts)

  createGroup(input: ResourceGroupInput = {}): Promise<ResourceGroupView> {
    return this.admin.createGroup(input);
  }

  updateGroup(name: string, patch: ResourceGroupPatch): Promise<ResourceGroupView> {
    return this.admin.updateGroup(name, patch);
  }

  /** Deletes a group and its numbers; with active bookings only when `force` (they are ended). */
  deleteGroup(name: string, options: { force?: boolean } = {}): Promise<boolean> {
    return this.admin.deleteGroup(name, options);
  }

  addResource(groupName: string, input: { name: string; accessNumber: string }): Promise<ResourceView> {
    return this.admin.addResource(groupName, input);
  }

  /**
   * Renames a resource and/or changes its access number. A new number for a booked resource needs
   * `force`: the sessions holding it were told the old one, so their bookings are ended.
   */
  updateResource(
    groupName: string,
    name: string,
    patch: { name?: string | null; accessNumber?: string | null },
    options: { force?: boolean } = {},
  ): Promise<ResourceView> {
    return this.admin.updateResource(groupName, name, patch, options);
  }

  /** Removes a resource; with active bookings only when `force` (they are ended). */
  removeResource(groupName: string, name: string, options: { force?: boolean } = {}): Promise<boolean> {
    return this.admin.removeResource(groupName, name, options);
  }

  /** Adds many numbers (a range or a CSV, parsed by resource.bulk.ts) in one transaction: all or none. */
  addResources(groupName: string, entries: BulkEntry[]): Promise<BulkResult> {
    return this.admin.addResources(groupName, entries);
  }

  /** Removes many numbers of a group: all or none; booked ones only with `force` (their bookings end). */
  removeResources(
    groupName: string,
    entries: BulkEntry[],
    options: { force?: boolean } = {},
  ): Promise<BulkResult> {
    return this.admin.removeResources(groupName, entries, options);
  }

  // ------------------------------------------------------------------------------------------------
  // Provisioning (resource.config-sync.ts)

  /** Current state in the provisioning file's shape (group name → settings and resources). */
  exportConfig(): Promise<Record<string, ResourceGroupConfig>> {
    return this.config.exportConfig();
  }

  /**
   * Makes the named groups exactly as configured, in one transaction; groups not named are left
   * alone. Idempotent. The file wins: a resource that disappears or changes number is removed even
   * when booked (its bookings end), so a rolling deploy never stalls on a busy number.
   */
  applyConfig(config: Record<string, ResourceGroupConfig>): Promise<void> {
    return this.config.applyConfig(config);
  }
}
