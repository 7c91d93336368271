import { sql } from 'drizzle-orm';
import { queryRows, type Tx } from '../../db/client.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { numberKey, validAccessNumber, validName } from './resource.rules.js';
import type { ResourceGroupRow } from './resource.tables.js';

/**
 * Bulk add/remove of access numbers (a DNIS pool of tens of thousands): parsing of a range
 * (`18001110000-18001119999`) or a CSV, and set-based SQL. The whole input is validated before
 * anything is written, every error names its line, and the callers run it in one transaction, so
 * a bad line leaves nothing half-written. Rows go in with one multi-row statement per batch
 * (`json_to_recordset`: one parameter per batch, whatever its size), not one INSERT per number.
 */

/** Most numbers one bulk request (range, CSV or provisioning group) may carry. */
export const MAX_BULK_RESOURCES = 100_000;

/** Rows per INSERT: large enough that 60,000 numbers are a dozen statements. */
const BATCH = 5_000;

export interface BulkEntry {
  name: string;
  accessNumber: string;
  /** Where it came from, for error messages: `range`, `csv line 12`, `resource_groups.DNIS.resources.Key1`. */
  source: string;
  /** The input field it came from (`range`, `csv`, a provisioning path): the error's `field`. */
  field: string;
}

const RANGE = /^\s*(\+?)(\d+)\s*-\s*(\+?)(\d+)\s*$/;

/**
 * `18001110000-18001119999` → one entry per number, named by the number. Both ends have the same
 * number of digits (leading zeros kept); at most MAX_BULK_RESOURCES numbers.
 */
export function parseRange(text: string, field = 'range'): BulkEntry[] {
  const m = RANGE.exec(text);
  if (!m)
    throw new ValidationError(
      'resource/invalid_range',
      `${field} '${text.trim()}' is not a range: write FIRST-LAST, e.g. 18001110000-18001119999`,
      field,
    );
  const [, plus, fromText = '', , toText = ''] = m;
  if (fromText.length !== toText.length)
    throw new ValidationError(
      'resource/invalid_range',
      `${field} '${text.trim()}': both ends must have the same number of digits`,
      field,
    );
  const from = BigInt(fromText);
  const to = BigInt(toText);
  if (to < from)
    throw new ValidationError(
      'resource/invalid_range',
      `${field} '${text.trim()}': the last number is below the first`,
      field,
    );
  const count = to - from + 1n;
  if (count > BigInt(MAX_BULK_RESOURCES))
    throw new ValidationError(
      'resource/range_too_large',
      `${field} '${text.trim()}' holds ${count} numbers; at most ${MAX_BULK_RESOURCES} at once (split it)`,
      field,
    );
  const out: BulkEntry[] = [];
  for (let n = from; n <= to; n++) {
    const number = `${plus ?? ''}${n.toString().padStart(fromText.length, '0')}`;
    out.push({ name: number, accessNumber: validAccessNumber(number, field), source: field, field });
  }
  return out;
}

const HEADER = /^(name|resource|number|access.?number|dnis)$/i;

/**
 * CSV, one resource a line: `number` (named by the number) or `name,number` (`;` and tabs also
 * separate; fields may be double-quoted). A first line of column titles (`name,access_number`) is
 * skipped; blank lines and `#` comments too. Errors name the line: `csv line 12: …`.
 */
export function parseCsv(text: string, field = 'csv'): BulkEntry[] {
  const out: BulkEntry[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = (lines[i] ?? '').trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const source = `${field} line ${i + 1}`;
    const cells = raw.split(/[,;\t]/).map((c) =>
      c
        .trim()
        .replace(/^"(.*)"$/, '$1')
        .trim(),
    );
    if (out.length === 0 && cells.every((c) => HEADER.test(c))) continue;
    if (cells.length > 2 || cells.some((c) => c === ''))
      throw new ValidationError(
        'resource/invalid_csv',
        `${source}: '${raw.slice(0, 80)}' must be "number" or "name,number"`,
        field,
      );
    const [first = '', second] = cells;
    const accessNumber = reword(() => validAccessNumber(second ?? first, field), source);
    const name =
      second === undefined ? accessNumber : reword(() => validName(first, field, 'Resource'), source);
    out.push({ name, accessNumber, source, field });
    if (out.length > MAX_BULK_RESOURCES)
      throw new ValidationError(
        'resource/range_too_large',
        `${field} holds more than ${MAX_BULK_RESOURCES} numbers; split it`,
        field,
      );
  }
  return out;
}

/** A validation error from a single-value rule, prefixed with where the value came from. */
function reword<T>(fn: () => T, source: string): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ValidationError)
      throw new ValidationError(err.code, `${source}: ${err.message}`, err.field);
    throw err;
  }
}

/** Every name and number appears once in the input (numbers compared as matching compares them). */
export function assertDistinct(entries: BulkEntry[]): void {
  const names = new Map<string, string>();
  const numbers = new Map<string, string>();
  for (const e of entries) {
    const byName = names.get(e.name);
    if (byName)
      throw new ValidationError(
        'resource/duplicate_resource',
        `${e.source}: name '${e.name}' is also ${byName}`,
        e.field,
      );
    names.set(e.name, e.source);
    const key = numberKey(e.accessNumber);
    const byNumber = numbers.get(key);
    if (byNumber)
      throw new ValidationError(
        'resource/duplicate_access_number',
        `${e.source}: ${e.accessNumber} is also ${byNumber}`,
        e.field,
      );
    numbers.set(key, e.source);
  }
}

/** One request (GraphQL bulk add/remove) carries at most MAX_BULK_RESOURCES numbers. */
export function assertBulkSize(entries: BulkEntry[], field: string): void {
  if (entries.length > MAX_BULK_RESOURCES)
    throw new ValidationError(
      'resource/range_too_large',
      `${entries.length} numbers at once; at most ${MAX_BULK_RESOURCES} (split the input)`,
      field,
    );
}

const json = (v: unknown) => JSON.stringify(v);

/**
 * A text[] from one JSON parameter. `= any(array)` probes the unique index once per value whatever
 * the planner's (possibly stale: nobody ran ANALYZE after the last bulk insert) row estimates; an
 * `in (select …)` was planned as a nested loop over a sequential scan and went quadratic.
 */
const textArray = (values: string[]) => sql`array(select json_array_elements_text(${json(values)}::json))`;

/**
 * Inserts the entries into the group (caller's transaction), after checking in two set queries
 * that no name is taken in the group and no number anywhere. Returns how many were added.
 */
export async function insertBulk(
  tx: Tx,
  group: ResourceGroupRow,
  entries: BulkEntry[],
  now: Date,
): Promise<number> {
  if (entries.length === 0) return 0;
  const bySource = new Map(entries.map((e) => [numberKey(e.accessNumber), e]));
  for (let i = 0; i < entries.length; i += BATCH) {
    const batch = entries.slice(i, i + BATCH);
    const keys = batch.map((e) => numberKey(e.accessNumber));
    const [taken] = await queryRows<{ number_key: string; name: string; group_name: string }>(
      tx,
      sql`select r.number_key, r.name, g.name as group_name from resources r join resource_groups g on g.id = r.group_id
          where r.number_key = any(${textArray(keys)}) limit 1`,
    );
    if (taken)
      throw new ConflictError(
        'resource/duplicate_access_number',
        `${bySource.get(taken.number_key)?.source ?? 'input'}: access number ${bySource.get(taken.number_key)?.accessNumber ?? taken.number_key} is already resource '${taken.name}' of group '${taken.group_name}'`,
      );
    const [clash] = await queryRows<{ name: string }>(
      tx,
      sql`select name from resources where group_id = ${group.id}
          and name = any(${textArray(batch.map((e) => e.name))}) limit 1`,
    );
    if (clash)
      throw new ConflictError(
        'resource/duplicate_resource',
        `${entries.find((e) => e.name === clash.name)?.source ?? 'input'}: group '${group.name}' already has a resource named '${clash.name}'`,
      );
    const rows = batch.map((e, j) => ({ n: e.name, a: e.accessNumber, k: keys[j] }));
    await tx.execute(
      sql`insert into resources (group_id, name, access_number, number_key, created_at, updated_at)
          select ${group.id}, x.n, x.a, x.k, ${now.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz
          from json_to_recordset(${json(rows)}::json) as x(n text, a text, k text)`,
    );
  }
  return entries.length;
}

/**
 * The group's resources with these numbers, locked; a number not in the group is a 404 naming its
 * line (nothing is removed then).
 */
export async function lockBulk(
  tx: Tx,
  group: ResourceGroupRow,
  entries: BulkEntry[],
): Promise<{ id: number; name: string }[]> {
  const found: { id: number; name: string; number_key: string }[] = [];
  for (let i = 0; i < entries.length; i += BATCH) {
    const keys = entries.slice(i, i + BATCH).map((e) => numberKey(e.accessNumber));
    found.push(
      ...(await queryRows<{ id: number; name: string; number_key: string }>(
        tx,
        sql`select id, name, number_key from resources where group_id = ${group.id}
            and number_key = any(${textArray(keys)}) for update`,
      )),
    );
  }
  if (found.length < entries.length) {
    const have = new Set(found.map((r) => r.number_key));
    const missing = entries.find((e) => !have.has(numberKey(e.accessNumber)));
    if (missing)
      throw new NotFoundError(
        'resource/resource_not_found',
        `${missing.source}: group '${group.name}' has no access number ${missing.accessNumber}`,
      );
  }
  return found.map((r) => ({ id: Number(r.id), name: r.name }));
}

/** `{1,2,3}`: one int[] parameter instead of one parameter per id (Postgres allows 65,535). */
export const intArray = (ids: number[]) => `{${ids.map((id) => Math.trunc(id)).join(',')}}`;

/** A bulk request's input: a range, a CSV, or both (they add up); at least one number. */
export function parseBulkInput(input: { range?: string | null; csv?: string | null }): BulkEntry[] {
  const entries = [
    ...(input.range?.trim() ? parseRange(input.range, 'range') : []),
    ...(input.csv?.trim() ? parseCsv(input.csv, 'csv') : []),
  ];
  if (entries.length === 0)
    throw new ValidationError(
      'resource/empty_bulk',
      'Give a range (e.g. 18001110000-18001119999) or CSV lines ("number" or "name,number")',
      input.range === undefined || input.range === null ? 'csv' : 'range',
    );
  assertBulkSize(entries, input.csv?.trim() ? 'csv' : 'range');
  return entries;
}
