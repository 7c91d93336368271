import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { count, eq, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, createTestApp, createTestDatabase, type TestApp } from '../../test/harness.js';
import type { Db } from '../db/client.js';
import {
  callbacksTable,
  chatsTable,
  chatTranscriptTable,
  pushDeliveriesTable,
  requestsTable,
  reservationsTable,
  resourceBookingsTable,
  resourceEventsTable,
  resourceGroupsTable,
  resourcesTable,
  sessionEventCountersTable,
  sessionEventsTable,
  virtualQueuesTable,
} from '../db/schema.js';

const DAY = 86_400_000;
const ago = (t: TestApp, days: number) => new Date(t.clock.now().getTime() - days * DAY);
const rows = async (db: Db, table: PgTable) => Number((await db.select({ n: count() }).from(table))[0]?.n);

/** One row per state worth telling apart, old enough to go unless something is still owed. */
async function seed(t: TestApp, tag: string) {
  const db = t.app.deps.db;
  const old = ago(t, 400);
  const soon = new Date(t.clock.now().getTime() + DAY);
  const ids = { gone: `gone-${tag}`, live: `live-${tag}` };

  // Session events: a long-expired session, and a session created as long ago that is still alive.
  for (const [sessionId, expiresAt] of [
    [ids.gone, ago(t, 300)],
    [ids.live, soon],
  ] as const) {
    await db.insert(sessionEventCountersTable).values({ sessionId, lastSeq: 2, expiresAt });
    await db.insert(sessionEventsTable).values(
      [1, 2].map((seq) => ({
        sessionId,
        seq,
        tag: 't',
        deliveryId: randomUUID(),
        message: { seq },
        gmsUser: null,
        createdAt: old,
        expiresAt,
      })),
    );
  }

  // Push deliveries: delivered and dead ones go; a pending one is owed however old it is.
  const delivery = (status: 'pending' | 'delivered' | 'dead', at: Date) => ({
    id: randomUUID(),
    dedupeKey: randomUUID(),
    source: 'session' as const,
    type: 'httpcb',
    deviceId: 'd',
    eventId: randomUUID(),
    tag: 't',
    message: {},
    status,
    attempts: 1,
    nextAttemptAt: at,
    createdAt: at,
    updatedAt: at,
  });
  await db
    .insert(pushDeliveriesTable)
    .values([
      delivery('delivered', old),
      delivery('dead', old),
      delivery('pending', old),
      delivery('delivered', ago(t, 1)),
    ]);

  // Chats: ended with its session gone (goes, transcript too); ended but the session is alive;
  // still connected.
  const chat = (id: string, status: 'ENDED' | 'CONNECTED', sessionExpiresAt: Date) => ({
    id,
    sessionId: id,
    serviceName: 'chat',
    serviceType: 'chat',
    status,
    nickname: 'c',
    details: {},
    startedAt: old,
    endedAt: status === 'ENDED' ? old : null,
    sessionExpiresAt,
  });
  await db
    .insert(chatsTable)
    .values([
      chat(`chat-gone-${tag}`, 'ENDED', old),
      chat(`chat-live-${tag}`, 'ENDED', soon),
      chat(`chat-open-${tag}`, 'CONNECTED', old),
    ]);
  await db.insert(chatTranscriptTable).values(
    [`chat-gone-${tag}`, `chat-live-${tag}`, `chat-open-${tag}`].map((chatId) => ({
      chatId,
      position: 1,
      eventType: 'Message.Text',
      nickname: 'c',
      text: 'hi',
      partyId: '1',
      partyType: 'CLIENT',
      createdAt: old,
    })),
  );

  // Callbacks: completed and expired (goes); completed, session alive; queued for ages.
  const callback = (id: string, state: 'COMPLETED' | 'QUEUED', expiresAt: Date) => ({
    id,
    serviceName: 'cb',
    state,
    mediaType: 'voice',
    callDirection: 'USERORIGINATED',
    waitForAgent: false,
    waitForUserConfirm: false,
    provideCode: false,
    virtualQueue: 'vq',
    connectLimit: 1,
    baseUrl: 'http://x',
    params: {},
    userData: {},
    completedAt: state === 'COMPLETED' ? old : null,
    createdAt: old,
    updatedAt: old,
    expiresAt,
  });
  await db
    .insert(callbacksTable)
    .values([
      callback(`cb-gone-${tag}`, 'COMPLETED', old),
      callback(`cb-live-${tag}`, 'COMPLETED', soon),
      callback(`cb-queued-${tag}`, 'QUEUED', old),
    ]);

  // Routing history: a finished request (its reservation goes with it) and one still waiting.
  await db
    .insert(virtualQueuesTable)
    .values({ name: `vq-${tag}` })
    .onConflictDoNothing();
  const [done] = await db
    .insert(requestsTable)
    .values({
      requestId: `req-done-${tag}`,
      virtualQueue: `vq-${tag}`,
      target: 'x',
      state: 'COMPLETED',
      enqueuedAt: old,
      updatedAt: old,
    })
    .returning();
  await db.insert(requestsTable).values({
    requestId: `req-wait-${tag}`,
    virtualQueue: `vq-${tag}`,
    target: 'x',
    state: 'WAITING',
    enqueuedAt: old,
    updatedAt: old,
  });
  if (!done) throw new Error('no request');
  await db.insert(reservationsTable).values({
    requestSeq: done.seq,
    requestId: done.requestId,
    agentId: 'a',
    virtualQueue: `vq-${tag}`,
    reservedAt: old,
    expiresAt: old,
    endedAt: old,
    outcome: 'COMPLETED',
  });

  // Booking history: a closed booking goes; an open one (even past its end, not yet swept) stays.
  const [group] = await db
    .insert(resourceGroupsTable)
    .values({ name: `G-${tag}`, createdAt: old, updatedAt: old })
    .returning();
  if (!group) throw new Error('no group');
  const [resource] = await db
    .insert(resourcesTable)
    .values({
      groupId: group.id,
      name: 'n1',
      accessNumber: `+1555${tag}`,
      numberKey: `1555${tag}`,
      createdAt: old,
      updatedAt: old,
    })
    .returning();
  if (!resource) throw new Error('no resource');
  const booking = (closed: boolean, endsAt: Date) => ({
    id: randomUUID(),
    resourceId: resource.id,
    groupId: group.id,
    sessionId: 's',
    locking: false,
    version: 0,
    startsAt: old,
    endsAt,
    closedAt: closed ? old : null,
    closeReason: closed ? ('released' as const) : null,
    createdAt: old,
    updatedAt: old,
  });
  await db
    .insert(resourceBookingsTable)
    .values([booking(true, old), booking(false, old), booking(false, soon)]);
  await db.insert(resourceEventsTable).values(
    [old, ago(t, 1)].map((at) => ({
      occurredAt: at,
      kind: 'allocated' as const,
      groupName: `G-${tag}`,
      createdAt: at,
    })),
  );
}

describe('retention', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ startup: false });
  });
  afterAll(() => t?.close());

  it('removes old history, never what a client is still owed, and a second run finds nothing', async () => {
    await seed(t, 'a');
    const db = t.app.deps.db;
    const run = await t.app.managers.retention.run();
    expect(run.failed).toEqual([]);
    expect(run.deleted).toEqual({
      // Activity and its rollups: report.rollup.test.ts.
      activity: 0,
      rollup_services: 0,
      rollup_resources: 0,
      rollup_callbacks: 0,
      rollup_callback_waits: 0,
      rollup_callback_wait_bins: 0,
      session_events: 2,
      session_event_counters: 1,
      push_deliveries: 2,
      chats: 1,
      callbacks: 1,
      routing_requests: 1,
      resource_bookings: 1,
      resource_events: 1,
    });

    // What is left is exactly what someone is still owed (or is recent).
    const live = await db.select().from(sessionEventsTable);
    expect(live.map((e) => [e.sessionId, e.seq])).toEqual([
      ['live-a', 1],
      ['live-a', 2],
    ]);
    expect((await db.select().from(sessionEventCountersTable)).map((c) => c.sessionId)).toEqual(['live-a']);
    expect((await db.select().from(pushDeliveriesTable)).map((d) => d.status).sort()).toEqual([
      'delivered',
      'pending',
    ]);
    expect((await db.select().from(chatsTable)).map((c) => c.id).sort()).toEqual([
      'chat-live-a',
      'chat-open-a',
    ]);
    expect((await db.select().from(chatTranscriptTable)).map((c) => c.chatId).sort()).toEqual([
      'chat-live-a',
      'chat-open-a',
    ]);
    expect((await db.select().from(callbacksTable)).map((c) => c.id).sort()).toEqual([
      'cb-live-a',
      'cb-queued-a',
    ]);
    expect((await db.select().from(requestsTable)).map((r) => r.state)).toEqual(['WAITING']);
    expect(await rows(db, reservationsTable)).toBe(0);
    expect((await db.select().from(resourceBookingsTable)).every((b) => b.closedAt === null)).toBe(true);
    expect(await rows(db, resourceBookingsTable)).toBe(2);
    expect(await rows(db, resourceEventsTable)).toBe(1);

    const again = await t.app.managers.retention.run();
    expect(Object.values(again.deleted).every((n) => n === 0)).toBe(true);

    // Once the owed rows stop being owed (sessions expire, pending turns delivered), they go too.
    t.clock.advance(40 * DAY);
    await db
      .update(pushDeliveriesTable)
      .set({ status: 'delivered' })
      .where(eq(pushDeliveriesTable.status, 'pending'));
    const later = await t.app.managers.retention.run();
    expect(later.deleted).toMatchObject({ session_events: 2, chats: 1, callbacks: 1 });
    expect(later.deleted.push_deliveries).toBe(2);
  });

  it('deletes in bounded batches and carries on in the next run', async () => {
    const small = await createTestApp({
      startup: false,
      env: { RETENTION_BATCH_ROWS: '7', RETENTION_MAX_BATCHES: '2' },
    });
    try {
      const expiresAt = ago(small, 30);
      await small.app.deps.db.insert(sessionEventsTable).values(
        Array.from({ length: 30 }, (_, i) => ({
          sessionId: 'batched',
          seq: i + 1,
          tag: 't',
          deliveryId: randomUUID(),
          message: i,
          gmsUser: null,
          createdAt: expiresAt,
          expiresAt,
        })),
      );
      const policy = small.app.managers.retention.list().find((p) => p.name === 'session_events');
      if (!policy) throw new Error('no policy');
      expect(await small.app.managers.retention.enforce(policy)).toBe(14);
      expect(await small.app.managers.retention.enforce(policy)).toBe(14);
      expect(await small.app.managers.retention.enforce(policy)).toBe(2);
      expect(await small.app.managers.retention.enforce(policy)).toBe(0);
    } finally {
      await small.close();
    }
  });

  it('keeps each table as long as configured', () => {
    const keep = Object.fromEntries(
      t.app.managers.retention.list().map((p) => [p.name, p.keepSeconds / 86_400]),
    );
    expect(keep).toEqual({
      activity: 35,
      // Minute rollups 60 days; hours 400 and days 800 (one policy per table, every grain).
      rollup_services: 60,
      rollup_resources: 60,
      rollup_callbacks: 60,
      rollup_callback_waits: 60,
      rollup_callback_wait_bins: 60,
      session_events: 3,
      session_event_counters: 3,
      push_deliveries: 7,
      chats: 30,
      callbacks: 30,
      routing_requests: 30,
      resource_bookings: 90,
      resource_events: 90,
    });
  });

  it('docs/data-lifecycle.md documents every table the task keeps in check', () => {
    const doc = readFileSync(new URL('../../docs/data-lifecycle.md', import.meta.url), 'utf8');
    const missing = t.app.managers.retention
      .list()
      .map((p) => p.name)
      .filter((name) => !doc.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });
});

// Two instances on one PostgreSQL run retention at the same moment: rows are claimed with SKIP
// LOCKED, so each row is deleted once, nobody waits on the other and nothing fails.
describe.skipIf(backend !== 'postgres')('retention on several instances at once', () => {
  it('shares the work without errors', async () => {
    const database = await createTestDatabase();
    const env = { RETENTION_BATCH_ROWS: '50', RETENTION_MAX_BATCHES: '1000' };
    const a = await createTestApp({ database, startup: false, env });
    const b = await createTestApp({ database, startup: false, env, clock: a.clock });
    try {
      const expiresAt = ago(a, 30);
      const n = 3000;
      await a.app.deps.db.execute(sql`
        insert into session_events (session_id, seq, tag, delivery_id, message, created_at, expires_at)
        select 's' || (i % 100), i, 't', md5(i::text), '{}'::json, ${expiresAt.toISOString()}::timestamptz,
               ${expiresAt.toISOString()}::timestamptz
        from generate_series(1, ${n}) i`);
      const [ra, rb] = await Promise.all([a.app.managers.retention.run(), b.app.managers.retention.run()]);
      expect([...ra.failed, ...rb.failed]).toEqual([]);
      expect((ra.deleted.session_events ?? 0) + (rb.deleted.session_events ?? 0)).toBe(n);
      expect(await rows(a.app.deps.db, sessionEventsTable)).toBe(0);
    } finally {
      await a.close();
      await b.close();
      await database.drop();
    }
  });
});
