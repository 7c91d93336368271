import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  pgSequence,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** A pool of access numbers (GMS "resource group", default name `DNIS`). */
export const resourceGroupsTable = pgTable('resource_groups', {
  id: serial('id').primaryKey(),
  name: text('name').notNull().unique(),
  allocation: text('allocation', { enum: ['random', 'round-robin'] })
    .notNull()
    .default('random'),
  /** On: a number belongs to at most one session at a time; off: numbers are shared, codes disambiguate. */
  locking: boolean('locking').notNull().default(false),
  /** Default `_booking_expiration_timeout` in seconds. */
  bookingExpirationTimeout: integer('booking_expiration_timeout').notNull().default(30),
  createdAt: timestamptz('created_at').notNull(),
  updatedAt: timestamptz('updated_at').notNull(),
});

/** Hands out round-robin positions; a sequence, not a timestamp, so ties and clock skew cannot reorder. */
export const resourceRotationSequence = pgSequence('resource_rotation_seq');

/**
 * One access number. The booked/free state lives on this row, so the allocating transaction decides
 * "is it free?" on the very row it locks (reliability-notes §0.5, §4.2).
 */
export const resourcesTable = pgTable(
  'resources',
  {
    id: serial('id').primaryKey(),
    groupId: integer('group_id')
      .notNull()
      .references(() => resourceGroupsTable.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    accessNumber: text('access_number').notNull(),
    /** Normalised number (digits only for phone-like values): unique across groups, used for matching. */
    numberKey: text('number_key').notNull().unique(),
    /** Locking groups: the session holding the number; null when free or shared. */
    bookedBy: text('booked_by'),
    /**
     * Until when the number is held (free when null or past). Shared numbers: the latest active booking.
     * Not indexed on purpose: a claim that changes no indexed column is a HOT update (the expiry sweep
     * reads the table instead, every few seconds).
     */
    bookedUntil: timestamptz('booked_until'),
    /** The booking of the latest claim (null once released): a claim is the only update that sets it. */
    bookingId: uuid('booking_id'),
    /** Bumped by every locking claim: release and extend compare-and-set on it. */
    bookingVersion: integer('booking_version').notNull().default(0),
    /** Round-robin position: the lowest goes next (only round-robin claims move it). */
    rotation: bigint('rotation', { mode: 'number' }),
    lastAllocatedAt: timestamptz('last_allocated_at'),
    createdAt: timestamptz('created_at').notNull(),
    updatedAt: timestamptz('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('resources_group_name_idx').on(t.groupId, t.name),
    // Allocation starts at a random id of the group and walks this index (wrapping around once), so
    // a pick costs the same in a pool of 50 or 60,000.
    index('resources_group_id_idx').on(t.groupId, t.id),
    // Round-robin: the least recently allocated first, read from the index instead of sorting the pool.
    index('resources_group_rotation_idx').on(t.groupId, t.rotation.asc().nullsFirst(), t.id),
  ],
);

/**
 * Each group's numbers and held numbers (`booked_until` set), kept by triggers on `resources`
 * (inserts and deletes: statement-level, migration 0018; other updates: a row trigger for rows whose
 * group or held state changed, migrations 0022 and 0023) and by the allocation claim itself, which the row
 * trigger skips (resource.allocation.ts), so the activity rows of the reports get booked/free without
 * counting the pool. A transaction adds its deltas to the slot of its connection (`pg_backend_pid() % 64`):
 * concurrent allocations of one group do not queue on one counter row. The group's figures are the
 * sums over its slots. A number whose booking ran out counts as held until the expiry sweep clears it.
 */
export const resourceGroupCountsTable = pgTable(
  'resource_group_counts',
  {
    groupId: integer('group_id')
      .notNull()
      .references(() => resourceGroupsTable.id, { onDelete: 'cascade' }),
    slot: integer('slot').notNull(),
    total: integer('total').notNull().default(0),
    booked: integer('booked').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.slot] })],
);

export const bookingCloseReasons = ['released', 'matched', 'session', 'admin', 'expired'] as const;
export type BookingCloseReason = (typeof bookingCloseReasons)[number];

/**
 * Every booking ever made. Active = `closed_at IS NULL AND ends_at > now`. For locking bookings an
 * EXCLUDE constraint (custom migration) forbids two overlapping `[starts_at, ends_at)` ranges on one
 * resource: the database's own backstop for the invariant.
 */
export const resourceBookingsTable = pgTable(
  'resource_bookings',
  {
    id: uuid('id').primaryKey(),
    resourceId: integer('resource_id')
      .notNull()
      .references(() => resourcesTable.id, { onDelete: 'cascade' }),
    groupId: integer('group_id').notNull(),
    sessionId: text('session_id').notNull(),
    phoneNumber: text('phone_number'),
    phoneKey: text('phone_key'),
    accessCode: text('access_code'),
    locking: boolean('locking').notNull(),
    /** The resource's booking_version this booking claimed (locking bookings). */
    version: integer('version').notNull(),
    startsAt: timestamptz('starts_at').notNull(),
    /** Expiry; set to the release time when released early. */
    endsAt: timestamptz('ends_at').notNull(),
    closedAt: timestamptz('closed_at'),
    closeReason: text('close_reason', { enum: bookingCloseReasons }),
    createdAt: timestamptz('created_at').notNull(),
    updatedAt: timestamptz('updated_at').notNull(),
  },
  (t) => [
    index('resource_bookings_open_idx').on(t.resourceId, t.endsAt).where(sql`closed_at is null`),
    index('resource_bookings_session_idx').on(t.sessionId).where(sql`closed_at is null`),
    index('resource_bookings_sweep_idx').on(t.endsAt).where(sql`closed_at is null`),
    // Access codes are unique among the open bookings of one number; expired ones are closed lazily
    // before a new booking on the number is written, so "open" equals "active" there.
    uniqueIndex('resource_bookings_code_idx')
      .on(t.resourceId, t.accessCode)
      .where(sql`closed_at is null and access_code is not null`),
    // Retention scans old bookings by creation time; BRIN adds next to nothing to the booking path.
    index('resource_bookings_created_brin').using('brin', t.createdAt),
  ],
);

export const resourceEventKinds = ['allocated', 'released', 'expired', 'exhausted'] as const;
export type ResourceEventKind = (typeof resourceEventKinds)[number];

/** Append-only usage history (reporting aggregates it). Names are copied so history outlives deletes. */
export const resourceEventsTable = pgTable(
  'resource_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    occurredAt: timestamptz('occurred_at').notNull(),
    kind: text('kind', { enum: resourceEventKinds }).notNull(),
    groupId: integer('group_id'),
    groupName: text('group_name').notNull(),
    resourceId: integer('resource_id'),
    resourceName: text('resource_name'),
    accessNumber: text('access_number'),
    bookingId: uuid('booking_id'),
    sessionId: text('session_id'),
    /** released: why (released, matched, session, admin); exhausted: `empty` when the group has no numbers. */
    reason: text('reason'),
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [
    index('resource_events_group_time_idx').on(t.groupName, t.occurredAt),
    // A booking is allocated once and ends once: a second end event would be a bug, not history.
    uniqueIndex('resource_events_booking_kind_idx')
      .on(t.bookingId, t.kind)
      .where(sql`booking_id is not null`),
    index('resource_events_created_brin').using('brin', t.createdAt),
  ],
);

export type ResourceGroupRow = typeof resourceGroupsTable.$inferSelect;
export type ResourceRow = typeof resourcesTable.$inferSelect;
export type ResourceBookingRow = typeof resourceBookingsTable.$inferSelect;
export type ResourceEventRow = typeof resourceEventsTable.$inferSelect;
