import { index, integer, pgTable, serial, text, timestamp, unique } from 'drizzle-orm/pg-core';

/** A named list of patterns (GMS "pattern group"), e.g. the callback exception list `Callback_exceptions`. */
export const patternGroupsTable = pgTable('pattern_groups', {
  id: serial('id').primaryKey(),
  name: text('name').notNull().unique(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
});

/**
 * One named regular expression of a group. `position` keeps the admin's order: the first pattern
 * (lowest position, then lowest id) that matches a value is the one reported.
 */
export const patternsTable = pgTable(
  'patterns',
  {
    id: serial('id').primaryKey(),
    groupId: integer('group_id')
      .notNull()
      .references(() => patternGroupsTable.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    regex: text('regex').notNull(),
    position: integer('position').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    unique('patterns_group_id_name_unique').on(t.groupId, t.name),
    index('patterns_group_id_position_idx').on(t.groupId, t.position),
  ],
);

export type PatternGroupRow = typeof patternGroupsTable.$inferSelect;
export type PatternRow = typeof patternsTable.$inferSelect;
