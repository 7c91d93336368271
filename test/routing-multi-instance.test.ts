import { randomUUID } from 'node:crypto';
import { count, eq, isNull, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestsTable, reservationsTable } from '../src/modules/routing/routing.tables.js';
import { backend, createTestApp, createTestDatabase, type TestApp, type TestDatabase } from './harness.js';

/**
 * Two app instances on one Postgres, both pairing agents and requests at once. Row locks (FOR
 * UPDATE SKIP LOCKED, state on the locked rows) must keep every agent and every request in at
 * most one open reservation; a pass that ran into the unique-index backstop would fail and be
 * logged, so the test also requires that no pass failed.
 */
describe.skipIf(backend !== 'postgres')('routing across two instances', () => {
  let database: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  const failures: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    const namespace = `rt${randomUUID().slice(0, 8)}`;
    a = await createTestApp({ database, namespace });
    b = await createTestApp({ database, namespace, clock: a.clock });
    for (const app of [a, b]) {
      const logger = app.app.deps.logger;
      const original = logger.error.bind(logger);
      logger.error = (msg, fields) => {
        failures.push(`${msg}: ${String((fields?.err as Error | undefined)?.message ?? '')}`);
        original(msg, fields);
      };
    }
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await database?.drop();
  });

  it('never reserves one agent or one request twice while both instances hammer the queue', async () => {
    const AGENTS = 40;
    const REQUESTS = 200;
    const ra = a.app.managers.routing;
    const rb = b.app.managers.routing;
    await ra.agents.upsertGroup({ name: 'Hammer' });
    const agents = Array.from({ length: AGENTS }, (_, i) => `h${i}`);
    for (const id of agents) await ra.agents.upsert({ id, groups: ['Hammer'] });
    const target = 'Hammer@StatServer.GA';

    // Phase 1: arrivals, agents becoming ready and ticks, interleaved across both instances.
    await Promise.all([
      ...Array.from({ length: REQUESTS }, (_, i) =>
        (i % 2 ? ra : rb).router.enqueue({ requestId: `hr${i}`, virtualQueue: 'VQ_Hammer', target }),
      ),
      ...agents.map((id, i) => (i % 2 ? rb : ra).setAgentState(id, 'READY')),
      ...Array.from({ length: 10 }, (_, i) => (i % 2 ? ra : rb).tick()),
    ]);
    await Promise.all([ra.tick(), rb.tick()]);

    const db = a.app.deps.db;
    const open = await db.select().from(reservationsTable).where(isNull(reservationsTable.endedAt));
    expect(open).toHaveLength(AGENTS);
    expect(new Set(open.map((r) => r.agentId)).size).toBe(AGENTS);
    expect(new Set(open.map((r) => r.requestSeq)).size).toBe(AGENTS);
    const [everReserved] = await db.select({ n: count() }).from(reservationsTable);
    expect(everReserved?.n).toBe(AGENTS);

    // Phase 2: every agent with a reservation accepts and completes it, on either instance, in
    // parallel, so that both instances run matching passes against each other, round after
    // round, until the queue is empty.
    const waiting = async () =>
      (await db.select({ n: count() }).from(requestsTable).where(eq(requestsTable.state, 'WAITING')))[0]?.n ??
      0;
    for (let round = 0; round < 20 && (await waiting()) > 0; round++) {
      await Promise.all(
        agents.map(async (id, i) => {
          const routing = (i + round) % 2 ? ra : rb;
          const res = await routing.currentReservation(id);
          if (!res) return;
          await routing.acceptReservation(id, res.id);
          await routing.completeInteraction(id, res.id, 'READY');
        }),
      );
      await Promise.all([ra.tick(), rb.tick()]);
    }

    const states = Object.fromEntries(
      (
        await db
          .select({ state: requestsTable.state, n: count() })
          .from(requestsTable)
          .groupBy(requestsTable.state)
      ).map((s) => [s.state, s.n]),
    );
    expect(states.WAITING).toBeUndefined();
    expect((states.COMPLETED ?? 0) + (states.RESERVED ?? 0)).toBe(REQUESTS);
    expect(states.RESERVED).toBeGreaterThan(0);
    expect(states.RESERVED).toBeLessThanOrEqual(AGENTS);
    const all = await db.select().from(reservationsTable);
    expect(all).toHaveLength(REQUESTS);
    expect(new Set(all.map((r) => r.requestSeq)).size).toBe(REQUESTS);
    const perAgent = await db
      .select({
        agentId: reservationsTable.agentId,
        open: sql<number>`count(*) filter (where ended_at is null)::int`,
      })
      .from(reservationsTable)
      .groupBy(reservationsTable.agentId);
    expect(perAgent).toHaveLength(AGENTS);
    expect(perAgent.every((r) => r.open <= 1)).toBe(true);
    expect(perAgent.reduce((sum, r) => sum + r.open, 0)).toBe(states.RESERVED);
    const completed = await db
      .select({ n: count() })
      .from(reservationsTable)
      .where(eq(reservationsTable.outcome, 'COMPLETED'));
    expect(completed[0]?.n).toBe(states.COMPLETED);
    expect(failures).toEqual([]);
  });
});
