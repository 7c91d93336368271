// Preloaded into a bench server (`node --expose-gc --import ./bench/memory-probe.mjs dist/main.js`):
// - SIGUSR2: runs full garbage collections and appends `process.memoryUsage()` as one JSON line to
//   the file named by BENCH_MEMORY_FILE. A bench then reads the live heap rather than RSS, which
//   moves with when V8 last collected. With BENCH_HEAPSNAPSHOT_DIR it also writes a heap snapshot
//   there each time (compare two with bench/heap-diff.ts).
// - SIGWINCH (with BENCH_STATS_FILE and/or BENCH_PROFILE_FILE): starts a phase of a bench (e.g. the
//   events, not opening 20,000 sockets), and the next SIGWINCH ends it: one JSON line appended to
//   BENCH_STATS_FILE (GC count, milliseconds and longest pause by kind, pauses over 20 ms, the event
//   loop's delay p50/p99/max), and with BENCH_PROFILE_FILE a V8 CPU profile of the phase written
//   there (its GC tally in <file>.gc.json).
// BENCH_ALLOC_PROFILE=1 with BENCH_PROFILE_FILE: also a sampling heap profile of the phase's
// allocations (collected objects included) beside it, <file>.heapprofile; `live`: only objects still
// live at the end; `survivors`: only objects that outlived a scavenge (what scavenges copy).
// Plain JavaScript so that it loads without the tsx loader.
import { appendFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
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
const statsFile = process.env.BENCH_STATS_FILE;
if (profileFile || statsFile) {
  let session = null;
  let phase = null;
  const kinds = {
    [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
    [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
    [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental marking',
    [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks',
  };
  let gcs = {};
  // Pauses over 20 ms (BENCH_LONG_PAUSE_MS), with when they happened (ms since the phase began): a
  // delivery tail lines up with them or not.
  const longPauseMs = Number(process.env.BENCH_LONG_PAUSE_MS ?? 20);
  let longPauses = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      // Entries are delivered after the fact: a collection that began before the phase (the forced
      // full GC of a memory reading just before it) is not the phase's.
      if (!phase || entry.startTime < phase.startedAt) continue;
      const kind = kinds[entry.detail?.kind] ?? 'other';
      const k = gcs[kind] ?? { count: 0, ms: 0, maxMs: 0 };
      gcs[kind] = k;
      k.count++;
      k.ms += entry.duration;
      k.maxMs = Math.max(k.maxMs, entry.duration);
      if (entry.duration > longPauseMs)
        longPauses.push({
          at: Math.round(entry.startTime - phase.startedAt),
          kind,
          ms: Math.round(entry.duration),
        });
    }
  });
  // SIGWINCH starts a phase (a bench's events) and the next one ends it: GC by kind, pauses over
  // 20 ms, the event loop's delay (monitorEventLoopDelay), and with BENCH_PROFILE_FILE a CPU profile.
  process.on('SIGWINCH', () => {
    if (!phase) {
      gcs = {};
      longPauses = [];
      const loop = monitorEventLoopDelay({ resolution: 5 });
      loop.enable();
      phase = { startedAt: performance.now(), loop };
      observer.observe({ entryTypes: ['gc'] });
      if (profileFile) {
        session = new Session();
        session.connect();
        session.post('Profiler.enable', () => session?.post('Profiler.start'));
        // Where the phase allocates (what drives scavenges), collected objects included.
        if (process.env.BENCH_ALLOC_PROFILE)
          session.post('HeapProfiler.startSampling', {
            samplingInterval: 16384,
            // `survivors`: only what outlived a scavenge (what the scavenges copy and promote).
            includeObjectsCollectedByMajorGC: process.env.BENCH_ALLOC_PROFILE !== 'live',
            includeObjectsCollectedByMinorGC: !['live', 'survivors'].includes(
              process.env.BENCH_ALLOC_PROFILE,
            ),
          });
      }
      return;
    }
    const { loop, startedAt } = phase;
    phase = null;
    loop.disable();
    observer.disconnect();
    const ms = (ns) => Math.round(ns / 1e4) / 100;
    const stats = {
      seconds: Math.round(performance.now() - startedAt) / 1000,
      gc: gcs,
      longPauses,
      loopDelayMs: { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) },
    };
    if (statsFile) appendFileSync(statsFile, `${JSON.stringify(stats)}\n`);
    if (!profileFile) return;
    writeFileSync(`${profileFile}.gc.json`, JSON.stringify(gcs));
    const running = session;
    session = null;
    const stopCpu = () =>
      running.post('Profiler.stop', (err, result) => {
        if (!err) writeFileSync(profileFile, JSON.stringify(result.profile));
        appendFileSync(`${profileFile}.done`, '1\n');
        running.disconnect();
      });
    if (!process.env.BENCH_ALLOC_PROFILE) return stopCpu();
    running.post('HeapProfiler.stopSampling', (err, result) => {
      if (!err)
        writeFileSync(profileFile.replace(/\.cpuprofile$/, '.heapprofile'), JSON.stringify(result.profile));
      stopCpu();
    });
  });
}
