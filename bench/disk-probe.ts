/**
 * The disk's own sync latency while a bench window runs: writes 8 KB to a file and fdatasyncs it
 * every <interval> ms (synchronously: this is its own process, so nothing else waits), as a
 * database's commit does with its WAL. On exit (stdin closed) prints one JSON line: every sync as
 * [when it began (epoch ms), how long it took (ms)], for the caller to cut to its window.
 *
 * Why: a commit waits for the WAL's flush, and when the disk stalls every commit waits with it,
 * whatever the servers do (2026-12-06: fdatasync calls of PostgreSQL's backends took 60–70 ms at
 * exactly the moments of cross's slowest 1 %, under strace). The push bench runs this beside
 * spread and cross on PostgreSQL so that each run says whether the disk stalled in its window.
 *
 *   node --import tsx bench/disk-probe.ts <file> <interval ms>
 */
import { closeSync, fdatasyncSync, openSync, rmSync, writeSync } from 'node:fs';

const [file, interval] = process.argv.slice(2);
const intervalMs = Number(interval);
if (!file || !(intervalMs > 0)) throw new Error('usage: disk-probe.ts <file> <interval ms>');

const fd = openSync(file, 'w');
const block = Buffer.alloc(8192, 0x5a);
const samples: [at: number, ms: number][] = [];
let offset = 0;

const timer = setInterval(() => {
  const started = performance.now();
  const at = performance.timeOrigin + started;
  // Alternate two blocks, as WAL writes move on: each sync has a dirty page to flush.
  writeSync(fd, block, 0, block.length, offset);
  offset = offset === 0 ? block.length : 0;
  fdatasyncSync(fd);
  samples.push([Math.round(at), Math.round((performance.now() - started) * 100) / 100]);
}, intervalMs);

process.stdin.resume();
process.stdin.on('end', () => {
  clearInterval(timer);
  closeSync(fd);
  rmSync(file, { force: true });
  process.stdout.write(`${JSON.stringify({ samples })}\n`);
});
