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
  (t) => [
    index('sessions_expires_at_idx').on(t.expiresAt),
    index('sessions_service_name_idx').on(t.serviceName),
    index('sessions_gms_user_idx').on(t.gmsUser),
  ],
);

export type SessionRow = typeof sessionsTable.$inferSelect;
