import { type DbOrTx, queryRows, sql } from './client.js';

/**
 * Checkpoints for PGlite, which never makes one on its own. It runs PostgreSQL as a single backend
 * with no checkpointer process, and `max_wal_size` / `checkpoint_timeout` only ever ask that process
 * (PostgreSQL requests an XLOG checkpoint only under a postmaster). So without this the WAL grew
 * for the life of the process: in memory (`memory://`) by ~1 KB a published event, every byte of
 * it in the JavaScript heap, and on a data directory as files in `pg_wal` that a crash then replays
 * from the start. A checkpoint lets PostgreSQL recycle the segments before its redo point
 * (`min_wal_size`/`max_wal_size` in client.ts bound how many it keeps), and a recycled segment is
 * renamed, not written again. Measured (BENCHMARKS.md, "Spread on PGlite"): 10–15 ms on the
 * engine for a checkpoint after 100 MB of WAL, once per `walBytes` of WAL.
 */
export interface CheckpointPolicy {
  /** WAL written since the last checkpoint's redo point that makes the next check checkpoint. */
  walBytes: number;
}

export const PGLITE_CHECKPOINT: CheckpointPolicy & { checkIntervalMs: number } = {
  walBytes: 32 * 1024 * 1024,
  checkIntervalMs: 10_000,
};

/** Bytes of WAL written since the last checkpoint's redo point. */
export async function walSinceRedo(db: DbOrTx): Promise<number> {
  const [row] = await queryRows<{ wal: string | number }>(
    db,
    sql`select pg_wal_lsn_diff(pg_current_wal_lsn(), redo_lsn) as wal from pg_control_checkpoint()`,
  );
  return Number(row?.wal ?? 0);
}

/** One check: a `CHECKPOINT` when the WAL since the last one's redo point reached the policy's bound. */
export async function checkpointIfDue(db: DbOrTx, policy: CheckpointPolicy): Promise<boolean> {
  if ((await walSinceRedo(db)) < policy.walBytes) return false;
  await db.execute(sql`checkpoint`);
  return true;
}
