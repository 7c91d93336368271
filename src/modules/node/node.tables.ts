import { integer, pgTable, serial, text, timestamp } from 'drizzle-orm/pg-core';

/** One row per server instance: its numeric id prefixes every session id it creates (`369-<uuid>`). */
export const nodesTable = pgTable('nodes', {
  id: serial('id').primaryKey(),
  name: text('name').notNull().unique(),
  version: text('version').notNull(),
  /** Administrative status: ONLINE, or OFFLINE (draining — /readyz answers 503). */
  status: text('status', { enum: ['ONLINE', 'OFFLINE'] })
    .notNull()
    .default('ONLINE'),
  pid: integer('pid'),
  startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }).notNull(),
  lastSeenAt: timestamp('last_seen_at', { withTimezone: true, mode: 'date' }).notNull(),
  /**
   * When the cluster announced this node DOWN / flagged for removal. Set by a conditional update, so
   * exactly one instance publishes each transition; cleared by the node's next heartbeat.
   */
  downAnnouncedAt: timestamp('down_announced_at', { withTimezone: true, mode: 'date' }),
  flagAnnouncedAt: timestamp('flag_announced_at', { withTimezone: true, mode: 'date' }),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

export type NodeRow = typeof nodesTable.$inferSelect;
