import { index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** Admin bearer tokens issued by the `login` mutation; only the SHA-256 of a token is stored. */
export const authTokensTable = pgTable(
  'auth_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    username: text('username').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [index('auth_tokens_expires_at_idx').on(t.expiresAt)],
);
