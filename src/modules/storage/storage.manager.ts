import { randomUUID } from 'node:crypto';
import { and, asc, eq, gt, inArray, lte, sql } from 'drizzle-orm';
import type { PgInsertValue } from 'drizzle-orm/pg-core';
import { type AccessRules, assertOwns, type Owned } from '../../auth/ownership.js';
import type { Viewer } from '../../auth/viewer.js';
import type { DbOrTx } from '../../db/client.js';
import { placeholders, preparedQuery } from '../../db/prepared-queries.js';
import type { Deps } from '../../deps.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { type EntryCtes, entryCtes } from './storage.entry-ctes.js';
import {
  type StorageEntryRow,
  type StorageValueRow,
  storageEntriesTable,
  storageValuesTable,
} from './storage.tables.js';

/** GMS falls back to 30 seconds when the `{ttl}` of a Storage API call is not a positive number. */
export const DEFAULT_STORAGE_TTL_SECONDS = 30;
/** Longest time to live (ten years): beyond it an expiry would not be a representable date. */
export const MAX_STORAGE_TTL_SECONDS = 315_360_000;
const MAX_KEY_LENGTH = 256;
const SWEEP_BATCH = 500;

export interface BinaryInput {
  key: string;
  filename: string;
  contentType: string;
  data: Buffer;
}

/** What a write stores: text values and files (binary values keep their bytes and content type). */
export interface StorageInput {
  text: Record<string, string>;
  binary: BinaryInput[];
}

/**
 * How a caller names an area: a generated id (anyone holding it may use it), or a custom id bound to
 * the caller's `gms_user`. With `custom` only the custom-id namespace is searched; otherwise the
 * generated id first and then the caller's custom id of that name.
 */
export interface StorageRef {
  id: string;
  gmsUser?: string | null;
  custom?: boolean;
  /**
   * Who asks, under which rules: under `strict` only the device that created the area (and admins)
   * reaches it. Absent for internal reads (a session's data, already checked through its session).
   */
  access?: { viewer: Viewer; rules: AccessRules };
}

export interface StoredValue {
  key: string;
  kind: 'text' | 'binary';
  text: string | null;
  data: Buffer | null;
  contentType: string | null;
  filename: string | null;
  size: number;
}

export interface StorageEntry {
  /** The id clients use: the generated id, or the custom id of a custom-id area. */
  id: string;
  /** The row id (equals `id` except for custom-id areas). */
  internalId: string;
  customId: string | null;
  owner: string | null;
  createdAt: Date;
  updatedAt: Date;
  expiresAt: Date;
  values: StoredValue[];
}

/** `{ttl}` as GMS reads it: whole seconds > 0, else 30; capped so expiry stays a valid date. */
export function storageTtlSeconds(raw: string | number | null | undefined): number {
  const n = typeof raw === 'number' ? raw : /^\s*\d{1,15}\s*$/.test(raw ?? '') ? Number(raw) : Number.NaN;
  if (!Number.isInteger(n) || n <= 0) return DEFAULT_STORAGE_TTL_SECONDS;
  return Math.min(n, MAX_STORAGE_TTL_SECONDS);
}

const storageNotFound = (id: string) =>
  new NotFoundError('storage/not_found', `Storage '${id}' not found or expired`);

const toValue = (row: StorageValueRow): StoredValue => ({
  key: row.key,
  kind: row.kind,
  text: row.textValue,
  data: row.binaryValue,
  contentType: row.contentType,
  filename: row.filename,
  size: row.size,
});

function checkInput(input: StorageInput): void {
  const keys = new Set<string>();
  const check = (key: string) => {
    if (key === '' || key.length > MAX_KEY_LENGTH)
      throw new ValidationError(
        'storage/invalid_key',
        `Storage keys must be 1 to ${MAX_KEY_LENGTH} characters`,
        'key',
      );
    if (keys.has(key))
      throw new ValidationError('storage/duplicate_key', `Key '${key}' is given more than once`, key);
    keys.add(key);
  };
  for (const key of Object.keys(input.text)) check(key);
  for (const file of input.binary) check(file.key);
}

declare module '../../managers.types.js' {
  interface Managers {
    storage: StorageManager;
  }
}

/**
 * The Storage API. Expiry is computed from the stored `expires_at` against `deps.clock` on every
 * read, so an expired area is gone for every instance at once; the sweeper only reclaims space.
 * Generated-id areas are readable by anyone holding the id (as in GMS); custom-id areas only with
 * the `gms_user` they were created with.
 */
/** The insert of a new area (generated id), built once (prepared-queries.ts). */
const insertEntry = preparedQuery((db: DbOrTx) =>
  db
    .insert(storageEntriesTable)
    .values(placeholders(['id', 'owner', 'ownerTokenHash', 'createdAt', 'updatedAt', 'expiresAt']))
    .prepare('storage_entry_insert'),
);

const valueColumns = [
  'kind',
  'textValue',
  'binaryValue',
  'contentType',
  'filename',
  'size',
] as const satisfies readonly (keyof StorageValueRow)[];
type ValueRow = Pick<StorageValueRow, (typeof valueColumns)[number] | 'key'>;

/**
 * The upsert of n values, built once per n up to this many (a request stores a few); longer lists
 * are built as they come.
 */
const PREPARED_VALUE_ROWS = 8;
const upsertValues = Array.from({ length: PREPARED_VALUE_ROWS + 1 }, (_, n) =>
  preparedQuery((db: DbOrTx) =>
    valuesUpsert(
      db,
      Array.from({ length: n }, (_, i) => ({
        entryId: sql.placeholder('entryId'),
        key: sql.placeholder(`key${i}`),
        kind: sql.placeholder(`kind${i}`),
        textValue: sql.placeholder(`textValue${i}`),
        binaryValue: sql.placeholder(`binaryValue${i}`),
        contentType: sql.placeholder(`contentType${i}`),
        filename: sql.placeholder(`filename${i}`),
        size: sql.placeholder(`size${i}`),
        createdAt: sql.placeholder('now'),
        updatedAt: sql.placeholder('now'),
      })),
    ).prepare(`storage_values_upsert_${n}`),
  ),
);

/** A live area by generated id, and by custom id and owner (`now`: an ISO timestamp). */
const byIdWhere = and(
  eq(storageEntriesTable.id, sql.placeholder('id')),
  sql`${storageEntriesTable.customId} is null`,
  gt(storageEntriesTable.expiresAt, sql.placeholder('now')),
);
const byCustomWhere = and(
  eq(storageEntriesTable.customId, sql.placeholder('id')),
  eq(storageEntriesTable.owner, sql.placeholder('owner')),
  gt(storageEntriesTable.expiresAt, sql.placeholder('now')),
);
const entryById = preparedQuery((db: DbOrTx) =>
  db.select().from(storageEntriesTable).where(byIdWhere).prepare('storage_entry_by_id'),
);
const entryByIdForUpdate = preparedQuery((db: DbOrTx) =>
  db.select().from(storageEntriesTable).where(byIdWhere).for('update').prepare('storage_entry_by_id_lock'),
);
const entryByCustomId = preparedQuery((db: DbOrTx) =>
  db.select().from(storageEntriesTable).where(byCustomWhere).prepare('storage_entry_by_custom'),
);
const entryByCustomIdForUpdate = preparedQuery((db: DbOrTx) =>
  db
    .select()
    .from(storageEntriesTable)
    .where(byCustomWhere)
    .for('update')
    .prepare('storage_entry_by_custom_lock'),
);
/** An area's values in the order their keys were first stored. */
const readValues = preparedQuery((db: DbOrTx) =>
  db
    .select()
    .from(storageValuesTable)
    .where(eq(storageValuesTable.entryId, sql.placeholder('entryId')))
    .orderBy(asc(storageValuesTable.seq))
    .prepare('storage_values_read'),
);

/** Adds or overwrites values of an area (the text of both the prepared and the ad hoc upsert). */
function valuesUpsert(db: DbOrTx, rows: PgInsertValue<typeof storageValuesTable>[]) {
  return db
    .insert(storageValuesTable)
    .values(rows)
    .onConflictDoUpdate({
      target: [storageValuesTable.entryId, storageValuesTable.key],
      set: {
        kind: sql`excluded.kind`,
        textValue: sql`excluded.text_value`,
        binaryValue: sql`excluded.binary_value`,
        contentType: sql`excluded.content_type`,
        filename: sql`excluded.filename`,
        size: sql`excluded.size`,
        updatedAt: sql`excluded.updated_at`,
      },
    });
}

export type { EntryCtes };

export class StorageManager {
  constructor(private readonly deps: Deps) {}

  private newId(): string {
    return `${this.deps.node.id}-${randomUUID()}`;
  }

  private expiry(ttlSeconds: number): Date {
    return new Date(this.deps.clock.now().getTime() + ttlSeconds * 1000);
  }

  /**
   * POST /genesys/1/storage/{ttl}: an area bound to the device that created it (`owner`). Under
   * strict rules an area nobody could read back (no gms_user) is refused.
   */
  async create(
    ttlSeconds: number,
    input: StorageInput,
    owner: Owned,
    rules: AccessRules = 'open',
  ): Promise<StorageEntry> {
    if (rules === 'strict') requireUser(owner.gmsUser);
    checkInput(input);
    const id = await this.deps.db.transaction((tx) => this.createEntry(tx, ttlSeconds, input, owner));
    return this.get({ id });
  }

  /** Keeps an entry alive at least until `until` (inside the caller's transaction); never shortens it. */
  async extendEntry(tx: DbOrTx, id: string, until: Date): Promise<void> {
    await tx
      .update(storageEntriesTable)
      .set({
        expiresAt: sql`greatest(${storageEntriesTable.expiresAt}, ${until.toISOString()}::timestamptz)`,
      })
      .where(eq(storageEntriesTable.id, id));
  }

  /** Creates an area inside the caller's transaction (a session's user data); returns its id. */
  async createEntry(tx: DbOrTx, ttlSeconds: number, input: StorageInput, owner: Owned): Promise<string> {
    const { id, written } = this.startEntry(tx, ttlSeconds, input, owner);
    await written;
    return id;
  }

  /**
   * Sends the inserts of a new area without waiting for them, so a caller's transaction can send its
   * next statements in the same round trip (they run in order on its connection); `written` settles
   * when both have run.
   */
  startEntry(
    tx: DbOrTx,
    ttlSeconds: number,
    input: StorageInput,
    owner: Owned,
  ): { id: string; written: Promise<unknown> } {
    checkInput(input);
    const id = this.newId();
    const now = this.deps.clock.now();
    const entry = insertEntry(tx, {
      id,
      owner: owner.gmsUser,
      ownerTokenHash: owner.ownerTokenHash ?? null,
      createdAt: now,
      updatedAt: now,
      expiresAt: this.expiry(ttlSeconds),
    });
    return { id, written: Promise.all([entry, this.writeValues(tx, id, input, now)]) };
  }

  /**
   * A new area for a caller's statement (`EntryCtes`): text values only, at most
   * PREPARED_VALUE_ROWS of them; null otherwise (then `startEntry`). Throws what `startEntry` throws.
   */
  entryCtes(ttlSeconds: number, input: StorageInput, owner: Owned): EntryCtes | null {
    checkInput(input);
    const text = Object.entries(input.text);
    if (input.binary.length > 0 || text.length > PREPARED_VALUE_ROWS) return null;
    const id = this.newId();
    const values: Record<string, unknown> = {
      storage_id: id,
      storage_owner: owner.gmsUser,
      storage_token: owner.ownerTokenHash ?? null,
      storage_now: this.deps.clock.now().toISOString(),
      storage_expires: this.expiry(ttlSeconds).toISOString(),
    };
    for (const [i, [key, value]] of text.entries()) {
      values[`storage_key${i}`] = key;
      values[`storage_text${i}`] = value;
      values[`storage_size${i}`] = Buffer.byteLength(value);
    }
    return { id, key: `storage:${text.length}`, build: () => entryCtes(text.length), values };
  }

  /**
   * POST /genesys/1/storage/custom/{customId}/{ttl}: creates the area of this `gms_user`, or — when
   * it is still alive — stores the new values into it and restarts its time to live.
   */
  async createCustom(
    customId: string,
    gmsUser: string | null,
    ttlSeconds: number,
    input: StorageInput,
    options: { ownerTokenHash?: string | null; access?: StorageRef['access'] } = {},
  ) {
    const owner = requireUser(gmsUser);
    if (customId === '' || customId.length > MAX_KEY_LENGTH)
      throw new ValidationError(
        'storage/invalid_custom_id',
        'The custom id must be 1 to 256 characters',
        'customId',
      );
    checkInput(input);
    const now = this.deps.clock.now();
    await this.deps.db.transaction(async (tx) => {
      await tx
        .insert(storageEntriesTable)
        .values({
          id: this.newId(),
          customId,
          owner,
          ownerTokenHash: options.ownerTokenHash ?? null,
          createdAt: now,
          updatedAt: now,
          expiresAt: this.expiry(ttlSeconds),
        })
        .onConflictDoNothing();
      const [row] = await tx
        .select()
        .from(storageEntriesTable)
        .where(and(eq(storageEntriesTable.customId, customId), eq(storageEntriesTable.owner, owner)))
        .for('update');
      if (!row) throw new Error('custom storage area vanished inside its transaction');
      // A live area of this gms_user bound to a device token takes new values only with that token.
      if (row.expiresAt > now) this.checkOwner({ id: customId, access: options.access }, row);
      if (row.expiresAt <= now) {
        // An expired area the sweeper has not reclaimed yet: it starts over.
        await tx.delete(storageValuesTable).where(eq(storageValuesTable.entryId, row.id));
        await tx
          .update(storageEntriesTable)
          .set({ createdAt: now })
          .where(eq(storageEntriesTable.id, row.id));
      }
      await tx
        .update(storageEntriesTable)
        .set({ updatedAt: now, expiresAt: this.expiry(ttlSeconds) })
        .where(eq(storageEntriesTable.id, row.id));
      await this.writeValues(tx, row.id, input, now);
    });
    return this.get({ id: customId, gmsUser: owner, custom: true, access: options.access });
  }

  /** POST /genesys/1/storage/{id}/{ttl}: stores (adds or overwrites) values and restarts the time to live. */
  async update(ref: StorageRef, ttlSeconds: number, input: StorageInput): Promise<StorageEntry> {
    checkInput(input);
    const now = this.deps.clock.now();
    await this.deps.db.transaction(async (tx) => {
      const row = await this.locate(tx, ref, { lock: true });
      await tx
        .update(storageEntriesTable)
        .set({ updatedAt: now, expiresAt: this.expiry(ttlSeconds) })
        .where(eq(storageEntriesTable.id, row.id));
      await this.writeValues(tx, row.id, input, now);
    });
    return this.get(ref);
  }

  /** Stores values without touching the time to live (per-session storage). */
  async put(ref: StorageRef, input: StorageInput, db: DbOrTx = this.deps.db): Promise<void> {
    checkInput(input);
    const now = this.deps.clock.now();
    const write = async (tx: DbOrTx) => {
      const row = await this.locate(tx, ref, { lock: true });
      await tx.update(storageEntriesTable).set({ updatedAt: now }).where(eq(storageEntriesTable.id, row.id));
      await this.writeValues(tx, row.id, input, now);
    };
    if (db === this.deps.db) await this.deps.db.transaction(write);
    else await write(db);
  }

  async get(ref: StorageRef, db: DbOrTx = this.deps.db): Promise<StorageEntry> {
    let row: StorageEntryRow;
    let values: StorageValueRow[];
    if (!ref.custom) {
      // A generated id is usually the area's own id: its values are read alongside the area (one
      // round trip, not two) and dropped when the id named another area (a custom id of the
      // caller's gms_user) or none.
      const [entry, read] = await Promise.all([
        this.locate(db, ref).catch((err: unknown) => err as Error),
        readValues(db, { entryId: ref.id }),
      ]);
      if (entry instanceof Error) throw entry;
      row = entry;
      values = row.id === ref.id ? read : await readValues(db, { entryId: row.id });
    } else {
      row = await this.locate(db, ref);
      values = await readValues(db, { entryId: row.id });
    }
    return {
      id: row.customId ?? row.id,
      internalId: row.id,
      customId: row.customId,
      owner: row.owner,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      expiresAt: row.expiresAt,
      values: values.map(toValue),
    };
  }

  async getValue(ref: StorageRef, key: string, db: DbOrTx = this.deps.db): Promise<StoredValue> {
    const row = await this.locate(db, ref);
    const [value] = await db
      .select()
      .from(storageValuesTable)
      .where(and(eq(storageValuesTable.entryId, row.id), eq(storageValuesTable.key, key)));
    if (!value)
      throw new NotFoundError('storage/key_not_found', `Key '${key}' not found in storage '${ref.id}'`);
    return toValue(value);
  }

  /** DELETE /genesys/1/storage/{id}. */
  async delete(ref: StorageRef): Promise<void> {
    await this.deps.db.transaction(async (tx) => {
      const row = await this.locate(tx, ref, { lock: true });
      await tx.delete(storageEntriesTable).where(eq(storageEntriesTable.id, row.id));
    });
  }

  /** Removes an area inside the caller's transaction, whether or not it expired (a stopped session's data). */
  async deleteEntry(tx: DbOrTx, id: string): Promise<void> {
    await tx.delete(storageEntriesTable).where(eq(storageEntriesTable.id, id));
  }

  async deleteKeys(ref: StorageRef, keys: string[]): Promise<string[]> {
    return this.deps.db.transaction(async (tx) => {
      const row = await this.locate(tx, ref, { lock: true });
      const removed = await tx
        .delete(storageValuesTable)
        .where(and(eq(storageValuesTable.entryId, row.id), inArray(storageValuesTable.key, keys)))
        .returning({ key: storageValuesTable.key });
      if (removed.length === 0 && keys.length > 0)
        throw new NotFoundError('storage/key_not_found', `Key '${keys[0]}' not found in storage '${ref.id}'`);
      await tx
        .update(storageEntriesTable)
        .set({ updatedAt: this.deps.clock.now() })
        .where(eq(storageEntriesTable.id, row.id));
      return removed.map((r) => r.key);
    });
  }

  /** Housekeeping only (reads never return expired areas): removes expired areas in batches. */
  async sweepExpired(): Promise<number> {
    let total = 0;
    for (;;) {
      const batch = await this.deps.db
        .select({ id: storageEntriesTable.id })
        .from(storageEntriesTable)
        .where(lte(storageEntriesTable.expiresAt, this.deps.clock.now()))
        .limit(SWEEP_BATCH);
      if (batch.length === 0) return total;
      const removed = await this.deps.db
        .delete(storageEntriesTable)
        .where(
          and(
            inArray(
              storageEntriesTable.id,
              batch.map((b) => b.id),
            ),
            lte(storageEntriesTable.expiresAt, this.deps.clock.now()),
          ),
        )
        .returning({ id: storageEntriesTable.id });
      total += removed.length;
      if (batch.length < SWEEP_BATCH) return total;
    }
  }

  /**
   * A live area by id; failing that, the caller's custom-id area of that name. Custom-id areas are
   * never reachable by their internal id (it is never handed out).
   */
  private async locate(
    db: DbOrTx,
    ref: StorageRef,
    options: { lock?: boolean } = {},
  ): Promise<StorageEntryRow> {
    const { id } = ref;
    const gmsUser = ref.custom ? requireUser(ref.gmsUser ?? null) : (ref.gmsUser ?? null);
    const now = this.deps.clock.now();
    const live = now.toISOString();
    if (!ref.custom) {
      const [row] = await (options.lock ? entryByIdForUpdate : entryById)(db, { id, now: live });
      if (row) return this.checkOwner(ref, row);
    }
    if (gmsUser) {
      const query = options.lock ? entryByCustomIdForUpdate : entryByCustomId;
      const [custom] = await query(db, { id, owner: gmsUser, now: live });
      if (custom) return this.checkOwner(ref, custom);
    }
    throw storageNotFound(id);
  }

  private checkOwner(ref: StorageRef, row: StorageEntryRow): StorageEntryRow {
    if (!ref.access) return row;
    const owner = { gmsUser: row.owner, ownerTokenHash: row.ownerTokenHash };
    assertOwns(ref.access.viewer, owner, ref.access.rules, () => storageNotFound(ref.id));
    return row;
  }

  private async writeValues(tx: DbOrTx, entryId: string, input: StorageInput, now: Date): Promise<void> {
    const rows: ValueRow[] = [
      ...Object.entries(input.text).map(([key, value]) => ({
        key,
        kind: 'text' as const,
        textValue: value,
        binaryValue: null,
        contentType: null,
        filename: null,
        size: Buffer.byteLength(value),
      })),
      ...input.binary.map((f) => ({
        key: f.key,
        kind: 'binary' as const,
        textValue: null,
        binaryValue: f.data,
        contentType: f.contentType,
        filename: f.filename,
        size: f.data.length,
      })),
    ];
    if (rows.length === 0) return;
    const prepared = upsertValues[rows.length];
    if (!prepared) {
      await valuesUpsert(
        tx,
        rows.map((r) => ({ ...r, entryId, createdAt: now, updatedAt: now })),
      );
      return;
    }
    const values: Record<string, unknown> = { entryId, now };
    for (const [i, row] of rows.entries()) {
      values[`key${i}`] = row.key;
      for (const c of valueColumns) values[`${c}${i}`] = row[c];
    }
    await prepared(tx, values);
  }
}

function requireUser(gmsUser: string | null): string {
  if (!gmsUser)
    throw new ValidationError(
      'storage/gms_user_required',
      'This storage needs the gms_user header: the area is bound to it',
      'gms_user',
    );
  return gmsUser;
}
