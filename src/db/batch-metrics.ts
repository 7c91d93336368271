import type { HistogramHandle, MetricsRegistry } from '../metrics/registry.js';

/** The statements that go through a StatementBatcher (the `statement` label). */
export type BatchedStatement = 'event_append' | 'push_match';

/**
 * Upper bounds in seconds: on a healthy database a batch and its commit sit in the first buckets; a
 * stalled WAL flush (a slow disk) lands past 25 ms, and every publish queued behind it waits as long.
 */
const SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
const INPUTS_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128];

interface BatchHistograms {
  seconds: HistogramHandle<'statement'>;
  inputs: HistogramHandle<'statement'>;
}

/** One pair of histograms per registry (an app's), shared by its batchers through the label. */
const histograms = new WeakMap<MetricsRegistry, BatchHistograms>();

/**
 * A StatementBatcher's `observe`: each batched statement's time at the database (commit included)
 * and the inputs it carried, in `gms_db_batched_statement_seconds` / `_inputs`.
 */
export function observeBatches(
  metrics: MetricsRegistry,
  statement: BatchedStatement,
): (inputs: number, seconds: number) => void {
  let h = histograms.get(metrics);
  if (!h) {
    h = {
      seconds: metrics.histogram(
        'gms_db_batched_statement_seconds',
        'Time at the database of a batched statement (several callers, one statement and commit), from sent to answered, by statement',
        ['statement'],
        SECONDS_BUCKETS,
      ),
      inputs: metrics.histogram(
        'gms_db_batched_statement_inputs',
        'Callers served by one batched statement, by statement',
        ['statement'],
        INPUTS_BUCKETS,
      ),
    };
    histograms.set(metrics, h);
  }
  const { seconds, inputs } = h;
  const labels = { statement };
  return (n, s) => {
    seconds.observe(labels, s);
    inputs.observe(labels, n);
  };
}
