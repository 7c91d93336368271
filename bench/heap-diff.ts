/**
 * What a heap holds, by constructor: `node --import tsx bench/heap-diff.ts a.heapsnapshot` lists the
 * largest kinds of object by self size; with a second snapshot and a divisor it lists the growth
 * from the first to the second per unit (e.g. per connection: snapshots written by
 * bench/memory-probe.mjs before and after N subscribers, divided by N).
 *
 *   node --import tsx bench/heap-diff.ts before.heapsnapshot after.heapsnapshot 1000
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

function summary(file: string) {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [iType, iName, iSize] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [
    number,
    number,
    number,
  ];
  const kinds = new Map<string, { size: number; count: number }>();
  let total = 0;
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const type = types[snap.nodes[i + iType] as number] ?? '?';
    const name = snap.strings[snap.nodes[i + iName] as number] ?? '';
    const kind = type.includes('string')
      ? '(string)'
      : type === 'object' || type === 'closure' || type === 'hidden' || type === 'native'
        ? `${type}: ${name.slice(0, 60)}`
        : `(${type})`;
    const size = snap.nodes[i + iSize] as number;
    const k = kinds.get(kind) ?? { size: 0, count: 0 };
    k.size += size;
    k.count++;
    total += size;
    kinds.set(kind, k);
  }
  return { kinds, total };
}

const [first, second, divisor = '1'] = process.argv.slice(2);
if (!first) throw new Error('usage: heap-diff.ts a.heapsnapshot [b.heapsnapshot divisor]');
const a = summary(first);
if (!second) {
  process.stdout.write(`total ${(a.total / 2 ** 20).toFixed(1)} MB\n`);
  for (const [kind, k] of [...a.kinds].sort((x, y) => y[1].size - x[1].size).slice(0, 60))
    process.stdout.write(
      `${(k.size / 1024).toFixed(0).padStart(9)} KB ${String(k.count).padStart(8)}  ${kind}\n`,
    );
} else {
  const b = summary(second);
  const d = Number(divisor);
  process.stdout.write(`growth per unit: ${((b.total - a.total) / d).toFixed(0)} B\n`);
  const rows = [...b.kinds].map(([kind, k]) => {
    const before = a.kinds.get(kind) ?? { size: 0, count: 0 };
    return { kind, size: (k.size - before.size) / d, count: (k.count - before.count) / d };
  });
  for (const r of rows.sort((x, y) => y.size - x.size).slice(0, 50))
    process.stdout.write(`${r.size.toFixed(0).padStart(8)} B ${r.count.toFixed(2).padStart(8)}  ${r.kind}\n`);
}
