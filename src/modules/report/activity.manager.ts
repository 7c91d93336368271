import { type SQL, sql } from 'drizzle-orm';
import { type DbOrTx, queryRows } from '../../db/client.js';
import { PreparedSql } from '../../db/prepared-queries.js';
import type { Deps } from '../../deps.js';
import { activityTable } from './report.tables.js';
import { activityPendingTable } from './rollup.tables.js';

export const resourceActivityKinds = ['allocated', 'released', 'expired', 'exhausted'] as const;
export type ResourceActivityKind = (typeof resourceActivityKinds)[number];

export const callbackActivityKinds = ['created', 'connected', 'cancelled', 'abandoned', 'completed'] as const;
export type CallbackActivityKind = (typeof callbackActivityKinds)[number];

/** A service was accessed (session created, or a GET on a query service), with what it answered. */
export interface ServiceAccessEntry {
  category: 'service';
  kind: 'accessed';
  service: string;
  /** HTTP status answered (200 …; 4xx/5xx for failures). Status ≥ 400 is outcome `failed`. */
  status: number;
  /** The DomainError code of a failure (e.g. `services/not_found`). */
  code?: string | null;
  sessionId?: string | null;
  at?: Date;
}

/** A resource group's pool changed; booked/free are the group's counts right after the event. */
export interface ResourceEntry {
  category: 'resource';
  kind: ResourceActivityKind;
  group: string;
  booked: number;
  free: number;
  /** released: released | matched | session | admin; exhausted: `empty` when the group has no numbers. */
  reason?: string | null;
  sessionId?: string | null;
  at?: Date;
}

/** A callback's lifecycle step. `waitMs`: time since the callback was created (connected, cancelled, abandoned, completed). */
export interface CallbackEntry {
  category: 'callback';
  kind: CallbackActivityKind;
  service: string;
  queue?: string | null;
  callbackId: string;
  waitMs?: number | null;
  at?: Date;
}

export type ActivityEntry = ServiceAccessEntry | ResourceEntry | CallbackEntry;

/**
 * Where the values of resource activity rows come from, in a caller's own statement: SQL expressions
 * over the caller's `from` (its CTE names). Each row is one `ResourceEntry`.
 */
export interface ResourceActivitySql {
  /** Names the CTEs: the fragment is `name as (…), name_queued as (…)`. */
  name: string;
  /** The rows' source, e.g. `happened h cross join g cross join counts n`. */
  from: SQL;
  at: SQL;
  /** A `ResourceActivityKind`. */
  kind: SQL;
  group: SQL;
  booked: SQL;
  free: SQL;
  sessionId: SQL;
  nodeId: SQL;
  /** Release reason; null when not given. */
  reason?: SQL;
  /** The rows' order (activity ids follow it). */
  orderBy?: SQL;
}

/**
 * What other modules are given: record activity through the caller's transaction, either as a
 * statement of its own (`record`) or inside the caller's statement (`resourceInsert`).
 */
export interface ActivityRecorder {
  record(db: DbOrTx, entries: ActivityEntry | readonly ActivityEntry[]): Promise<void>;
  /**
   * The insert of resource activity rows (and their roll-up queue rows) as data-modifying CTEs of a
   * caller's statement (`with …, ${activity.resourceInsert({ name: 'act', … })} select …`). request-interaction's claim is one statement that
   * books, writes the history and its activity rows (issue 18 counts statements); the activity
   * table and its columns stay this module's. Depends on nothing but its arguments, so a caller may
   * build it once per process.
   */
  resourceInsert(rows: ResourceActivitySql): SQL;
  /**
   * The insert of one answered (200) service access (and its queue row) as CTEs of a caller's
   * statement, like `resourceInsert`: a session is
   * created by one statement with its user data and this row (issue 18 counts statements). Like
   * `resourceInsert`, it depends on nothing but its arguments.
   */
  serviceAccessInsert(row: ServiceAccessSql): SQL;
}

/** The values of a service-access row in a caller's statement: SQL expressions (placeholders). */
export interface ServiceAccessSql {
  /** Names the CTEs: the fragment is `name as (…), name_queued as (…)`. */
  name: string;
  at: SQL;
  nodeId: SQL;
  service: SQL;
  sessionId: SQL;
}

declare module '../../managers.types.js' {
  interface Managers {
    activity: ActivityManager;
  }
}

type ActivityRow = typeof activityTable.$inferInsert;

/** The columns each category writes (the rest keep their defaults): one prepared insert each. */
const categoryColumns = {
  service: ['occurredAt', 'nodeId', 'category', 'kind', 'subject', 'status', 'outcome', 'detail', 'ref'],
  resource: ['occurredAt', 'nodeId', 'category', 'kind', 'subject', 'booked', 'free', 'detail', 'ref'],
  callback: ['occurredAt', 'nodeId', 'category', 'kind', 'subject', 'queue', 'waitMs', 'ref'],
} as const satisfies Record<ActivityEntry['category'], readonly (keyof ActivityRow)[]>;

/** Every column an entry may set, for a many-entry insert (a category's other columns are null). */
const allColumns = [
  'occurredAt',
  'nodeId',
  'category',
  'kind',
  'subject',
  'status',
  'outcome',
  'detail',
  'queue',
  'waitMs',
  'booked',
  'free',
  'ref',
] as const satisfies readonly (keyof ActivityRow)[];

/**
 * What `activity_pending` copies of each row (rollup.tables.ts): every insert into `activity` is
 * also queued for the roll-up in the same statement. A statement trigger did it before (migration
 * 0017); on a request-interaction that trigger (plpgsql over a transition table, twice a request)
 * was ~4 % of PostgreSQL's CPU (BENCHMARKS.md), and only this module writes `activity`.
 */
const pendingColumns = sql.raw(
  'id, occurred_at, category, kind, subject, outcome, status, queue, wait_ms, booked, free',
);

/** `name as (insert … returning …), name_queued as (insert into activity_pending …)`. */
function queuedCtes(name: string, insert: SQL): SQL {
  const cte = sql.raw(name);
  return sql`${cte} as (${insert} returning ${pendingColumns}),
    ${sql.raw(`${name}_queued`)} as (insert into ${activityPendingTable} (${pendingColumns})
      select ${pendingColumns} from ${cte})`;
}

/** An insert of `rows` (tuples of `columns`' values) with their queue rows, as one statement. */
function insertStatement(columns: readonly (keyof ActivityRow)[], rows: SQL[]): SQL {
  const names = sql.join(
    columns.map((c) => sql.identifier(activityTable[c].name)),
    sql`, `,
  );
  return sql`with ${queuedCtes('a', sql`insert into ${activityTable} (${names}) values ${sql.join(rows, sql`, `)}`)}
    select count(*)::int as n from a`;
}

/** A row's value as sent (timestamps as ISO text: raw statements get no column encoders). */
const sent = (v: unknown) => (v instanceof Date ? v.toISOString() : (v ?? null));

/** The one-entry insert of each category, built once (prepared-queries.ts). */
const insertOne = new PreparedSql();
/**
 * The append-only activity record behind the reports. Callers write through their own transaction,
 * so an entry exists exactly when what it describes committed.
 */
export class ActivityManager implements ActivityRecorder {
  constructor(private readonly deps: Deps) {}

  async record(db: DbOrTx, entries: ActivityEntry | readonly ActivityEntry[]): Promise<void> {
    const list: readonly ActivityEntry[] = Array.isArray(entries) ? entries : [entries as ActivityEntry];
    if (list.length === 0) return;
    const now = this.deps.clock.now();
    const nodeId = this.deps.node.id;
    const [first] = list;
    if (list.length === 1 && first) {
      // The common case (one entry per request) runs a statement built once (prepared-queries.ts).
      const columns = categoryColumns[first.category];
      const row = toRow(first, now, nodeId);
      await insertOne.rows(
        db,
        first.category,
        () =>
          insertStatement(columns, [
            sql`(${sql.join(
              columns.map((c) => sql.placeholder(c)),
              sql`, `,
            )})`,
          ]),
        Object.fromEntries(columns.map((c) => [c, sent(row[c])])),
      );
      return;
    }
    await queryRows(
      db,
      insertStatement(
        allColumns,
        list.map((e) => {
          const row = toRow(e, now, nodeId);
          return sql`(${sql.join(
            allColumns.map((c) => sql`${sent(row[c])}`),
            sql`, `,
          )})`;
        }),
      ),
    );
  }

  resourceInsert(rows: ResourceActivitySql): SQL {
    const t = activityTable;
    const columns = [
      t.occurredAt,
      t.nodeId,
      t.category,
      t.kind,
      t.subject,
      t.booked,
      t.free,
      t.detail,
      t.ref,
    ];
    return queuedCtes(
      rows.name,
      sql`insert into ${t} (${sql.join(
        columns.map((col) => sql.identifier(col.name)),
        sql`, `,
      )})
      select ${rows.at}, ${rows.nodeId}, 'resource', ${rows.kind}, ${rows.group}, ${rows.booked},
        ${rows.free}, ${rows.reason ?? sql`null`}, ${rows.sessionId}
      from ${rows.from} ${rows.orderBy ? sql`order by ${rows.orderBy}` : sql``}`,
    );
  }

  serviceAccessInsert(row: ServiceAccessSql): SQL {
    const t = activityTable;
    const columns = [t.occurredAt, t.nodeId, t.category, t.kind, t.subject, t.status, t.outcome, t.ref];
    return queuedCtes(
      row.name,
      sql`insert into ${t} (${sql.join(
        columns.map((col) => sql.identifier(col.name)),
        sql`, `,
      )}) values (${row.at}, ${row.nodeId}, 'service', 'accessed', ${row.service}, 200, 'ok', ${row.sessionId})`,
    );
  }
}

function toRow(e: ActivityEntry, now: Date, nodeId: number): typeof activityTable.$inferInsert {
  const base = { occurredAt: e.at ?? now, nodeId };
  switch (e.category) {
    case 'service':
      return {
        ...base,
        category: 'service',
        kind: 'accessed',
        subject: e.service,
        status: e.status,
        outcome: e.status >= 400 ? 'failed' : 'ok',
        detail: e.code ?? null,
        ref: e.sessionId ?? null,
      };
    case 'resource':
      return {
        ...base,
        category: 'resource',
        kind: e.kind,
        subject: e.group,
        booked: e.booked,
        free: e.free,
        detail: e.reason ?? null,
        ref: e.sessionId ?? null,
      };
    case 'callback':
      return {
        ...base,
        category: 'callback',
        kind: e.kind,
        subject: e.service,
        queue: e.queue ?? null,
        waitMs: e.waitMs == null ? null : Math.max(0, Math.round(e.waitMs)),
        ref: e.callbackId,
      };
  }
}
