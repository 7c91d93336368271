/**
 * Where a V8 CPU profile's time went: self time by function and by package (node_modules/<pkg>,
 * our src/ or dist/ files, node internals, GC, idle).
 *
 *   node --import tsx bench/profile-summary.ts push-all.cpuprofile [--top 40] [--last 6]
 *
 * `--last N`: only the profile's last N seconds (a bench's timed run ends just before the server
 * stops, so this leaves out start-up, provisioning and warm-up).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const file = process.argv[2];
if (!file) throw new Error('usage: profile-summary.ts <file.cpuprofile> [--top N]');
const topIndex = process.argv.indexOf('--top');
const top = topIndex >= 0 ? Number(process.argv[topIndex + 1]) : 40;
const lastIndex = process.argv.indexOf('--last');
const lastUs = lastIndex >= 0 ? Number(process.argv[lastIndex + 1]) * 1e6 : Number.POSITIVE_INFINITY;
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
let total = 0;
const span = profile.timeDeltas.reduce((a, b) => a + b, 0);
let at = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  at += dt;
  if (span - at > lastUs) return;
  self.set(id, (self.get(id) ?? 0) + dt);
  total += dt;
});

function where(url: string, fn: string): string {
  if (fn === '(garbage collector)') return '(gc)';
  if (fn === '(idle)' || fn === '(program)' || fn === '(root)') return fn;
  const pkg = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (pkg) return pkg[1] as string;
  const ours = url.match(/\/(src|dist)\/(.*?)(\.[jt]s)?$/);
  if (ours) return `ours: ${(ours[2] as string).split('/').slice(0, 2).join('/')}`;
  if (url.startsWith('node:')) return url;
  return url ? 'other' : '(native)';
}

const functions = new Map<string, number>();
const packages = new Map<string, number>();
for (const [id, us] of self) {
  const node = byId.get(id);
  if (!node) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const w = where(url, functionName);
  packages.set(w, (packages.get(w) ?? 0) + us);
  const key = `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
  functions.set(key, (functions.get(key) ?? 0) + us);
}
const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
process.stdout.write(`${(total / 1e6).toFixed(2)} s profiled\n\nby package:\n`);
for (const [k, us] of [...packages].sort((a, b) => b[1] - a[1]).slice(0, top))
  process.stdout.write(`${pct(us)}  ${k}\n`);
process.stdout.write('\nby function (self):\n');
for (const [k, us] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, top))
  process.stdout.write(`${pct(us)}  ${k}\n`);
