import { integer, jsonb, pgTable, serial, text, timestamp } from 'drizzle-orm/pg-core';

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
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

export type OfficeHoursScheduleRow = typeof officeHoursSchedulesTable.$inferSelect;
