import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Service sessions (GMS "services" created through the Service API). A session is alive while
 * `expires_at` is in the future; its user data lives in the Storage API area `data_id`.
 */
export const sessionsTable = pgTable(
  'sessions',
  {
    /** `<node id>-<uuid>`. */
    id: text('id').primaryKey(),
    serviceName: text('service_name').notNull(),
    /** `_service` at creation. */
    serviceType: text('service_type').notNull(),
    /** `_type` at creation. */
    type: text('type').notNull(),
    dataId: text('data_id').notNull(),
    gmsUser: text('gms_user'),
    /** sha256 of the creator's device token (`x-gms-device-token`), or null: bound to gms_user only. */
    ownerTokenHash: text('owner_token_hash'),
    /** Control parameters in force (defaults < request < configured options). */
    params: jsonb('params').$type<Record<string, string>>().notNull(),
    /** Control parameters as the create request sent them. */
    requestParams: jsonb('request_params').$type<Record<string, string>>().notNull(),
    nodeId: integer('node_id').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  // Every session row pays one index entry per index (a request-interaction writes one; issue 18):
  // no index on service_name (only the admin list filters on it, among live sessions, which
  // expires_at finds), and gms_user only where there is one (the device-token lookup asks for a
  // given gms_user; a session created without the header is never looked up by it).
  (t) => [
    index('sessions_expires_at_idx').on(t.expiresAt),
    index('sessions_gms_user_idx').on(t.gmsUser).where(sql`${t.gmsUser} is not null`),
  ],
);

export type SessionRow = typeof sessionsTable.$inferSelect;
