import { randomUUID } from 'node:crypto';
import { type SQL, sql } from 'drizzle-orm';
import { observeBatches } from '../../db/batch-metrics.js';
import { type DbOrTx, queryRows } from '../../db/client.js';
import { PreparedSql } from '../../db/prepared-queries.js';
import { StatementBatcher } from '../../db/statement-batcher.js';
import type { Deps } from '../../deps.js';
import { sessionEventCountersTable, sessionEventsTable } from './event.tables.js';
import type { AppendInput, SessionEvent } from './event.types.js';

/**
 * One caller's events in an append statement. With `guard`, they are written only if the store's
 * append guard (EventStore.guardAppends) holds for it when the statement runs: all of them or none.
 */
interface AppendGroup {
  inputs: AppendInput[];
  guard: string | null;
}

/**
 * A counter's new expiry when a session's events are appended (`excluded` is the appended row):
 * never before its last event's (retention deletes a counter once it expired, and a counter gone
 * while its events live would hand out their seqs again), and moved an hour past it when it must
 * move, not to it exactly. Then the next hour of appends leaves the indexed column as it is, and
 * the update is a HOT one (no entry in the counter's two indexes, one WAL record instead of three):
 * a short-lived session (a direct publish: 30 s) no longer moves it on every event. A counter
 * outlives its session's events by up to an hour.
 */
const counterExpiry = (c: typeof sessionEventCountersTable) =>
  sql`case when excluded.expires_at > ${c.expiresAt} then excluded.expires_at + interval '1 hour' else ${c.expiresAt} end`;

/**
 * The event store's writes (EventStore delegates its append methods here): a session's next seqs
 * under its counter row, the events with them, in one statement; outside a transaction, concurrent
 * callers share that statement (StatementBatcher), one batch at the database at a time.
 */
export class EventAppender {
  /** The hot statements' SQL, built once. */
  private readonly statements = new PreparedSql();

  constructor(private readonly deps: Deps) {
    this.appendBatcher = new StatementBatcher((groups) => this.appendGroups(this.deps.db, groups), {
      maxBatch: 200,
      concurrency: 1,
      gatherIo: deps.config.database.kind === 'pglite',
      observe: observeBatches(deps.metrics, 'event_append'),
    });
  }

  /** Appends inside the caller's transaction; call `announce` after it commits. */
  async append(tx: DbOrTx, input: AppendInput): Promise<SessionEvent> {
    const now = this.deps.clock.now();
    const deliveryId = randomUUID().replaceAll('-', '');
    const c = sessionEventCountersTable;
    const e = sessionEventsTable;
    // One statement: the next seq under the session's counter row lock, and the event with it
    // (a publish to a device is an HTTP request and a transaction; this was two round trips).
    const [row] = await queryRows<{ seq: number }>(
      tx,
      sql`with counter as (
            insert into ${c} (session_id, last_seq, expires_at)
            values (${input.sessionId}, 1, ${input.expiresAt.toISOString()}::timestamptz)
            on conflict (session_id) do update
              set last_seq = ${c.lastSeq} + 1, expires_at = ${counterExpiry(c)}
            returning last_seq
          )
          insert into ${e} (session_id, seq, tag, delivery_id, kind, message, gms_user, created_at, expires_at)
          select ${input.sessionId}, counter.last_seq, ${input.tag}, ${deliveryId}, ${input.kind ?? null},
                 ${JSON.stringify(input.message)}::json, ${input.gmsUser},
                 ${now.toISOString()}::timestamptz, ${input.expiresAt.toISOString()}::timestamptz
          from counter
          returning seq`,
    );
    if (!row) throw new Error('event append returned no row');
    return {
      sessionId: input.sessionId,
      seq: Number(row.seq),
      tag: input.tag,
      deliveryId,
      kind: input.kind ?? null,
      // As a read gives it back: the stored JSON text, parsed.
      message: JSON.parse(JSON.stringify(input.message)) as unknown,
      gmsUser: input.gmsUser,
      createdAt: now,
    };
  }

  /**
   * Appends events, through `db`: a caller's transaction, or the database itself. Events of one
   * call are written by one statement (atomic on its own, so a caller with nothing else to write
   * needs no transaction, which saves its BEGIN and COMMIT round trips), a session named several
   * times included (its events take consecutive seqs, in the order given). Outside a transaction,
   * concurrent calls share that statement (group commit, StatementBatcher): a publish's append
   * was one statement and one WAL flush per event, now one per batch under load. Counter rows are
   * locked in session order, so two appends over the same sessions cannot deadlock.
   */
  async appendMany(db: DbOrTx, inputs: AppendInput[]): Promise<SessionEvent[]> {
    if (inputs.length === 0) return [];
    if (db === this.deps.db)
      return this.appendBatcher.submit({ inputs, guard: null }) as Promise<SessionEvent[]>;
    const [events] = await this.appendGroups(db, [{ inputs, guard: null }]);
    return events as SessionEvent[];
  }

  /**
   * Appends events outside any transaction (as `appendMany` on the database, sharing its
   * statements) only if the append guard holds for `guard` when the statement runs; null when it
   * did not, and nothing was written. The check and the write are one statement, so nothing can
   * commit between them that a separate read before the append would have seen either (READ
   * COMMITTED: each statement sees what committed before it began): a publish that must know
   * "no subscription matches this tag" before it writes an event saves that read's round trip.
   */
  async appendUnless(inputs: AppendInput[], guard: string): Promise<SessionEvent[] | null> {
    if (!this.appendGuard) throw new Error('appendUnless needs an append guard (EventStore.guardAppends)');
    if (inputs.length === 0) return [];
    return this.appendBatcher.submit({ inputs, guard });
  }

  /**
   * The condition a guarded append must meet, as SQL over the group's guard value (text) and the
   * statement's `now` (timestamptz): given once, by the module that appends with a guard (push:
   * "no live subscription matches this tag"), before the first append (it is part of the append
   * statement's text, built once).
   */
  guardAppends(condition: (value: SQL, now: SQL) => SQL): void {
    if (this.appendGuard) throw new Error('the event store already has an append guard');
    if (this.appendBuilt) throw new Error('the append guard must be given before the first append');
    this.appendGuard = condition;
  }

  private appendGuard: ((value: SQL, now: SQL) => SQL) | null = null;
  private appendBuilt = false;

  /**
   * Batches at the database at once: one, so that an instance's appends to a session take their
   * seqs in the order their batches formed. (Two at once gained nothing in the cross-instance push
   * bench, 2026-12-06: every commit waits for the same WAL flush, and smaller batches cost B more
   * CPU a publish.)
   */
  private readonly appendBatcher: StatementBatcher<AppendGroup, SessionEvent[] | null>;

  /**
   * One statement for every event of `groups` (each group one caller's events); a guarded group the
   * guard refused is null.
   */
  private async appendGroups(db: DbOrTx, groups: AppendGroup[]): Promise<(SessionEvent[] | null)[]> {
    const now = this.deps.clock.now();
    let ord = 0;
    const rows = groups.map(({ inputs, guard }) =>
      inputs.map((input) => ({
        ord: ord++,
        session_id: input.sessionId,
        gms_user: input.gmsUser,
        tag: input.tag,
        delivery_id: randomUUID().replaceAll('-', ''),
        kind: input.kind ?? null,
        message: JSON.stringify(input.message),
        expires_at: input.expiresAt.toISOString(),
        guard,
      })),
    );
    const seqs = await this.statements.rows<{ delivery_id: string; seq: number }>(
      db,
      'append',
      () => {
        const c = sessionEventCountersTable;
        const e = sessionEventsTable;
        this.appendBuilt = true;
        const now = sql`${sql.placeholder('now')}::timestamptz`;
        // A guarded group's rows are all dropped here or none (the guard is one value per group);
        // `input` is used twice below, so PostgreSQL evaluates it once.
        const guard = this.appendGuard
          ? sql`i.guard is null or (${this.appendGuard(sql`i.guard`, now)})`
          : sql`i.guard is null`;
        // Per session: the counter moves by its number of events, which take the seqs below the
        // new value in input order (one statement cannot upsert a counter row twice).
        return sql`with input as (
            select * from jsonb_to_recordset(${sql.placeholder('rows')}::jsonb)
              as i(ord int, session_id text, gms_user text, tag text, delivery_id text, kind text, message text, expires_at timestamptz, guard text)
            where ${guard}
          ),
          per_session as (
            select session_id, count(*)::int as n, max(expires_at) as expires_at from input group by session_id
          ),
          counter as (
            insert into ${c} (session_id, last_seq, expires_at)
            select session_id, n, expires_at from per_session order by session_id
            on conflict (session_id) do update
              set last_seq = ${c.lastSeq} + excluded.last_seq, expires_at = ${counterExpiry(c)}
            returning session_id, last_seq
          ),
          numbered as (
            select i.*, counter.last_seq - p.n
                     + row_number() over (partition by i.session_id order by i.ord) as seq
            from input i
            join counter on counter.session_id = i.session_id
            join per_session p on p.session_id = i.session_id
          )
          insert into ${e} (session_id, seq, tag, delivery_id, kind, message, gms_user, created_at, expires_at)
          select session_id, seq, tag, delivery_id, kind, message::json, gms_user,
                 ${sql.placeholder('now')}::timestamptz, expires_at
          from numbered
          order by ord
          returning delivery_id, seq`;
      },
      { rows: JSON.stringify(rows.flat()), now: now.toISOString() },
    );
    const seqOf = new Map(seqs.map((r) => [r.delivery_id, Number(r.seq)]));
    return groups.map(({ inputs, guard }, g) => {
      // The guard drops all of a group's rows or none.
      const first = rows[g]?.[0];
      if (guard !== null && first && !seqOf.has(first.delivery_id)) return null;
      return inputs.map((input, i) => {
        const row = rows[g]?.[i];
        const seq = row && seqOf.get(row.delivery_id);
        if (!row || seq === undefined) throw new Error('event append returned no row');
        return {
          sessionId: input.sessionId,
          seq,
          tag: input.tag,
          deliveryId: row.delivery_id,
          kind: row.kind,
          // As a read gives it back: the stored JSON text, parsed.
          message: JSON.parse(row.message) as unknown,
          gmsUser: input.gmsUser,
          createdAt: now,
        };
      });
    });
  }
}
