import { and, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { checkQueuePositionBody } from '../callback/callback.legacy.js';
import { loadProfiles } from './queue.rows.js';
import type { RoutingManager } from './routing.manager.js';
import { type AgentState, agentsTable, requestsTable, reservationsTable } from './routing.tables.js';
import { matchesAgent, parseTarget, targetSql } from './target.js';

let t: TestApp;
let routing: RoutingManager;
let counter = 0;
/** Each test uses its own names, so agents of one test never match another test's requests. */
const uid = (prefix: string) => `${prefix}${++counter}`;

beforeAll(async () => {
  t = await createTestApp();
  routing = t.app.managers.routing;
});
afterAll(() => t.close());

async function group(name: string) {
  await routing.agents.upsertGroup({ name });
  return `${name}@StatServer.GA`;
}

async function agent(
  id: string,
  options: { groups?: string[]; skills?: Record<string, number>; state?: AgentState },
) {
  await routing.agents.upsert({
    id,
    groups: options.groups,
    skills: options.skills && Object.entries(options.skills).map(([name, level]) => ({ name, level })),
  });
  if (options.state) await routing.setAgentState(id, options.state);
}

const state = async (requestId: string) => (await routing.router.get(requestId))?.state;
const reservedAgent = async (requestId: string) => (await routing.router.get(requestId))?.agentId ?? null;

/** Accepts and completes whatever the agent holds; returns the request id it handled. */
async function serve(agentId: string, next: 'READY' | 'NOT_READY' = 'READY'): Promise<string | null> {
  const res = await routing.currentReservation(agentId);
  if (!res) return null;
  await routing.acceptReservation(agentId, res.id);
  await routing.completeInteraction(agentId, res.id, next);
  return res.requestId;
}

describe('routing queue', () => {
  it('serves by priority, then arrival order', async () => {
    const target = await group(uid('Order'));
    const g = target.split('@')[0] as string;
    const vq = uid('VQ_order');
    const ids = { r1: uid('r'), r2: uid('r'), r3: uid('r'), r4: uid('r') };
    await routing.router.enqueue({ requestId: ids.r1, virtualQueue: vq, target });
    t.clock.advance(1000);
    await routing.router.enqueue({ requestId: ids.r2, virtualQueue: vq, target });
    t.clock.advance(1000);
    await routing.router.enqueue({ requestId: ids.r3, virtualQueue: vq, target, priority: 5 });
    await routing.router.enqueue({ requestId: ids.r4, virtualQueue: vq, target });

    expect((await routing.router.position(ids.r3)).position).toBe(1);
    expect((await routing.router.position(ids.r1)).position).toBe(2);
    expect((await routing.router.position(ids.r2)).position).toBe(3);
    expect((await routing.router.position(ids.r4)).position).toBe(4);
    expect((await routing.router.position(ids.r4)).totalWaiting).toBe(4);

    const a = uid('agent');
    await agent(a, { groups: [g], state: 'READY' });
    const served: (string | null)[] = [];
    for (let i = 0; i < 4; i++) served.push(await serve(a));
    expect(served).toEqual([ids.r3, ids.r1, ids.r2, ids.r4]);
    expect(await state(ids.r4)).toBe('COMPLETED');
  });

  it('gives the next request to the agent who has been ready longest', async () => {
    const target = await group(uid('Fair'));
    const g = target.split('@')[0] as string;
    const [a1, a2, a3] = [uid('fa'), uid('fa'), uid('fa')];
    await agent(a2, { groups: [g], state: 'READY' });
    t.clock.advance(1000);
    await agent(a3, { groups: [g], state: 'READY' });
    t.clock.advance(1000);
    await agent(a1, { groups: [g], state: 'READY' });
    const vq = uid('VQ_fair');
    const got: (string | null)[] = [];
    for (let i = 0; i < 3; i++) {
      const id = uid('fr');
      await routing.router.enqueue({ requestId: id, virtualQueue: vq, target });
      got.push(await reservedAgent(id));
    }
    expect(got).toEqual([a2, a3, a1]);
  });

  it('matches skill expressions and does not let an unservable request block others', async () => {
    const p = uid('sk');
    const [english, loans, spanish] = [`${p}English`, `${p}Loans`, `${p}Spanish`];
    const [x, y, z] = [uid('sx'), uid('sy'), uid('sz')];
    await agent(x, { skills: { [english]: 30, [loans]: 1 }, state: 'READY' });
    await agent(y, { skills: { [english]: 20, [loans]: 2 }, state: 'NOT_READY' });
    await agent(z, { skills: { [spanish]: 10 }, state: 'NOT_READY' });
    const vq = uid('VQ_skill');
    const [hard, both, latin] = [uid('rq'), uid('rq'), uid('rq')];
    await routing.router.enqueue({
      requestId: hard,
      virtualQueue: vq,
      target: `${english}=40@StatServer.??`,
    });
    await routing.router.enqueue({
      requestId: both,
      virtualQueue: vq,
      target: `${english}=20&${loans}=2@StatServer.??`,
    });
    await routing.router.enqueue({
      requestId: latin,
      virtualQueue: vq,
      target: `(${spanish}=5|French=1)&${english}=0|${spanish}=10@StatServer.??`,
    });
    // x has English 30 but Loans 1: nobody can take the first two yet.
    expect(await state(both)).toBe('WAITING');
    await routing.setAgentState(y, 'READY');
    expect(await reservedAgent(both)).toBe(y);
    expect(await state(hard)).toBe('WAITING');
    await routing.setAgentState(z, 'READY');
    expect(await reservedAgent(latin)).toBe(z);
    expect(await state(hard)).toBe('WAITING');
    expect((await routing.agents.require(x)).state).toBe('READY');
  });

  it('returns a request whose reservation lapsed to its place; the silent agent goes NOT_READY', async () => {
    const target = await group(uid('Lapse'));
    const g = target.split('@')[0] as string;
    const vq = uid('VQ_lapse');
    await routing.queues.upsert({ name: vq, reservationTimeoutSeconds: 20 });
    const a = uid('la');
    await agent(a, { groups: [g], state: 'READY' });
    const [first, second] = [uid('lr'), uid('lr')];
    await routing.router.enqueue({ requestId: first, virtualQueue: vq, target });
    t.clock.advance(1000);
    await routing.router.enqueue({ requestId: second, virtualQueue: vq, target });
    const reserved = await routing.router.get(first);
    expect(reserved).toMatchObject({ state: 'RESERVED', agentId: a, reservationCount: 1 });
    expect(reserved?.reservationExpiresAt?.getTime()).toBe((reserved?.enqueuedAt.getTime() ?? 0) + 20_000);

    t.clock.advance(18_000); // 19 s after the reservation
    await routing.tick();
    expect(await state(first)).toBe('RESERVED');
    t.clock.advance(2_000);
    expect((await routing.tick()).expired).toBeGreaterThanOrEqual(1);
    const back = await routing.router.get(first);
    expect(back).toMatchObject({ state: 'WAITING', agentId: null, reservationCount: 1 });
    expect(back?.enqueuedAt).toEqual(reserved?.enqueuedAt);
    expect((await routing.agents.require(a)).state).toBe('NOT_READY');
    expect((await routing.router.position(first)).position).toBe(1);
    expect((await routing.router.position(second)).position).toBe(2);
    const [ended] = await t.app.deps.db
      .select()
      .from(reservationsTable)
      .where(eq(reservationsTable.id, reserved?.reservationId ?? 0));
    expect(ended?.outcome).toBe('EXPIRED');

    const b = uid('lb');
    await agent(b, { groups: [g], state: 'READY' });
    expect(await reservedAgent(first)).toBe(b);
    expect(await state(second)).toBe('WAITING');
  });

  it('refuses to accept a lapsed reservation and returns the request to the queue', async () => {
    const target = await group(uid('Late'));
    const a = uid('lt');
    await agent(a, { groups: [target.split('@')[0] as string], state: 'READY' });
    const id = uid('ltr');
    await routing.router.enqueue({ requestId: id, virtualQueue: uid('VQ_late'), target });
    const res = await routing.currentReservation(a);
    t.clock.advance(31_000);
    await expect(routing.acceptReservation(a, res?.id ?? 0)).rejects.toMatchObject({
      code: 'routing/reservation_expired',
    });
    expect(await state(id)).toBe('WAITING');
    expect((await routing.agents.require(a)).state).toBe('NOT_READY');
  });

  it('puts a rejected request back in its place and the agent in NOT_READY', async () => {
    const target = await group(uid('Reject'));
    const g = target.split('@')[0] as string;
    const a = uid('ra');
    await agent(a, { groups: [g], state: 'READY' });
    const vq = uid('VQ_reject');
    const [first, second] = [uid('rj'), uid('rj')];
    await routing.router.enqueue({ requestId: first, virtualQueue: vq, target });
    await routing.router.enqueue({ requestId: second, virtualQueue: vq, target });
    const res = await routing.currentReservation(a);
    expect(res?.requestId).toBe(first);
    await routing.rejectReservation(a, res?.id ?? 0);
    expect((await routing.agents.require(a)).state).toBe('NOT_READY');
    expect((await routing.router.position(first)).position).toBe(1);
    await expect(routing.rejectReservation(a, res?.id ?? 0)).rejects.toBeInstanceOf(ConflictError);
    // READY again: the agent is offered the same request, which kept its place.
    await routing.setAgentState(a, 'READY');
    expect((await routing.currentReservation(a))?.requestId).toBe(first);
    // Stepping away while reserved releases the request as well.
    await routing.setAgentState(a, 'NOT_READY');
    expect(await state(first)).toBe('WAITING');
    await expect(routing.setAgentState(a, 'AFTER_CALL_WORK')).resolves.toMatchObject({
      state: 'AFTER_CALL_WORK',
    });
  });

  it('cancels waiting and reserved requests, freeing the agent for the next one', async () => {
    const target = await group(uid('Cancel'));
    const a = uid('ca');
    await agent(a, { groups: [target.split('@')[0] as string], state: 'READY' });
    const vq = uid('VQ_cancel');
    const [first, second, third] = [uid('cr'), uid('cr'), uid('cr')];
    for (const id of [first, second, third])
      await routing.router.enqueue({ requestId: id, virtualQueue: vq, target });
    expect(await reservedAgent(first)).toBe(a);
    expect(await routing.router.cancel(second, 'user gave up')).toBe(true);
    expect(await routing.router.cancel(second)).toBe(false);
    expect(await routing.router.get(second)).toMatchObject({
      state: 'CANCELLED',
      cancelReason: 'user gave up',
    });
    expect(await routing.router.cancel(first)).toBe(true);
    // The agent did nothing wrong: READY again, and takes the next waiting request.
    expect(await reservedAgent(third)).toBe(a);
    const res = await routing.currentReservation(a);
    await routing.acceptReservation(a, res?.id ?? 0);
    expect(await routing.router.cancel(third)).toBe(false);
    expect(await routing.router.cancel(uid('unknown'))).toBe(false);
    await expect(routing.router.position(first)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('records handle times as an exponentially weighted average per queue', async () => {
    const target = await group(uid('Handle'));
    const a = uid('ha');
    await agent(a, { groups: [target.split('@')[0] as string], state: 'READY' });
    const vq = uid('VQ_handle');
    for (const seconds of [100, 200]) {
      await routing.router.enqueue({ requestId: uid('hr'), virtualQueue: vq, target });
      const res = await routing.currentReservation(a);
      await routing.acceptReservation(a, res?.id ?? 0);
      expect((await routing.agents.require(a)).state).toBe('BUSY');
      t.clock.advance(seconds * 1000);
      await routing.completeInteraction(a, res?.id ?? 0, 'AFTER_CALL_WORK');
      expect((await routing.agents.require(a)).state).toBe('AFTER_CALL_WORK');
      await routing.setAgentState(a, 'READY');
    }
    const queue = await routing.queues.require(vq);
    expect(queue.handleSamples).toBe(2);
    expect(queue.averageHandleSeconds).toBeCloseTo(100 * 0.8 + 200 * 0.2, 6);
  });

  it('estimates a wait that grows with position, with the GMS threshold rule', async () => {
    const target = await group(uid('Ewt'));
    const g = target.split('@')[0] as string;
    const vq = uid('VQ_ewt');
    await routing.queues.upsert({ name: vq, defaultHandleSeconds: 30 });
    const [a1, a2] = [uid('ea'), uid('ea')];
    await agent(a1, { groups: [g], state: 'READY' });
    await agent(a2, { groups: [g], state: 'READY' });
    // Both agents busy: staffed but not ready.
    for (const a of [a1, a2]) {
      await routing.router.enqueue({ requestId: uid('busy'), virtualQueue: vq, target });
      const res = await routing.currentReservation(a);
      await routing.acceptReservation(a, res?.id ?? 0);
    }
    const waiting = [uid('ew'), uid('ew'), uid('ew'), uid('ew'), uid('ew'), uid('ew'), uid('ew')];
    for (const id of waiting) await routing.router.enqueue({ requestId: id, virtualQueue: vq, target });
    const positions = await Promise.all(waiting.map((id) => routing.router.position(id)));
    expect(positions.map((p) => p.position)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(positions.map((p) => p.eta)).toEqual([15, 30, 45, 60, 75, 90, 105]);
    expect(positions.every((p) => p.totalWaiting === 7)).toBe(true);
    expect(positions.map((p) => p.agentReadyThresholdPassed)).toEqual([
      true,
      true,
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(positions[1]?.reason).toBe('eta <= 35 and position <=5 ');
    expect(positions[2]?.reason).toBe('eta > 35 or position > 5');
    // Thresholds are the callback service's to choose.
    const loose = await routing.router.position(waiting[5] as string, {
      etaThresholdSeconds: 100,
      positionThreshold: 6,
    });
    expect(loose).toMatchObject({ agentReadyThresholdPassed: true, reason: 'eta <= 100 and position <=6 ' });

    // The seed's capture, key for key and byte for byte.
    const seedLike = {
      ...(positions[1] as NonNullable<(typeof positions)[number]>),
      totalWaiting: 2,
    };
    expect(JSON.stringify(checkQueuePositionBody(seedLike))).toBe(
      '{"_position":2,"_eta":30,"_total_waiting":2,"_agent_ready_threshold_passed":true,"_agent_ready_threshold_passed_reason":"eta <= 35 and position <=5 "}',
    );

    // A reserved request is no longer waiting: position 0, eta 0.
    await routing.completeInteraction(a1, (await routing.currentReservation(a1))?.id ?? 0, 'READY');
    const head = await routing.router.position(waiting[0] as string);
    expect(head).toMatchObject({ state: 'RESERVED', position: 0, eta: 0, totalWaiting: 6 });
  });

  it('has no estimate when no matching agent is staffed ("eta n/a")', async () => {
    const target = await group(uid('Nobody'));
    const vq = uid('VQ_nobody');
    const [r1, r2] = [uid('nb'), uid('nb')];
    await routing.router.enqueue({ requestId: r1, virtualQueue: vq, target });
    await routing.router.enqueue({ requestId: r2, virtualQueue: vq, target });
    const p = await routing.router.position(r2);
    expect(p).toMatchObject({
      position: 2,
      totalWaiting: 2,
      eta: null,
      agentReadyThresholdPassed: true,
      reason: 'eta n/a',
    });
    expect(JSON.stringify(checkQueuePositionBody(p))).toBe(
      '{"_position":2,"_eta":"n/a","_total_waiting":2,"_agent_ready_threshold_passed":true,"_agent_ready_threshold_passed_reason":"eta n/a"}',
    );
  });

  it('enqueues idempotently, validates input and uses the queue default target', async () => {
    const target = await group(uid('Idem'));
    const vq = uid('VQ_idem');
    const id = uid('id');
    const first = await routing.router.enqueue({ requestId: id, virtualQueue: vq, target, data: { a: 1 } });
    const again = await routing.router.enqueue({ requestId: id, virtualQueue: vq, target, data: { a: 2 } });
    expect(again.enqueuedAt).toEqual(first.enqueuedAt);
    expect(again.data).toEqual({ a: 1 });
    await expect(
      routing.router.enqueue({ requestId: id, virtualQueue: uid('VQ_other'), target }),
    ).rejects.toMatchObject({ code: 'routing/already_queued' });
    expect(await routing.router.cancel(id)).toBe(true);
    t.clock.advance(5000);
    const renewed = await routing.router.enqueue({ requestId: id, virtualQueue: vq, target });
    expect(renewed.state).toBe('WAITING');
    expect(renewed.enqueuedAt.getTime()).toBe(first.enqueuedAt.getTime() + 5000);

    await expect(
      routing.router.enqueue({ requestId: uid('x'), virtualQueue: vq, target: 'nonsense' }),
    ).rejects.toMatchObject({ code: 'routing/invalid_target', field: 'target' });
    await expect(routing.router.enqueue({ requestId: uid('x'), virtualQueue: vq })).rejects.toMatchObject({
      code: 'routing/missing_target',
    });
    await expect(routing.router.enqueue({ requestId: '', virtualQueue: vq, target })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(
      routing.router.enqueue({ requestId: uid('x'), virtualQueue: vq, target, priority: 1.5 }),
    ).rejects.toMatchObject({ code: 'routing/invalid_priority' });
    await expect(
      routing.router.enqueue({
        requestId: uid('x'),
        virtualQueue: vq,
        target,
        data: { big: 'x'.repeat(70_000) },
      }),
    ).rejects.toMatchObject({ code: 'routing/invalid_data' });

    const withDefault = uid('VQ_default');
    await routing.queues.upsert({ name: withDefault, target });
    const viaDefault = await routing.router.enqueue({ requestId: uid('d'), virtualQueue: withDefault });
    expect(viaDefault.target).toBe(target);
    await expect(routing.queues.upsert({ name: withDefault, target: 'bad' })).rejects.toMatchObject({
      code: 'routing/invalid_target',
    });
  });

  it('announces reservations after commit, keyed by request', async () => {
    const target = await group(uid('Events'));
    const a = uid('ev');
    await agent(a, { groups: [target.split('@')[0] as string], state: 'READY' });
    const id = uid('evr');
    const sub = routing.router.subscribe(id);
    await sub.ready;
    await routing.router.enqueue({
      requestId: id,
      virtualQueue: uid('VQ_ev'),
      target,
      data: { name: 'Ann' },
    });
    const { value } = await sub.next();
    await sub.return();
    const stored = await routing.router.get(id);
    expect(value).toMatchObject({ kind: 'RESERVED', requestId: id, agentId: a, requestState: 'RESERVED' });
    expect(value?.reservationId).toBe(stored?.reservationId);
    const res = await routing.reservation(stored?.reservationId ?? 0);
    expect(res).toMatchObject({ agentId: a, requestId: id, data: { name: 'Ann' }, outcome: null });
  });

  it('keeps one agent per request and one request per agent under concurrent triggers', async () => {
    const target = await group(uid('Storm'));
    const g = target.split('@')[0] as string;
    const vq = uid('VQ_storm');
    const agents = Array.from({ length: 12 }, () => uid('st'));
    for (const a of agents) await agent(a, { groups: [g] });
    const requests = Array.from({ length: 30 }, () => uid('sr'));
    await Promise.all([
      ...requests.map((id) => routing.router.enqueue({ requestId: id, virtualQueue: vq, target })),
      ...agents.map((a) => routing.setAgentState(a, 'READY')),
      routing.tick(),
      routing.tick(),
    ]);
    await routing.tick();
    const rows = await t.app.deps.db
      .select()
      .from(reservationsTable)
      .where(eq(reservationsTable.virtualQueue, vq));
    expect(rows).toHaveLength(12);
    expect(new Set(rows.map((r) => r.agentId)).size).toBe(12);
    expect(new Set(rows.map((r) => r.requestId)).size).toBe(12);
    const reserved = await t.app.deps.db
      .select()
      .from(requestsTable)
      .where(and(eq(requestsTable.virtualQueue, vq), eq(requestsTable.state, 'RESERVED')));
    expect(reserved).toHaveLength(12);
    // Agent rows and request rows tell the same story.
    const agentRows = await t.app.deps.db.select().from(agentsTable).where(inArray(agentsTable.id, agents));
    for (const a of agentRows) {
      const req = reserved.find((r) => r.agentId === a.id);
      expect(a.state).toBe('RESERVED');
      expect(a.currentReservationId).toBe(req?.reservationId);
    }
  });

  it('counts matching agents in SQL exactly as the matcher matches them', async () => {
    const p = uid('m');
    const skills = [`${p}A`, `${p}B`, `${p}C`];
    const groups = [`${p}G1`, `${p}G2`];
    for (const g of groups) await routing.agents.upsertGroup({ name: g });
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) {
      const id = `${p}agent${i}`;
      ids.push(id);
      const mine: Record<string, number> = {};
      for (const s of skills) if (rand(3) > 0) mine[s] = rand(10);
      await agent(id, { skills: mine, groups: groups.filter(() => rand(2) === 0) });
    }
    const [a, b, c] = skills;
    const targets = [
      `${a}=5@SS.??`,
      `${a}=3&${b}=3@SS.??`,
      `${a}=8|${b}>7|${c}=9@SS.??`,
      `(${a}=2|${b}=2)&${c}>=4@SS.??`,
      `${groups[0]}@SS.GA`,
      `${groups[0]}&${groups[1]}@SS.GA`,
      `${groups[0]}|${groups[1]}@SS.GA`,
      `${p}agent3|${p}agent7@SS.A`,
    ];
    const profiles = await loadProfiles(t.app.deps.db, ids);
    for (const target of targets) {
      const { expr } = parseTarget(target);
      const viaJs = profiles.filter((pr) => matchesAgent(expr, pr)).map((pr) => pr.id);
      const viaSql = (
        await t.app.deps.db
          .select({ id: agentsTable.id })
          .from(agentsTable)
          .where(and(inArray(agentsTable.id, ids), targetSql(expr, sql`${agentsTable.id}`)))
      ).map((r) => r.id);
      expect(new Set(viaSql), target).toEqual(new Set(viaJs));
    }
  });

  it('retention deletes finished requests, never active ones; housekeeping drops expired tokens', async () => {
    const target = await group(uid('Old'));
    const a = uid('oa');
    await agent(a, { groups: [target.split('@')[0] as string], state: 'READY' });
    const vq = uid('VQ_old');
    const [done, cancelled, waiting] = [uid('od'), uid('oc'), uid('ow')];
    await routing.router.enqueue({ requestId: done, virtualQueue: vq, target });
    expect(await serve(a, 'NOT_READY')).toBe(done);
    await routing.router.enqueue({ requestId: cancelled, virtualQueue: vq, target });
    await routing.router.cancel(cancelled);
    await routing.router.enqueue({ requestId: waiting, virtualQueue: vq, target });
    const { token } = await routing.agents
      .upsert({ id: a, password: 'old-password' })
      .then(() => routing.agents.issueToken(a, 'old-password'));
    const retention = t.app.managers.retention;
    const policy = retention.list().find((p) => p.name === 'routing_requests');
    if (!policy) throw new Error('no retention policy for routing_requests');
    t.clock.advance(policy.keepSeconds * 1000 + 86_400_000);
    expect(await retention.enforce(policy)).toBeGreaterThanOrEqual(2);
    expect((await routing.housekeeping()).tokens).toBeGreaterThanOrEqual(1);
    expect(await routing.router.get(done)).toBeNull();
    expect(await routing.router.get(cancelled)).toBeNull();
    expect(await state(waiting)).toBe('WAITING');
    expect(await routing.agents.agentForToken(token)).toBeNull();
  });
});
