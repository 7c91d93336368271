import { getTableName, type SQL, sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { queryRows } from '../db/client.js';
import type { Deps } from '../deps.js';
import type { CounterHandle } from '../metrics/registry.js';

/**
 * How long one append-only record is kept, and which of its rows are still owed to someone.
 * `expired(cutoff, now)` selects the rows that may go: older than `cutoff` (now − keep) *and* owed to
 * no one — an undelivered push, a live session's events or chat, a callback or routing request still
 * in progress, a booking still open. Rows matching it are deleted oldest-first in bounded batches.
 */
export interface RetentionPolicy {
  /** Table name in logs, metrics and docs/data-lifecycle.md. */
  name: string;
  table: PgTable;
  /**
   * The relation DELETEs run on when not the table itself: a time-partitioned table's DEFAULT
   * partition (its day partitions leave by DROP, partitions.ts).
   */
  relation?: string;
  /** The primary key: batches are claimed and deleted by it. */
  key: PgColumn[];
  keepSeconds: number;
  expired(cutoff: Date, now: Date): SQL;
  /**
   * Rows per batch as a fraction of RETENTION_BATCH_ROWS, for tables whose delete cascades (a chat
   * takes its transcript with it): keeps each statement's work bounded.
   */
  batchFraction?: number;
}

export interface RetentionRun {
  /** Rows deleted per policy name in this run. */
  deleted: Record<string, number>;
  /** Policies whose batch failed (logged; the next run tries again). */
  failed: string[];
}

/** A time as a SQL timestamptz literal (both drivers bind it the same way). */
export const sqlTime = (d: Date) => sql`${d.toISOString()}::timestamptz`;

/**
 * Enforces every retention policy: each batch is one `DELETE … WHERE key IN (SELECT … LIMIT n FOR
 * UPDATE SKIP LOCKED)`, its own short transaction, so no lock is held for long, rows another
 * instance is deleting (or a request is touching) are skipped rather than waited for, and any number
 * of instances may run it at once. A run does at most RETENTION_MAX_BATCHES batches per table; what is
 * left goes in the next run.
 */
export class RetentionManager {
  private readonly deletedRows: CounterHandle<'table'>;
  private readonly policies: RetentionPolicy[] = [];

  constructor(private readonly deps: Deps) {
    this.deletedRows = deps.metrics.counter(
      'gms_retention_deleted_rows_total',
      'Rows removed by the retention task, per table',
      ['table'],
    );
  }

  register(...policies: RetentionPolicy[]): void {
    for (const p of policies) {
      if (this.policies.some((q) => q.name === p.name))
        throw new Error(`Retention policy '${p.name}' is registered twice`);
      this.policies.push(p);
    }
  }

  /** The registered policies (docs and tests list them). */
  list(): readonly RetentionPolicy[] {
    return this.policies;
  }

  async run(): Promise<RetentionRun> {
    const result: RetentionRun = { deleted: {}, failed: [] };
    for (const policy of this.policies) {
      try {
        result.deleted[policy.name] = await this.enforce(policy);
      } catch (err) {
        result.failed.push(policy.name);
        this.deps.logger.error('retention failed', { table: policy.name, err });
      }
    }
    return result;
  }

  /** One policy: batches until one comes back short or the run's budget of batches is spent. */
  async enforce(policy: RetentionPolicy): Promise<number> {
    const { batchRows, maxBatches } = this.deps.config.retention;
    const limit = Math.max(1, Math.floor(batchRows * (policy.batchFraction ?? 1)));
    let total = 0;
    for (let i = 0; i < maxBatches; i++) {
      const now = this.deps.clock.now();
      const cutoff = new Date(now.getTime() - policy.keepSeconds * 1000);
      const n = await this.deleteBatch(policy, policy.expired(cutoff, now), limit);
      total += n;
      if (n > 0) this.deletedRows.inc({ table: policy.name }, n);
      if (n < limit) break;
    }
    if (total > 0) this.deps.logger.info('retention', { table: policy.name, deleted: total });
    return total;
  }

  private async deleteBatch(policy: RetentionPolicy, condition: SQL, limit: number): Promise<number> {
    // Aliased to the table's name: conditions name its columns qualified, whatever the relation.
    const name = getTableName(policy.table);
    const table = sql`${sql.identifier(policy.relation ?? name)} as ${sql.identifier(name)}`;
    const key = sql.join(
      policy.key.map((c) => sql.identifier(c.name)),
      sql`, `,
    );
    const [row] = await queryRows<{ n: unknown }>(
      this.deps.db,
      sql`with doomed as (
            delete from ${table} where (${key}) in (
              select ${key} from ${table} where ${condition} limit ${limit} for update skip locked)
            returning 1)
          select count(*)::int as n from doomed`,
    );
    return Number(row?.n ?? 0);
  }
}

declare module '../managers.types.js' {
  interface Managers {
    retention: RetentionManager;
  }
}
