import { sql } from 'drizzle-orm';
import type { Config } from '../config.js';
import { queryRows } from '../db/client.js';
import type { Deps } from '../deps.js';
import type { CounterHandle } from '../metrics/registry.js';

const DAY_MS = 86_400_000;

/** A table partitioned by day (UTC) of a time column, with a DEFAULT partition (migration 0019). */
export interface PartitionedTable {
  parent: string;
  column: string;
  /** A day leaves (DROP) once its end is this long ago. */
  keepDays: number;
}

/**
 * The time-partitioned tables and their retention: the same cut-offs as the DELETE policies in
 * policies.ts (which now only clean the DEFAULT partition's stragglers).
 */
export function partitionedTables(config: Config): PartitionedTable[] {
  const r = config.retention;
  return [
    { parent: 'activity', column: 'occurred_at', keepDays: r.activityDays },
    // Expired events are invisible to every reader; kept RETENTION_SESSION_EVENTS_DAYS for support.
    { parent: 'session_events', column: 'expires_at', keepDays: r.sessionEventsDays },
  ];
}

export interface PartitionRun {
  created: string[];
  dropped: string[];
  failed: string[];
}

declare module '../managers.types.js' {
  interface Managers {
    partitions: PartitionManager;
  }
}

/**
 * Creates day partitions ahead (yesterday to PARTITION_AHEAD_DAYS from today) and drops the days
 * past their retention, so old rows leave by DROP TABLE instead of DELETE: no dead tuples, no
 * vacuum, no index bloat, and the work does not grow with the rows. Same code on PostgreSQL and
 * PGlite. Idempotent and safe on several instances: creation goes through
 * gms_ensure_day_partition (a no-op when the day exists; concurrent creators fail harmlessly and
 * retry next run), and DROP waits at most a couple of seconds for its lock (DROP of a partition
 * locks the parent briefly; a busy table is retried next run instead of queueing requests behind).
 */
export class PartitionManager {
  private readonly droppedCounter: CounterHandle<'table'>;

  constructor(private readonly deps: Deps) {
    this.droppedCounter = deps.metrics.counter(
      'gms_partitions_dropped_total',
      'Day partitions dropped by retention, per table',
      ['table'],
    );
  }

  tables(): PartitionedTable[] {
    return partitionedTables(this.deps.config);
  }

  async maintain(): Promise<PartitionRun> {
    const run: PartitionRun = { created: [], dropped: [], failed: [] };
    const now = this.deps.clock.now().getTime();
    const today = Math.floor(now / DAY_MS) * DAY_MS;
    for (const t of this.tables()) {
      try {
        // Every day in one statement (it runs at each start, before listening: 9 days × 2 tables
        // were 18 round trips), in day order; a day that fails stops the table as before.
        const first = new Date(today - DAY_MS).toISOString().slice(0, 10);
        const last = new Date(today + this.deps.config.retention.partitionAheadDays * DAY_MS)
          .toISOString()
          .slice(0, 10);
        const rows = await queryRows<{ day: string; created: unknown }>(
          this.deps.db,
          sql`select to_char(d, 'YYYY-MM-DD') as day,
                gms_ensure_day_partition(${t.parent}, ${t.column}, d::date) as created
              from generate_series(${first}::date, ${last}::date, interval '1 day') as d
              order by d`,
        );
        for (const row of rows) if (row.created === true) run.created.push(partitionName(t.parent, row.day));
        const cutoff = now - t.keepDays * DAY_MS;
        for (const p of await this.list(t.parent)) {
          if (p.end.getTime() > cutoff) continue;
          await this.deps.db.transaction(async (tx) => {
            await tx.execute(sql`set local lock_timeout = '2s'`);
            await tx.execute(sql`drop table ${sql.identifier(p.name)}`);
          });
          run.dropped.push(p.name);
          this.droppedCounter.inc({ table: t.parent });
        }
      } catch (err) {
        run.failed.push(t.parent);
        this.deps.logger.error('partition maintenance failed', { table: t.parent, err });
      }
    }
    if (run.created.length + run.dropped.length > 0)
      this.deps.logger.info('partitions', { created: run.created, dropped: run.dropped });
    return run;
  }

  /** The day partitions of a table, oldest first (the DEFAULT partition is not listed). */
  async list(parent: string): Promise<{ name: string; start: Date; end: Date }[]> {
    const rows = await queryRows<{ name: string }>(
      this.deps.db,
      sql`select c.relname as name from pg_inherits i
          join pg_class c on c.oid = i.inhrelid
          join pg_class p on p.oid = i.inhparent
          where p.relname = ${parent} and c.relname ~ ${`^${parent}_p[0-9]{8}$`}
          order by c.relname`,
    );
    return rows.map((r) => {
      const ymd = r.name.slice(-8);
      const start = new Date(`${ymd.slice(0, 4)}-${ymd.slice(4, 6)}-${ymd.slice(6, 8)}T00:00:00Z`);
      return { name: r.name, start, end: new Date(start.getTime() + DAY_MS) };
    });
  }
}

const partitionName = (parent: string, isoDay: string) => `${parent}_p${isoDay.replaceAll('-', '')}`;
