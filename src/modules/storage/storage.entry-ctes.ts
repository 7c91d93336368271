import { type SQL, sql } from 'drizzle-orm';
import { storageEntriesTable, storageValuesTable } from './storage.tables.js';

/**
 * A new area's rows as CTEs of a caller's statement (`storage_entry`, `storage_values`), so a
 * session is created by one statement with its user data (issue 18 counts statements). The text
 * depends only on the number of values (`key`); what changes is a placeholder named `storage_*`.
 */
export interface EntryCtes {
  /** The new area's id (`_data_id`). */
  id: string;
  /** Decides the text `build` answers: a caller keeps one built statement per key. */
  key: string;
  /** `storage_entry as (…)[, storage_values as (…)]`: no leading `with`, no trailing comma. */
  build(): SQL;
  values: Record<string, unknown>;
}

export function entryCtes(n: number): SQL {
  const p = (name: string) => sql.placeholder(name);
  const now = sql`${p('storage_now')}::timestamptz`;
  const entry = sql`storage_entry as (
      insert into ${storageEntriesTable} (id, owner, owner_token_hash, created_at, updated_at, expires_at)
      values (${p('storage_id')}, ${p('storage_owner')}, ${p('storage_token')}, ${now}, ${now},
        ${p('storage_expires')}::timestamptz)
      returning id)`;
  if (n === 0) return entry;
  const rows = Array.from(
    { length: n },
    (_, i) =>
      sql`(${sql.raw(String(i))}, ${p(`storage_key${i}`)}::text, ${p(`storage_text${i}`)}::text, ${p(`storage_size${i}`)}::int)`,
  );
  // In the given order: `seq` keeps the order keys were first stored in.
  return sql`${entry}, storage_values as (
      insert into ${storageValuesTable} (entry_id, key, kind, text_value, size, created_at, updated_at)
      select e.id, v.key, 'text', v.text_value, v.size, ${now}, ${now}
      from storage_entry e cross join (values ${sql.join(rows, sql`, `)}) as v (ord, key, text_value, size)
      order by v.ord)`;
}
