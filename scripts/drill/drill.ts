/**
 * The fault drill (`npm run drill`; `npm run drill -- --short` in CI): starts a private PostgreSQL
 * and Redis, 2–3 instances and HAProxy on loopback, drives mixed legacy + GraphQL + CometD traffic
 * through HAProxy, and injects faults one after another — Redis killed, PostgreSQL stopped and
 * started, an instance SIGKILLed under load, a CometD device that vanishes and comes back, and a
 * slow CometD consumer throughout — then
 * prints, per phase, requests sent / acknowledged / 5xx / unanswered, recovery times, and what was
 * lost: acknowledged writes missing from PostgreSQL, acknowledged pushes never delivered.
 * Exit status 0 when nothing acknowledged was lost and no 5xx other than 502/503/504 was seen.
 * See RELIABILITY.md for the figures.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { adminAuthorization, type Cluster, missingTools, startCluster } from './cluster.js';
import { Device, Load, SERVICE, VanishingDevice } from './load.js';

const short = process.argv.includes('--short');
// --trace: the instances log their CometD traffic (COMETD_LOG_LEVEL=debug), the devices their meta
// channels, and the logs are kept (their directory is printed).
const trace = process.argv.includes('--trace');
const plan = short
  ? {
      instances: 2,
      concurrency: 6,
      devices: 4,
      baseline: 4_000,
      redisDown: 4_000,
      pgDown: 3_000,
      after: 3_000,
      killed: 5_000,
    }
  : {
      instances: 3,
      concurrency: 10,
      devices: 8,
      baseline: 10_000,
      redisDown: 10_000,
      pgDown: 8_000,
      after: 6_000,
      killed: 10_000,
    };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (line: string) => process.stdout.write(`${new Date().toISOString().slice(11, 23)} ${line}\n`);

/** Polls `probe` every 50 ms until it holds; the time it took (ms), or null after `timeoutMs`. */
async function timeUntil(probe: () => Promise<boolean>, timeoutMs: number): Promise<number | null> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (await probe().catch(() => false)) return Math.round(performance.now() - started);
    await sleep(50);
  }
  return null;
}

async function status(url: string, init?: RequestInit): Promise<number> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5_000) });
  await res.arrayBuffer();
  return res.status;
}

/** The instance HAProxy sends this host's CometD traffic to (its `x-drill-server` header), or null. */
async function cometdInstance(cluster: Cluster): Promise<string | null> {
  const res = await fetch(`${cluster.url}/genesys/cometd`, { signal: AbortSignal.timeout(5_000) }).catch(
    () => null,
  );
  await res?.arrayBuffer();
  return res?.headers.get('x-drill-server') ?? null;
}

/** Every instance's /readyz, sampled until `stop`; the slowest answer (ms). */
function sampleReadiness(cluster: Cluster, stop: { done: boolean }): Promise<number> {
  return (async () => {
    let slowest = 0;
    while (!stop.done) {
      await Promise.all(
        cluster.instances
          .filter((i) => i.process?.exitCode === null && i.process.signalCode === null)
          .map(async (i) => {
            const started = performance.now();
            await status(`${i.url}/readyz`).catch(() => 0);
            slowest = Math.max(slowest, performance.now() - started);
          }),
      );
      await sleep(200);
    }
    return Math.round(slowest);
  })();
}

/**
 * Sorts the acknowledged pushes that never arrived by what their event-store row says: a direct
 * push lives NOTIFICATION_EXPIRE_SECONDS (30 s), so one that expired while the vanishing device was
 * away was never due to it (by design, not lost); anything else — no row, expired while a client
 * of its device was connected, or live in the store and never received — is lost.
 */
async function explainMissing(
  sql: postgres.Sql,
  missing: Map<string, string[]>,
  away: { device: string; vanishedAt: Date | null; returnedAt: Date | null },
): Promise<{ lost: number; expiredAway: number; lines: string[] }> {
  const devices = [...missing.keys()];
  const tags = [...missing.values()].flat();
  if (tags.length === 0) return { lost: 0, expiredAway: 0, lines: [] };
  const rows = await sql<{ gms_user: string; tag: string; created_at: Date; expires_at: Date }[]>`
    select gms_user, tag, created_at, expires_at from session_events
    where gms_user = any(${devices}) and tag = any(${tags})`;
  const row = new Map(rows.map((r) => [`${r.gms_user} ${r.tag}`, r]));
  const at = (d: Date) => d.toISOString().slice(11, 23);
  let lost = 0;
  let expiredAway = 0;
  const lines: string[] = [];
  for (const [device, list] of missing) {
    const kinds = new Map<string, string[]>();
    for (const tag of list) {
      const r = row.get(`${device} ${tag}`);
      const kind = !r
        ? 'not in the event store'
        : device === away.device && away.returnedAt && r.expires_at <= away.returnedAt
          ? 'expired while the device was away'
          : r.expires_at <= new Date()
            ? 'expired undelivered'
            : 'in the store, never received';
      if (kind === 'expired while the device was away') expiredAway++;
      else lost++;
      kinds.set(kind, [...(kinds.get(kind) ?? []), `${tag}@${r ? at(r.created_at) : '?'}`]);
    }
    for (const [kind, examples] of kinds)
      lines.push(
        `${device}: ${examples.length} of its pushes ${kind} (e.g. ${examples.slice(0, 4).join(', ')})`,
      );
  }
  if (away.vanishedAt && away.returnedAt)
    lines.push(
      `${away.device} was away from ${at(away.vanishedAt)} to ${at(away.returnedAt)} (${Math.round((away.returnedAt.getTime() - away.vanishedAt.getTime()) / 100) / 10} s)`,
    );
  return { lost, expiredAway, lines };
}

async function main(): Promise<number> {
  const missing = missingTools();
  if (missing) {
    log(`drill: cannot run (${missing})`);
    return 2;
  }
  const startedAt = performance.now();
  log(
    `drill (${short ? 'short' : 'full'}): starting PostgreSQL, Redis, ${plan.instances} instances and HAProxy`,
  );
  let logDir = '';
  const cluster = await startCluster({
    instances: plan.instances,
    keepLogs: trace,
    env: trace ? { COMETD_LOG_LEVEL: 'debug' } : {},
  });
  const recovery: Record<string, number | null> = {};
  let lost = { sessions: 0, storage: 0, pushes: 0, duplicates: 0 };
  let expiredAway = 0;
  let load: Load | null = null;
  const devices: Device[] = [];
  let vanisher: VanishingDevice | null = null;
  let slowDevice: VanishingDevice | null = null;
  try {
    logDir = cluster.logDir;
    log(`cluster up in ${Math.round((performance.now() - startedAt) / 1000)} s (logs: ${cluster.logDir})`);
    const created = await status(`${cluster.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: adminAuthorization },
      body: JSON.stringify({
        query: `mutation { createService(input: { name: "${SERVICE}", options: [{ name: "_type", value: "builtin" }, { name: "_service", value: "drill" }, { name: "_ttl", value: "3600" }] }) { __typename } }`,
      }),
    });
    if (created !== 200) throw new Error(`creating the drill service answered ${created}`);

    Device.adapt();
    const names = Array.from({ length: plan.devices }, (_, i) => `drill-device-${i}`);
    // Device 1 is a slow consumer for the whole drill: plain long-polling, 3 s between polls.
    const slow = new VanishingDevice(cluster.url, names[1] ?? 'drill-device-1', new Map(), 3_000);
    await slow.connect();
    slowDevice = slow;
    for (const name of names.slice(2)) {
      const d = new Device(cluster.url, name);
      await d.connect();
      devices.push(d);
    }
    // Device 0 starts on plain long-polling and vanishes during the Redis phase.
    const vanishing = new Device(cluster.url, names[0] ?? 'drill-device-0');
    vanisher = new VanishingDevice(cluster.url, vanishing.gmsUser, vanishing.received);
    const returning = { device: vanishing, plain: vanisher };
    await vanisher.connect();

    load = new Load(cluster.url, names);
    load.phase = '1 baseline';
    load.start(plan.concurrency);
    await sleep(plan.baseline);

    load.phase = '2 redis down';
    log('fault: Redis killed; device 0 vanishes (no disconnect)');
    vanisher.vanish();
    await cluster.redis.stop();
    await sleep(plan.redisDown);
    await cluster.redis.start();
    load.phase = '3 redis back';
    await sleep(plan.after);

    load.phase = '4 postgres down';
    log('fault: PostgreSQL stopped');
    const stopSampling = { done: false };
    const readyzSlowest = sampleReadiness(cluster, stopSampling);
    await cluster.pg.stop('fast');
    await sleep(plan.pgDown);
    const restarted = performance.now();
    await cluster.pg.start();
    const pgUp = Math.round(performance.now() - restarted);
    load.phase = '5 postgres back';
    // Recovery: from PostgreSQL accepting connections again to the first write acknowledged through HAProxy.
    recovery['postgres → instance ready'] = await timeUntil(
      async () =>
        (await Promise.all(cluster.instances.map((i) => status(`${i.url}/readyz`)))).every((s) => s === 200),
      30_000,
    );
    recovery['postgres → write via haproxy'] = await timeUntil(
      async () =>
        (await status(`${cluster.url}/genesys/1/storage/60`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'probe=1',
        })) === 200,
      30_000,
    );
    stopSampling.done = true;
    recovery['readyz slowest answer while postgres was down'] = await readyzSlowest;
    log(`PostgreSQL took ${pgUp} ms to start again`);
    await sleep(plan.after);

    load.phase = '6 instance SIGKILL';
    // The instance the CometD devices are on (HAProxy keeps them on one by source address), so the
    // kill also fails every device over to another instance (and, in the full form, back).
    const cometdOn = await cometdInstance(cluster);
    const victim = cluster.instances.find((i) => i.name === cometdOn) ?? cluster.instances.at(-1);
    log(
      `fault: ${victim?.name} (${victim?.name === cometdOn ? 'the CometD devices’ instance' : 'CometD devices elsewhere'}) killed with SIGKILL under load; device 0 comes back`,
    );
    victim?.kill('SIGKILL');
    await vanishing.connect();
    devices.push(vanishing);
    await sleep(plan.killed);
    if (!short && victim) {
      load.phase = '7 instance restarted';
      const t0 = performance.now();
      await victim.start();
      recovery['killed instance restart → ready'] = Math.round(performance.now() - t0);
      await sleep(plan.after);
    }
    await load.stop();

    // Settle: every acknowledged push should reach its device (CometD reconnects, replays).
    const receivedBy = (device: string) =>
      device === slowDevice?.gmsUser
        ? slowDevice.received
        : devices.find((d) => d.gmsUser === device)?.received;
    const undelivered = () => {
      const missing = new Map<string, string[]>();
      for (const [device, tags] of load?.pushes ?? []) {
        const got = receivedBy(device);
        const tagsMissing = [...tags].filter((t) => !got?.has(t));
        if (tagsMissing.length) missing.set(device, tagsMissing);
      }
      return missing;
    };
    const away = {
      device: returning.device.gmsUser,
      vanishedAt: returning.plain.vanishedAt,
      returnedAt: returning.device.connectedAt,
    };
    const sql = postgres(cluster.pg.url, { max: 1, onnotice: () => {} });
    try {
      // Settled: every push has arrived but those that expired while their device was away.
      recovery['pushes settled after load stopped'] = await timeUntil(async () => {
        const missing = undelivered();
        return missing.size === 0 || (await explainMissing(sql, missing, away)).lost === 0;
      }, 30_000);
      for (const got of [
        ...devices.map((d) => d.received),
        slowDevice?.received ?? new Map<string, number>(),
      ])
        for (const count of got.values()) if (count > 1) lost.duplicates++;

      // Every acknowledged write must be in PostgreSQL.
      const sessions = await sql<{ id: string }[]>`select id from sessions where id = any(${load.sessions})`;
      const storage = await sql<
        { id: string }[]
      >`select id from storage_entries where id = any(${load.storage})`;
      lost = {
        ...lost,
        sessions: load.sessions.length - sessions.length,
        storage: load.storage.length - storage.length,
      };
      // Why each acknowledged push did not arrive, from its row in the event store.
      const why = await explainMissing(sql, undelivered(), away);
      lost.pushes = why.lost;
      expiredAway = why.expiredAway;
      for (const line of why.lines) log(`  ${line}`);
    } finally {
      await sql.end({ timeout: 1 });
    }
    if (trace) {
      const lines = [...returning.plain.trace, ...slow.trace, ...devices.flatMap((d) => d.trace)].sort();
      writeFileSync(join(cluster.logDir, 'devices.log'), `${lines.join('\n')}\n`);
    }
  } finally {
    await load?.stop();
    for (const d of devices) await d.close().catch(() => {});
    vanisher?.destroy();
    slowDevice?.destroy();
    await cluster.destroy();
  }

  // The report.
  const rows = [...(load?.stats ?? new Map())].map(([phase, s]) => ({
    phase,
    ...s,
    maxMs: Math.round(s.maxMs),
  }));
  const total = rows.reduce(
    (t, r) => ({
      sent: t.sent + r.sent,
      acknowledged: t.acknowledged + r.acknowledged,
      serverErrors: t.serverErrors + r.serverErrors,
      otherServerErrors: t.otherServerErrors + r.otherServerErrors,
      noAnswer: t.noAnswer + r.noAnswer,
      clientErrors: t.clientErrors + r.clientErrors,
    }),
    { sent: 0, acknowledged: 0, serverErrors: 0, otherServerErrors: 0, noAnswer: 0, clientErrors: 0 },
  );
  const pushesAcked = [...(load?.pushes.values() ?? [])].reduce((n, s) => n + s.size, 0);
  console.log(
    `\nDrill (${short ? 'short' : 'full'}), ${plan.instances} instances behind HAProxy, ${plan.concurrency} concurrent clients, ${plan.devices} CometD devices; ${os.cpus().length} cores, load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(
    '\n| phase | sent | acknowledged | 5xx (502/503/504) | other 5xx | no answer | 4xx | slowest ms |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows)
    console.log(
      `| ${r.phase} | ${r.sent} | ${r.acknowledged} | ${r.serverErrors - r.otherServerErrors} | ${r.otherServerErrors} | ${r.noAnswer} | ${r.clientErrors} | ${r.maxMs} |`,
    );
  console.log(
    `| **total** | ${total.sent} | ${total.acknowledged} | ${total.serverErrors - total.otherServerErrors} | ${total.otherServerErrors} | ${total.noAnswer} | ${total.clientErrors} | |`,
  );
  console.log('\nRecovery (ms):');
  for (const [k, v] of Object.entries(recovery)) console.log(`  ${k}: ${v ?? 'not within 30 s'}`);
  console.log(
    `\nAcknowledged writes: ${load?.sessions.length ?? 0} sessions, ${load?.storage.length ?? 0} storage areas, ${pushesAcked} pushes`,
  );
  console.log(
    `Lost: ${lost.sessions} sessions, ${lost.storage} storage areas, ${lost.pushes} pushes (pushes delivered twice: ${lost.duplicates}; expired while their device was away, by design: ${expiredAway})`,
  );
  if (trace) console.log(`Logs (CometD traffic at debug, devices.log): ${logDir}`);
  for (const sample of load?.statusSamples ?? []) console.log(`  sample: ${sample}`);
  const ok = lost.sessions + lost.storage + lost.pushes === 0 && total.otherServerErrors === 0;
  console.log(
    `\ndrill: ${ok ? 'passed' : 'FAILED'} in ${Math.round((performance.now() - startedAt) / 1000)} s`,
  );
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('drill: failed to run', err);
    process.exit(1);
  },
);
