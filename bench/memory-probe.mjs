// Preloaded into a bench server (`node --expose-gc --import ./bench/memory-probe.mjs dist/main.js`):
// - SIGUSR2: runs full garbage collections and appends `process.memoryUsage()` as one JSON line to
//   the file named by BENCH_MEMORY_FILE. A bench then reads the live heap rather than RSS, which
//   moves with when V8 last collected. With BENCH_HEAPSNAPSHOT_DIR it also writes a heap snapshot
//   there each time (compare two with bench/heap-diff.ts).
// - SIGWINCH (with BENCH_PROFILE_FILE): starts a V8 CPU profile, and at the next SIGWINCH writes it
//   there, so a profile covers one phase of a bench (e.g. the events, not opening 20,000 sockets),
//   with the garbage collections of that phase (count and milliseconds by kind) in <file>.gc.json.
// Plain JavaScript so that it loads without the tsx loader.
import { appendFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { writeHeapSnapshot } from 'node:v8';

const file = process.env.BENCH_MEMORY_FILE;
const gc = globalThis.gc;
if (file && typeof gc === 'function') {
  process.on('SIGUSR2', () => {
    gc();
    // A second pass after the first one's weak callbacks and finalizers have run.
    setImmediate(() => {
      gc();
      const usage = process.memoryUsage();
      const dir = process.env.BENCH_HEAPSNAPSHOT_DIR;
      if (dir) writeHeapSnapshot(join(dir, `${process.pid}-${Date.now()}.heapsnapshot`));
      appendFileSync(file, `${JSON.stringify(usage)}\n`);
    });
  });
}

const profileFile = process.env.BENCH_PROFILE_FILE;
if (profileFile) {
  let session = null;
  const kinds = {
    [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
    [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
    [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental marking',
    [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks',
  };
  let gcs = {};
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = kinds[entry.detail?.kind] ?? 'other';
      const k = gcs[kind] ?? { count: 0, ms: 0 };
      gcs[kind] = k;
      k.count++;
      k.ms += entry.duration;
    }
  });
  process.on('SIGWINCH', () => {
    if (!session) {
      gcs = {};
      observer.observe({ entryTypes: ['gc'] });
      session = new Session();
      session.connect();
      session.post('Profiler.enable', () => session?.post('Profiler.start'));
      return;
    }
    const running = session;
    session = null;
    observer.disconnect();
    writeFileSync(`${profileFile}.gc.json`, JSON.stringify(gcs));
    running.post('Profiler.stop', (err, result) => {
      if (!err) writeFileSync(profileFile, JSON.stringify(result.profile));
      appendFileSync(`${profileFile}.done`, '1\n');
      running.disconnect();
    });
  });
}
