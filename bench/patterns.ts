/**
 * Pattern groups under adversarial input (reliability test R2): how long a public test of a stored
 * ReDoS-shaped pattern takes against 50,000 characters, engine alone and end to end through
 * `POST /genesys/1/patterns/group/{name}` (in-memory PGlite), with the event-loop delay meanwhile.
 * For scale, V8's backtracking RegExp on the same pattern with a few dozen characters.
 *
 *   node --import tsx bench/patterns.ts [rounds]
 *
 * Prints figures only; correctness is asserted by the test suite, not here.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { closeDeps, createDeps } from '../src/deps.js';
import { compilePatterns } from '../src/modules/pattern/pattern.regex.js';

const rounds = Number(process.argv[2] ?? 200);
const adversarial = `${'a'.repeat(50_000)}!`;
const redos = [
  { name: 'nested', regex: '(a+)+$' },
  { name: 'alternation', regex: '^(a|a)*$' },
  { name: 'digits', regex: '^\\d+\\d+$' },
];

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const ms = (n: number) => `${n.toFixed(2)} ms`;

/** Times `rounds` runs after a warm-up (JIT, DFA state cache), yielding to the event loop between runs. */
async function time(run: () => unknown | Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 20; i++) await run();
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    // Lets timers run between requests, as on a live server, so the loop-delay monitor samples.
    await new Promise((resolve) => setImmediate(resolve));
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  return samples;
}

function report(label: string, samples: number[]): void {
  console.log(
    `${label.padEnd(48)} p50 ${ms(percentile(samples, 50)).padStart(10)}  p99 ${ms(percentile(samples, 99)).padStart(10)}  max ${ms(Math.max(...samples)).padStart(10)}`,
  );
}

async function main(): Promise<void> {
  console.log(`Pattern groups, ${rounds} rounds, value = 50,000 × 'a' + '!'\n`);

  const compiled = compilePatterns(redos.map((p) => p.regex));
  if (compiled.matching(adversarial).length !== 0) throw new Error('the adversarial value must not match');
  report('engine: one pass over the compiled group', await time(() => compiled.matching(adversarial)));

  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: 'memory://', LOG_LEVEL: 'silent' });
  const deps = await createDeps(config);
  const app = await buildApp(deps);
  try {
    await app.managers.patterns.createGroup('redos', redos);
    const body = new URLSearchParams({ value: adversarial }).toString();
    const post = async () => {
      const res = await app.fetch(
        new Request('http://bench/genesys/1/patterns/group/redos', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body,
        }),
      );
      const answer = await res.text();
      if (res.status !== 200 || answer !== '{}') throw new Error(`unexpected answer ${res.status} ${answer}`);
    };
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    const samples = await time(post);
    loop.disable();
    report('end to end: POST /genesys/1/patterns/group/redos', samples);
    console.log(
      `${'event-loop delay during the end-to-end run'.padEnd(48)} p50 ${ms(loop.percentile(50) / 1e6).padStart(10)}  p99 ${ms(loop.percentile(99) / 1e6).padStart(10)}  max ${ms(loop.max / 1e6).padStart(10)}`,
    );
  } finally {
    await app.stop();
    await closeDeps(deps);
  }

  console.log("\nFor scale, V8's backtracking RegExp /(a+)+$/ (never used by the server):");
  const v8 = /(a+)+$/;
  for (const n of [18, 20, 22, 24]) {
    const value = `${'a'.repeat(n)}!`;
    const started = performance.now();
    v8.test(value);
    console.log(`  ${String(n).padStart(2)} × 'a' + '!'  ${ms(performance.now() - started).padStart(10)}`);
  }
  console.log('  (the time roughly doubles with each extra character: 50,000 would never finish)');
}

await main();
