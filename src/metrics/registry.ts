import { Counter, collectDefaultMetrics, Histogram, type Metric, Registry } from 'prom-client';
import type { Logger } from '../log/logger.js';

/** One labelled value of a metric computed at scrape time. */
export interface Sample<L extends string = string> {
  labels: Record<L, string | number>;
  value: number;
}

/** Computes a metric when Prometheus scrapes: a bare number for an unlabelled metric, else samples. */
export type Collect<L extends string = string> = () => number | Sample<L>[] | Promise<number | Sample<L>[]>;

/** A counter a module increments as things happen (the counter lives in this instance's memory). */
export interface CounterHandle<L extends string = string> {
  inc(labels?: Record<L, string | number>, by?: number): void;
}

/** A histogram a module observes as things happen (kept in this instance's memory). */
export interface HistogramHandle<L extends string = string> {
  observe(labels: Record<L, string | number>, value: number): void;
}

/** A collector slower than this is skipped for that scrape (Prometheus times out at 10 s by default). */
export const COLLECT_TIMEOUT_MS = 3_000;

const METRIC_NAME = /^gms_[a-z][a-z0-9_]*$/;
const LABEL_NAME = /^[a-z][a-z0-9_]*$/;

let processRegistry: Registry | null = null;

/**
 * Process metrics (CPU, memory, event loop, GC) belong to the process, not to one app: they are
 * collected once into a process-wide registry, so several apps in one process (tests) share them
 * instead of each starting its own event-loop monitor.
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * This instance's Prometheus metrics. Modules register what they know in their manager's
 * constructor (`deps.metrics`):
 *
 *   deps.metrics.registerGauge('gms_callback_queue_size', 'Callbacks waiting, per queue', ['queue'],
 *     async () => (await this.queueSizes()).map((q) => ({ labels: { queue: q.name }, value: q.size })));
 *
 * Collectors run on every scrape; one that throws or takes longer than COLLECT_TIMEOUT_MS leaves
 * its metric empty for that scrape (and counts in gms_metrics_collect_failures_total) instead of
 * failing the whole scrape.
 */
export class MetricsRegistry {
  /** The underlying prom-client registry; src/metrics uses it for the HTTP metrics, modules should not. */
  readonly registry = new Registry();
  private readonly collectFailures: Counter<'metric'>;

  private readonly collectTimeoutMs: number;
  /** Run every scrape-time collector, before rendering (so their failures show in the same scrape). */
  private readonly refreshers: (() => Promise<void>)[] = [];

  constructor(
    private readonly logger: Logger,
    options: { collectTimeoutMs?: number } = {},
  ) {
    this.collectTimeoutMs = options.collectTimeoutMs ?? COLLECT_TIMEOUT_MS;
    processMetrics();
    this.collectFailures = new Counter({
      name: 'gms_metrics_collect_failures_total',
      help: 'Scrape-time collectors that threw or timed out, by metric',
      labelNames: ['metric'],
      registers: [this.registry],
    });
  }

  /** A value read at scrape time that can go up and down (queue sizes, open sessions, pool usage). */
  registerGauge<L extends string = never>(
    name: string,
    help: string,
    labelNames: readonly L[],
    collect: Collect<L>,
  ): void {
    this.check(name, labelNames);
    this.registerScrapeTime(name, help, 'gauge', labelNames, collect);
  }

  /**
   * A cumulative count kept elsewhere (e.g. the event bus's own counters), read at scrape time and
   * exposed with the counter type. The name must end in `_total`.
   */
  registerCounter<L extends string = never>(
    name: string,
    help: string,
    labelNames: readonly L[],
    collect: Collect<L>,
  ): void {
    this.check(name, labelNames, true);
    this.registerScrapeTime(name, help, 'counter', labelNames, collect);
  }

  /** A counter incremented as events happen in this instance. The name must end in `_total`. */
  counter<L extends string = never>(name: string, help: string, labelNames: readonly L[]): CounterHandle<L> {
    this.check(name, labelNames, true);
    const counter = new Counter<L>({ name, help, labelNames, registers: [this.registry] });
    return {
      inc: (labels, by = 1) => (labels ? counter.inc(labels, by) : counter.inc(by)),
    };
  }

  /**
   * A distribution observed as things happen (durations in seconds, sizes), with the given upper
   * bounds of its buckets. The name ends in its unit (`_seconds`) or says what it counts.
   */
  histogram<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    buckets: readonly number[],
  ): HistogramHandle<L> {
    this.check(name, labelNames);
    const histogram = new Histogram<L>({
      name,
      help,
      labelNames,
      buckets: [...buckets],
      registers: [this.registry],
    });
    return { observe: (labels, value) => histogram.observe(labels, value) };
  }

  /** The Prometheus text exposition: process metrics, then this instance's. */
  async render(): Promise<{ contentType: string; body: string }> {
    await Promise.all(this.refreshers.map((refresh) => refresh()));
    const [processText, own] = await Promise.all([processMetrics().metrics(), this.registry.metrics()]);
    return { contentType: this.registry.contentType, body: `${processText}\n${own}` };
  }

  private check(name: string, labelNames: readonly string[], counter = false): void {
    if (!METRIC_NAME.test(name))
      throw new Error(`Metric name '${name}' must match ${METRIC_NAME} (lower case, gms_ prefix)`);
    if (counter && !name.endsWith('_total')) throw new Error(`Counter '${name}' must end in _total`);
    for (const label of labelNames)
      if (!LABEL_NAME.test(label)) throw new Error(`Label '${label}' of ${name} must match ${LABEL_NAME}`);
    if (this.registry.getSingleMetric(name)) throw new Error(`Metric '${name}' is already registered`);
  }

  /**
   * prom-client's own Gauge shows an unlabelled metric as 0 after a reset; a collector that failed
   * must show nothing instead (0 queued callbacks is a claim). So scrape-time metrics are plain
   * objects with the `get()` the registry reads, filled by `render()` before it renders.
   */
  private registerScrapeTime<L extends string>(
    name: string,
    help: string,
    type: 'gauge' | 'counter',
    labelNames: readonly L[],
    collect: Collect<L>,
  ): void {
    let values: Sample<L>[] = [];
    const metric = {
      name,
      help,
      type,
      aggregator: 'sum',
      get: async () => ({ name, help, type, aggregator: 'sum', values }),
      reset: () => {
        values = [];
      },
    };
    // The registry only calls get() and reset(); its parameter type names prom-client's classes.
    this.registry.registerMetric(metric as unknown as Metric);
    this.refreshers.push(async () => {
      values = await this.samples(name, labelNames, collect);
    });
  }

  /** Runs one collector; a failure gives no samples for this scrape, never fails the scrape. */
  private async samples<L extends string>(
    name: string,
    labelNames: readonly L[],
    collect: Collect<L>,
  ): Promise<Sample<L>[]> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`collector took longer than ${this.collectTimeoutMs} ms`)),
          this.collectTimeoutMs,
        );
      });
      const result = await Promise.race([Promise.resolve().then(collect), timeout]);
      const samples =
        typeof result === 'number' ? [{ labels: {} as Record<L, string>, value: result }] : result;
      const declared = new Set<string>(labelNames);
      for (const s of samples) {
        if (typeof s.value !== 'number')
          throw new Error(`collector returned a non-number: ${String(s.value)}`);
        const keys = Object.keys(s.labels);
        if (keys.length !== declared.size || keys.some((k) => !declared.has(k)))
          throw new Error(
            `collector returned labels {${keys.join(',')}}, declared {${labelNames.join(',')}}`,
          );
      }
      return samples;
    } catch (err) {
      this.collectFailures.inc({ metric: name });
      this.logger.warn('metrics collector failed', { metric: name, err });
      return [];
    } finally {
      clearTimeout(timer);
    }
  }
}
