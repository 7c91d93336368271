/**
 * Routing benchmark: reservations per second with 1,000 queued requests and 100 agents.
 *
 *   node --import tsx bench/routing.ts                      # in-memory PGlite
 *   BENCH_DATABASE_URL=postgres://…/empty_db node --import tsx bench/routing.ts
 *
 * Two figures:
 * - matching pass: all 100 agents become READY at once and one pass pairs them with the oldest
 *   matching requests (repeated over 5 rounds, 500 reservations);
 * - agent cycle: 100 agents work the remaining 500 requests concurrently, each cycle being
 *   accept → complete (READY) → the next reservation, end to end through the manager.
 * Half of the requests target an agent group, half a skill expression.
 */
import { inArray } from 'drizzle-orm';
import { loadConfig } from '../src/config.js';
import { closeDeps, createDeps } from '../src/deps.js';
import { createManagers } from '../src/managers.js';
import { agentsTable } from '../src/modules/routing/routing.tables.js';

const AGENTS = 100;
const REQUESTS = 1000;
const ROUNDS = 5;

async function main() {
  const url = process.env.BENCH_DATABASE_URL ?? 'memory://';
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: url,
    LOG_LEVEL: 'error',
    NODE_NAME: 'bench-routing',
  });
  const deps = await createDeps(config);
  const managers = createManagers(deps);
  const routing = managers.routing;
  try {
    const run = `b${Date.now().toString(36)}`;
    await routing.agents.upsertGroup({ name: `${run}Team` });
    const agents = Array.from({ length: AGENTS }, (_, i) => `${run}-agent${i}`);
    for (const [i, id] of agents.entries())
      await routing.agents.upsert({
        id,
        groups: [`${run}Team`],
        skills: [
          { name: `${run}English`, level: 10 + (i % 20) },
          { name: `${run}Loans`, level: i % 5 },
        ],
      });
    const targets = [`${run}Team@StatServer.GA`, `${run}English=10&${run}Loans=0@StatServer.??`];
    let started = performance.now();
    for (let i = 0; i < REQUESTS; i++)
      await routing.router.enqueue({
        requestId: `${run}-r${i}`,
        virtualQueue: `${run}VQ`,
        target: targets[i % 2] as string,
        priority: i % 10 === 0 ? 1 : 0,
        data: { first_name: 'Bench', index: i },
      });
    const enqueueMs = performance.now() - started;

    const passTimes: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await deps.db
        .update(agentsTable)
        .set({ state: 'READY', readySince: deps.clock.now() })
        .where(inArray(agentsTable.id, agents));
      started = performance.now();
      await routing.runMatching();
      passTimes.push(performance.now() - started);
      const held = await Promise.all(agents.map((a) => routing.currentReservation(a)));
      if (held.some((r) => r === null)) throw new Error(`round ${round}: an agent got no reservation`);
      for (const [i, res] of held.entries()) {
        const agentId = agents[i] as string;
        await routing.acceptReservation(agentId, res?.id ?? 0);
        await routing.completeInteraction(agentId, res?.id ?? 0, 'NOT_READY');
      }
    }

    started = performance.now();
    let cycles = 0;
    await Promise.all(agents.map((a) => routing.setAgentState(a, 'READY')));
    await Promise.all(
      agents.map(async (agentId) => {
        for (;;) {
          const res = await routing.currentReservation(agentId);
          if (!res) return;
          await routing.acceptReservation(agentId, res.id);
          await routing.completeInteraction(agentId, res.id, 'READY');
          cycles++;
        }
      }),
    );
    const cycleMs = performance.now() - started;
    const remaining = await routing.listRequests({ virtualQueue: `${run}VQ`, states: ['WAITING'] });

    const total = passTimes.reduce((a, b) => a + b, 0);
    const fmt = (n: number) => n.toFixed(1);
    const lines = [
      `routing benchmark — ${deps.database.kind}, node ${process.version}, ${AGENTS} agents, ${REQUESTS} requests`,
      `enqueue:        ${REQUESTS} requests in ${fmt(enqueueMs)} ms (${fmt((REQUESTS / enqueueMs) * 1000)}/s, sequential)`,
      `matching pass:  ${ROUNDS} passes × ${AGENTS} reservations, ${passTimes.map(fmt).join(' / ')} ms` +
        ` → ${fmt(((ROUNDS * AGENTS) / total) * 1000)} reservations/s`,
      `agent cycle:    ${cycles} accept→complete→next cycles in ${fmt(cycleMs)} ms` +
        ` → ${fmt((cycles / cycleMs) * 1000)} reservations/s end to end (${remaining.length} left waiting)`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await closeDeps(deps);
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
