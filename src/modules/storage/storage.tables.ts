import { sql } from 'drizzle-orm';
import {
  bigserial,
  customType,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

/** bytea as a Buffer on both drivers (PGlite answers Uint8Array, postgres.js Buffer). */
const bytea = customType<{ data: Buffer; driverData: Uint8Array }>({
  dataType: () => 'bytea',
  toDriver: (value) => value,
  fromDriver: (value) => Buffer.from(value),
});

/**
 * Storage API areas (GMS "GSG storage"): key/value sets with a time to live. A service session's
 * user data is one of them (its `_data_id`). A custom-id area is addressed by (custom_id, owner):
 * each `gms_user` has its own namespace of custom ids.
 */
export const storageEntriesTable = pgTable(
  'storage_entries',
  {
    id: text('id').primaryKey(),
    customId: text('custom_id'),
    /** The `gms_user` that created the area (a custom-id area is addressed by it). */
    owner: text('owner'),
    /** sha256 of the creator's device token (`x-gms-device-token`), or null: bound to gms_user only. */
    ownerTokenHash: text('owner_token_hash'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    index('storage_entries_expires_at_idx').on(t.expiresAt),
    uniqueIndex('storage_entries_custom_idx').on(t.customId, t.owner).where(sql`${t.customId} is not null`),
  ],
);

export const storageValuesTable = pgTable(
  'storage_values',
  {
    entryId: text('entry_id')
      .notNull()
      .references(() => storageEntriesTable.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    /** Keeps keys in the order they were first stored. */
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    kind: text('kind', { enum: ['text', 'binary'] }).notNull(),
    textValue: text('text_value'),
    binaryValue: bytea('binary_value'),
    contentType: text('content_type'),
    filename: text('filename'),
    size: integer('size').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.entryId, t.key] })],
);

export type StorageEntryRow = typeof storageEntriesTable.$inferSelect;
export type StorageValueRow = typeof storageValuesTable.$inferSelect;
