import { index, integer, jsonb, pgTable, primaryKey, serial, text, timestamp } from 'drizzle-orm/pg-core';

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * Named office-hours schedules managed by admins: the option map in GMS option names
 * (`_timezone`, `_bh_regular<n>`, `_bh_add<n>`, `_holiday<n>`, `_effective_dates<n>`), validated
 * before it is stored. `version` grows on every change.
 */
export const officeHoursSchedulesTable = pgTable('office_hours_schedules', {
  id: serial('id').primaryKey(),
  name: text('name').notNull().unique(),
  description: text('description').notNull().default(''),
  options: jsonb('options').$type<Record<string, string>>().notNull(),
  version: integer('version').notNull().default(1),
  createdAt: timestamptz('created_at').notNull().defaultNow(),
  updatedAt: timestamptz('updated_at').notNull().defaultNow(),
});

export type OfficeHoursScheduleRow = typeof officeHoursSchedulesTable.$inferSelect;

/**
 * Reserved callbacks per (capacity pool, slot start). The pool is the callback service's
 * `_capacity_service`, or the callback service itself when it names none. This row is the arbiter
 * of "is there room?": a reservation increments `reserved` with one conditional upsert
 * (`… ON CONFLICT DO UPDATE … WHERE reserved < limit`), which Postgres evaluates on the locked,
 * latest version of the row, so concurrent reservations on any number of instances never pass the
 * limit.
 */
export const capacitySlotCountsTable = pgTable(
  'capacity_slot_counts',
  {
    capacityService: text('capacity_service').notNull(),
    slotStart: timestamptz('slot_start').notNull(),
    reserved: integer('reserved').notNull().default(0),
    updatedAt: timestamptz('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.capacityService, t.slotStart] })],
);

export type CapacitySlotCountRow = typeof capacitySlotCountsTable.$inferSelect;

/**
 * Who holds a place in a slot: one row per `ref` (a callback id), so reserving twice with the same
 * ref is idempotent and a release decrements exactly once.
 */
export const capacityReservationsTable = pgTable(
  'capacity_reservations',
  {
    ref: text('ref').primaryKey(),
    capacityService: text('capacity_service').notNull(),
    slotStart: timestamptz('slot_start').notNull(),
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [index('capacity_reservations_slot_idx').on(t.capacityService, t.slotStart)],
);

export type CapacityReservationRow = typeof capacityReservationsTable.$inferSelect;
