import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { graphql } from '../../test/gql/index.js';
import { adminAuth, createTestApp, type TestApp } from '../../test/harness.js';
import { createLogger } from '../log/logger.js';
import { MetricsRegistry } from './registry.js';

interface SampleLine {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A strict reader of the Prometheus text format: any line it cannot read fails the test. */
function parseExposition(text: string): { samples: SampleLine[]; types: Map<string, string> } {
  const samples: SampleLine[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      types.set(type[1] as string, type[2] as string);
      continue;
    }
    if (line.startsWith('# HELP ')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not exposition format: ${line}`);
    const labels: Record<string, string> = {};
    const body = m[2] ?? '';
    const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/g;
    let consumed = 0;
    for (let l = re.exec(body); l; l = re.exec(body)) {
      labels[l[1] as string] = (l[2] as string).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      consumed = re.lastIndex;
    }
    if (consumed !== body.length) throw new Error(`bad labels: ${line}`);
    const raw = m[3] as string;
    const value =
      raw === '+Inf' ? Number.POSITIVE_INFINITY : raw === '-Inf' ? Number.NEGATIVE_INFINITY : Number(raw);
    // Prometheus reads values with Go's ParseFloat, which takes NaN in any case (prom-client writes `Nan`).
    if (Number.isNaN(value) && raw.toLowerCase() !== 'nan') throw new Error(`bad value: ${line}`);
    samples.push({ name: m[1] as string, labels, value });
  }
  return { samples, types };
}

/** The value of one series (0 when absent: a counter not yet incremented has no series). */
function seriesValue(samples: SampleLine[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return found.reduce((sum, s) => sum + s.value, 0);
}

async function scrape(t: TestApp, authorization = adminAuth) {
  const res = await t.fetch('/metrics', { headers: { authorization } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parseExposition(await res.text());
}

const Ping = graphql(`
  query MetricsPing {
    serverInfo {
      nodeId
    }
  }
`);

describe('/metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('needs admin credentials by default, and answers only GET/HEAD', async () => {
    const anonymous = await t.fetch('/metrics');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toContain('Bearer');
    const wrong = await t.fetch('/metrics', {
      headers: { authorization: `Basic ${Buffer.from('default:nope').toString('base64')}` },
    });
    expect(wrong.status).toBe(401);
    expect(
      (await t.fetch('/metrics', { headers: { authorization: 'Bearer guessed-token-123456' } })).status,
    ).toBe(401);
    expect(
      (await t.fetch('/metrics', { method: 'POST', headers: { authorization: adminAuth } })).status,
    ).toBe(405);
    await scrape(t);
  });

  it('counts requests by method, route pattern and status, with latency histograms', async () => {
    const before = (await scrape(t)).samples;
    const statusLabels = { method: 'GET', route: '/genesys/1/admin/node/status', status: '200' };
    const changeRoute = '/genesys/1/admin/node/changestatus/:status';
    await t.fetch('/genesys/1/admin/node/status');
    await t.fetch('/genesys/1/admin/node/status');
    const bad = await t.fetch('/genesys/1/admin/node/changestatus/SLEEPING', {
      method: 'POST',
      headers: { authorization: adminAuth },
    });
    expect(bad.status).toBe(400);
    await t.fetch('/no/such/thing/123');
    await t.gql(Ping);

    const { samples, types } = await scrape(t);
    const delta = (name: string, labels: Record<string, string>) =>
      seriesValue(samples, name, labels) - seriesValue(before, name, labels);
    expect(types.get('gms_http_requests_total')).toBe('counter');
    expect(types.get('gms_http_request_duration_seconds')).toBe('histogram');
    expect(delta('gms_http_requests_total', statusLabels)).toBe(2);
    expect(delta('gms_http_request_duration_seconds_count', statusLabels)).toBe(2);
    expect(delta('gms_http_request_duration_seconds_bucket', { ...statusLabels, le: '+Inf' })).toBe(2);
    expect(delta('gms_http_requests_total', { method: 'POST', route: changeRoute, status: '400' })).toBe(1);
    expect(delta('gms_http_requests_total', { route: 'unmatched', status: '404' })).toBe(1);
    expect(delta('gms_http_requests_total', { method: 'POST', route: '/graphql', status: '200' })).toBe(1);
    // Earlier scrapes are counted too, under their own route.
    expect(
      seriesValue(samples, 'gms_http_requests_total', { route: '/metrics', status: '200' }),
    ).toBeGreaterThan(0);
    // Never a raw path: the values from the URLs above appear in no label.
    const routes = new Set(samples.filter((s) => s.labels.route).map((s) => s.labels.route));
    for (const r of routes) expect(r).not.toMatch(/SLEEPING|no\/such|123/);
  });

  it('reports the event bus counters and open subscriptions', async () => {
    const before = (await scrape(t)).samples;
    const sub = t.app.deps.bus.subscribe('node:changed', null);
    await sub.ready;
    await t.app.managers.nodes.heartbeat();
    await sub.next();
    const after = (await scrape(t)).samples;
    const transport = { transport: t.app.deps.bus.kind };
    expect(seriesValue(after, 'gms_pubsub_published_total', transport)).toBeGreaterThan(
      seriesValue(before, 'gms_pubsub_published_total', transport),
    );
    expect(seriesValue(after, 'gms_pubsub_delivered_total', transport)).toBeGreaterThan(
      seriesValue(before, 'gms_pubsub_delivered_total', transport),
    );
    expect(seriesValue(after, 'gms_pubsub_subscriptions')).toBe(
      seriesValue(before, 'gms_pubsub_subscriptions') + 1,
    );
    expect(seriesValue(after, 'gms_pubsub_publish_failures_total', transport)).toBe(0);
    expect(seriesValue(after, 'gms_pubsub_overflows_total', transport)).toBe(0);
    await sub.return();
    expect(seriesValue((await scrape(t)).samples, 'gms_pubsub_subscriptions')).toBe(
      seriesValue(before, 'gms_pubsub_subscriptions'),
    );
  });

  it('times batched statements at the database: an event append, by statement', async () => {
    const before = (await scrape(t)).samples;
    const append = { statement: 'event_append' };
    const user = 'metrics-device';
    const res = await t.fetch('/genesys/1/notification/publish', {
      method: 'POST',
      headers: { gms_user: user, 'content-type': 'application/json' },
      body: JSON.stringify({
        tag: 'metrics.t',
        message: 'm',
        notificationDetails: { deviceId: user, type: 'comet' },
      }),
    });
    expect(res.status).toBe(200);
    const { samples, types } = await scrape(t);
    const delta = (name: string, labels: Record<string, string>) =>
      seriesValue(samples, name, labels) - seriesValue(before, name, labels);
    expect(types.get('gms_db_batched_statement_seconds')).toBe('histogram');
    expect(types.get('gms_db_batched_statement_inputs')).toBe('histogram');
    expect(delta('gms_db_batched_statement_seconds_count', append)).toBe(1);
    expect(delta('gms_db_batched_statement_seconds_bucket', { ...append, le: '+Inf' })).toBe(1);
    expect(delta('gms_db_batched_statement_seconds_sum', append)).toBeGreaterThan(0);
    expect(delta('gms_db_batched_statement_inputs_bucket', { ...append, le: '1' })).toBe(1);
  });

  it('reports process metrics, this node and the cluster', async () => {
    const { samples, types } = await scrape(t);
    expect(types.get('process_cpu_user_seconds_total')).toBe('counter');
    expect(seriesValue(samples, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(seriesValue(samples, 'gms_cluster_nodes', { health: 'up' })).toBe(1);
    expect(seriesValue(samples, 'gms_cluster_nodes', { health: 'down' })).toBe(0);
    expect(seriesValue(samples, 'gms_cluster_nodes_flagged_for_removal')).toBe(0);
    expect(seriesValue(samples, 'gms_node_info', { node_id: String(t.app.deps.node.id) })).toBe(1);
  });

  it('counts GraphQL WebSocket connections and subscriptions', async () => {
    const { url } = await t.app.start({ port: 0, host: '127.0.0.1' });
    const client = createClient({
      url: `${url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: adminAuth },
      retryAttempts: 0,
    });
    const unsubscribe = client.subscribe(
      { query: 'subscription { nodeChanged { id } }' },
      { next: () => {}, error: () => {}, complete: () => {} },
    );
    await vi.waitFor(async () => {
      const { samples } = await scrape(t);
      expect(seriesValue(samples, 'gms_graphql_ws_connections')).toBe(1);
      expect(seriesValue(samples, 'gms_graphql_ws_subscriptions')).toBe(1);
    });
    unsubscribe();
    await client.dispose();
    await vi.waitFor(async () => {
      const { samples } = await scrape(t);
      expect(seriesValue(samples, 'gms_graphql_ws_connections')).toBe(0);
      expect(seriesValue(samples, 'gms_graphql_ws_subscriptions')).toBe(0);
    });
    await t.app.stop();
  });
});

describe('/metrics access settings', () => {
  const apps: TestApp[] = [];
  afterAll(async () => {
    for (const a of apps) await a.close();
  });

  it('accepts METRICS_TOKEN as a bearer token (and still admins)', async () => {
    const t = await createTestApp({ env: { METRICS_TOKEN: 'scrape-only-token-0123456789' } });
    apps.push(t);
    await scrape(t, 'Bearer scrape-only-token-0123456789');
    await scrape(t);
    expect(
      (await t.fetch('/metrics', { headers: { authorization: 'Bearer scrape-only-token-01234567' } })).status,
    ).toBe(401);
  });

  it('serves everyone with METRICS_PUBLIC=true', async () => {
    const t = await createTestApp({ env: { METRICS_PUBLIC: 'true' } });
    apps.push(t);
    expect((await t.fetch('/metrics')).status).toBe(200);
  });
});

describe('MetricsRegistry (the seam modules register gauges on)', () => {
  const logger = createLogger('silent');

  it('computes gauges and counters at scrape time, with labels', async () => {
    const metrics = new MetricsRegistry(logger);
    let queue = [
      { name: 'sales', size: 3 },
      { name: 'support', size: 0 },
    ];
    metrics.registerGauge('gms_test_queue_size', 'Waiting, per queue', ['queue'], () =>
      queue.map((q) => ({ labels: { queue: q.name }, value: q.size })),
    );
    let handled = 5;
    metrics.registerCounter('gms_test_handled_total', 'Handled so far', [], async () => handled);
    const events = metrics.counter('gms_test_events_total', 'Events', ['kind']);
    events.inc({ kind: 'a' });
    events.inc({ kind: 'a' }, 2);

    let { samples, types } = parseExposition((await metrics.render()).body);
    expect(seriesValue(samples, 'gms_test_queue_size', { queue: 'sales' })).toBe(3);
    expect(types.get('gms_test_handled_total')).toBe('counter');
    expect(seriesValue(samples, 'gms_test_handled_total')).toBe(5);
    expect(seriesValue(samples, 'gms_test_events_total', { kind: 'a' })).toBe(3);

    // A label set that disappears from the source disappears from the scrape.
    queue = [{ name: 'sales', size: 1 }];
    handled = 7;
    ({ samples } = parseExposition((await metrics.render()).body));
    expect(seriesValue(samples, 'gms_test_queue_size', { queue: 'sales' })).toBe(1);
    expect(samples.some((s) => s.labels.queue === 'support')).toBe(false);
    expect(seriesValue(samples, 'gms_test_handled_total')).toBe(7);
  });

  it('a failing or hanging collector empties its metric for that scrape, counts the failure, and spares the rest', async () => {
    const metrics = new MetricsRegistry(logger, { collectTimeoutMs: 50 });
    let fail = true;
    metrics.registerGauge('gms_test_flaky', 'Sometimes fails', [], () => {
      if (fail) throw new Error('database gone');
      return 4;
    });
    metrics.registerGauge('gms_test_slow', 'Never answers', [], () => new Promise<number>(() => {}));
    metrics.registerGauge('gms_test_fine', 'Always answers', [], () => 1);
    metrics.registerGauge('gms_test_mislabelled', 'Labels it did not declare', ['queue'], () => [
      { labels: { queue: 'a', session: 'x' } as { queue: string }, value: 1 },
    ]);
    let { samples } = parseExposition((await metrics.render()).body);
    expect(samples.some((s) => s.name === 'gms_test_flaky')).toBe(false);
    expect(samples.some((s) => s.name === 'gms_test_slow')).toBe(false);
    expect(seriesValue(samples, 'gms_test_fine')).toBe(1);
    expect(seriesValue(samples, 'gms_metrics_collect_failures_total', { metric: 'gms_test_flaky' })).toBe(1);
    expect(seriesValue(samples, 'gms_metrics_collect_failures_total', { metric: 'gms_test_slow' })).toBe(1);
    expect(samples.some((s) => s.name === 'gms_test_mislabelled')).toBe(false);
    fail = false;
    ({ samples } = parseExposition((await metrics.render()).body));
    expect(seriesValue(samples, 'gms_test_flaky')).toBe(4);
  });

  it('refuses names outside the gms_ namespace, counters without _total, bad labels and duplicates', () => {
    const metrics = new MetricsRegistry(logger);
    expect(() => metrics.registerGauge('queue_size', 'x', [], () => 1)).toThrow(/gms_ prefix/);
    expect(() => metrics.registerCounter('gms_handled', 'x', [], () => 1)).toThrow(/_total/);
    expect(() => metrics.registerGauge('gms_x', 'x', ['Bad-Label'], () => [])).toThrow(/Label/);
    metrics.registerGauge('gms_once', 'x', [], () => 1);
    expect(() => metrics.registerGauge('gms_once', 'x', [], () => 1)).toThrow(/already registered/);
    expect(() => metrics.histogram('took_seconds', 'x', [], [1])).toThrow(/gms_ prefix/);
    expect(() => metrics.histogram('gms_once', 'x', [], [1])).toThrow(/already registered/);
  });
});
