import type { AllocationStrategy } from './resource.rules.js';
import type {
  ResourceBookingRow,
  ResourceEventKind,
  ResourceEventRow,
  ResourceRow,
} from './resource.tables.js';

/** The resource module's public shapes: what the manager takes and answers. */

export interface ResourceGroupSettings {
  allocation: AllocationStrategy;
  locking: boolean;
  /** Default `_booking_expiration_timeout`, seconds. */
  bookingExpirationTimeout: number;
}

export interface BookingView {
  id: string;
  sessionId: string;
  phoneNumber: string | null;
  /** Whether the booking carries an access code (the code itself is never shown). */
  hasAccessCode: boolean;
  startsAt: Date;
  expiresAt: Date;
}

export interface ResourceView {
  id: number;
  groupId: number;
  name: string;
  accessNumber: string;
  lastAllocatedAt: Date | null;
  /** Active bookings, most recent first (at most one in a locking group). */
  bookings: BookingView[];
}

export interface PoolHealth {
  total: number;
  /** Numbers with no active booking. */
  free: number;
  /** Numbers with at least one active booking. */
  booked: number;
  activeBookings: number;
}

export interface ResourceGroupView extends ResourceGroupSettings {
  id: number;
  name: string;
  resources: ResourceView[];
  health: PoolHealth;
  createdAt: Date;
  updatedAt: Date;
}

export interface AllocateInput {
  /** Resource group name (the service's configured group or the request's `_resource_group`). */
  group: string;
  /** The session the number is booked for. */
  sessionId: string;
  /** ANI the call will come from (`_phone_number`); used by DNIS + ANI matching. */
  phoneNumber?: string | null;
  /** Also issue an access code (`_provide_code`). */
  provideCode?: boolean;
  /** `_access_code_length`, default 6. */
  accessCodeLength?: number;
  /** `_booking_expiration_timeout`: overrides the group's default. */
  bookingTimeoutSeconds?: number | null;
}

export interface Allocation {
  bookingId: string;
  group: string;
  resourceName: string;
  accessNumber: string;
  /** Null unless `provideCode` was asked for. */
  accessCode: string | null;
  startsAt: Date;
  expiresAt: Date;
  /** The booking's length in seconds (legacy `_expiration_time`). */
  timeoutSeconds: number;
}

export interface MatchInput {
  /** The dialled number (DNIS, `_access_number`). */
  accessNumber: string;
  /** The caller's number (ANI, `_phone_number`). */
  phoneNumber?: string | null;
  /** The code the caller entered (`_access_code`). */
  accessCode?: string | null;
}

export interface MatchResult {
  sessionId: string;
  bookingId: string;
  group: string;
  resourceName: string;
  accessNumber: string;
  phoneNumber: string | null;
}

export interface ResourceGroupInput {
  name?: string | null;
  allocation?: string | null;
  locking?: boolean | null;
  bookingExpirationTimeout?: number | null;
  resources?: { name: string; accessNumber: string }[] | null;
}

export interface ResourceGroupPatch {
  name?: string | null;
  allocation?: string | null;
  locking?: boolean | null;
  bookingExpirationTimeout?: number | null;
}

/** One group as the provisioning file states it: settings plus resource name → access number. */
/** A bulk add/remove: how many numbers it added or removed, and how many the group has now. */
export interface BulkResult {
  group: string;
  count: number;
  total: number;
}

export interface ResourceGroupConfig extends ResourceGroupSettings {
  resources: Record<string, string>;
}

export interface ResourceEventView {
  id: number;
  occurredAt: Date;
  kind: ResourceEventKind;
  group: string;
  resourceName: string | null;
  accessNumber: string | null;
  bookingId: string | null;
  sessionId: string | null;
  reason: string | null;
}

// ---------------------------------------------------------------------------------------------------
// Row → view

export const bookingView = (b: ResourceBookingRow): BookingView => ({
  id: b.id,
  sessionId: b.sessionId,
  phoneNumber: b.phoneNumber,
  hasAccessCode: b.accessCode !== null,
  startsAt: b.startsAt,
  expiresAt: b.endsAt,
});

export const resourceView = (r: ResourceRow, active: BookingView[]): ResourceView => ({
  id: r.id,
  groupId: r.groupId,
  name: r.name,
  accessNumber: r.accessNumber,
  lastAllocatedAt: r.lastAllocatedAt,
  bookings: active,
});

export const eventView = (e: ResourceEventRow): ResourceEventView => ({
  id: e.id,
  occurredAt: e.occurredAt,
  kind: e.kind,
  group: e.groupName,
  resourceName: e.resourceName,
  accessNumber: e.accessNumber,
  bookingId: e.bookingId,
  sessionId: e.sessionId,
  reason: e.reason,
});
