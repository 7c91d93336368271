import { and, eq, min, ne, sql } from 'drizzle-orm';
import type { Deps } from '../../deps.js';
import type { Scheduler } from '../../scheduler.js';
import type { EventStore } from '../event/event.manager.js';
import type { SessionManager } from '../sessions/sessions.manager.js';
import {
  type DeliveryType,
  type NewDelivery,
  type NotificationManager,
  PROVIDER_TYPES,
} from './notification.manager.js';
import type { DeliveredHook } from './push.manager.js';
import type { PushSenders, SendResult } from './push.providers.js';
import { type PushDeliveryRow, pushDeliveriesTable, pushSessionCursorsTable } from './push.tables.js';

const CLAIM_BATCH = 50;
const SESSION_BATCH = 100;
/** A claimed row is someone else's to retry once its lease runs out (the sender crashed). */
const LEASE_MS = 60_000;

/** `_device_os` as the session's create request sent it (the seed sends `iOS`). */
const deviceType = (os: string | null): DeliveryType | null => {
  const type = (os ?? '').toLowerCase();
  return (PROVIDER_TYPES as readonly string[]).includes(type) ? (type as DeliveryType) : null;
};

declare module '../../managers.types.js' {
  interface Managers {
    deliveries: PushDeliveryManager;
  }
}

/**
 * The durable push worker, run by every instance:
 *  1. session events of sessions whose `_device_os` is a provider type (httpcb, customhttp, ios,
 *     fcm, android, gcm) are handed to the outbox, per session under its cursor row's lock
 *     (`FOR UPDATE SKIP LOCKED`), so two instances never hand the same event over twice;
 *  2. due outbox rows are claimed with one `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)`
 *     under a lease, sent, and marked delivered, retried later (exponential backoff with jitter) or
 *     dead-lettered after the last attempt or a permanent failure.
 */
export class PushDeliveryManager {
  private kicked: Promise<void> | null = null;
  private unwatch: (() => Promise<void>) | null = null;
  private stopped = false;

  constructor(
    private readonly deps: Deps,
    private readonly sessions: SessionManager,
    private readonly events: EventStore,
    private readonly notifications: NotificationManager,
    private readonly senders: PushSenders,
    /** Told when a session's events up to a seq reached the provider (`push.delivered`). */
    private readonly onDelivered: DeliveredHook | null = null,
  ) {}

  /** Moves new events of push-enabled sessions into the outbox. Returns the rows written. */
  async transferSessionEvents(): Promise<number> {
    const live = this.sessions.liveWithParamIn('_device_os', PROVIDER_TYPES);
    const counters = this.events.lastSeqs();
    const candidates = await this.deps.db
      .select({ id: live.id })
      .from(live)
      .innerJoin(counters, eq(counters.sessionId, live.id))
      .leftJoin(pushSessionCursorsTable, eq(pushSessionCursorsTable.sessionId, live.id))
      .where(sql`${counters.lastSeq} > coalesce(${pushSessionCursorsTable.deliveredSeq}, 0)`)
      .limit(SESSION_BATCH);
    let written = 0;
    for (const candidate of candidates) written += await this.transferSession(candidate.id);
    if (written > 0) await this.notifications.poke();
    return written;
  }

  private async transferSession(sessionId: string): Promise<number> {
    return this.deps.db.transaction(async (tx) => {
      const session = await this.sessions.findStored(sessionId, tx);
      const type = deviceType(session?.params._device_os ?? null);
      const deviceId = session?.params._device_notification_id ?? null;
      if (!session || !type) return 0;
      await tx
        .insert(pushSessionCursorsTable)
        .values({ sessionId, deliveredSeq: 0, expiresAt: session.expiresAt })
        .onConflictDoNothing();
      const [cursor] = await tx
        .select()
        .from(pushSessionCursorsTable)
        .where(eq(pushSessionCursorsTable.sessionId, sessionId))
        .for('update', { skipLocked: true });
      if (!cursor) return 0; // another instance is on it
      const events = await this.events.readSession(sessionId, cursor.deliveredSeq, 500, tx);
      const last = events.at(-1);
      if (!last) {
        // Expired events: nothing to hand over, but do not look at them again.
        const lastSeq = await this.events.lastSeq(sessionId, tx);
        if (lastSeq > 0)
          await tx
            .update(pushSessionCursorsTable)
            .set({ deliveredSeq: lastSeq })
            .where(eq(pushSessionCursorsTable.sessionId, sessionId));
        return 0;
      }
      let written = 0;
      if (deviceId) {
        const rows: NewDelivery[] = events.map((e) => ({
          dedupeKey: `session:${sessionId}:${e.seq}`,
          source: 'session',
          subscriptionId: null,
          sessionId,
          seq: e.seq,
          type,
          deviceId,
          authorization: null,
          eventId: e.deliveryId,
          tag: e.tag,
          // An outbox row is what the provider will be sent (and what pushDeliveries shows): the
          // event leaves the event store here, so a typed one is presented here.
          message: this.events.wire(e),
        }));
        written = await this.notifications.enqueue(tx, rows);
      } else {
        this.deps.logger.warn('push-enabled session without _device_notification_id', { sessionId, type });
      }
      await tx
        .update(pushSessionCursorsTable)
        .set({ deliveredSeq: last.seq, expiresAt: session.expiresAt })
        .where(eq(pushSessionCursorsTable.sessionId, sessionId));
      return written;
    });
  }

  /** Claims due deliveries (no other instance can claim them until the lease ends). */
  async claimDue(limit = CLAIM_BATCH): Promise<PushDeliveryRow[]> {
    const now = this.deps.clock.now();
    const lease = new Date(now.getTime() + LEASE_MS);
    const t = pushDeliveriesTable;
    return this.deps.db
      .update(t)
      .set({ leaseUntil: lease, attempts: sql`${t.attempts} + 1`, updatedAt: now })
      .where(
        sql`${t.id} in (select id from ${t}
              where status = 'pending' and next_attempt_at <= ${now.toISOString()}::timestamptz
                and (lease_until is null or lease_until <= ${now.toISOString()}::timestamptz)
              order by next_attempt_at
              limit ${limit}
              for update skip locked)`,
      )
      .returning();
  }

  /** Sends due deliveries once. Returns how many were attempted. */
  async sendDue(): Promise<number> {
    const claimed = await this.claimDue();
    await Promise.all(claimed.map((row) => this.attempt(row)));
    return claimed.length;
  }

  private async attempt(row: PushDeliveryRow): Promise<void> {
    const result: SendResult = await this.senders.send({
      type: row.type as DeliveryType,
      deviceId: row.deviceId,
      authorization: row.authorization,
      eventId: row.eventId,
      tag: row.tag,
      message: row.message,
    });
    const now = this.deps.clock.now();
    const { maxAttempts } = this.deps.config.push;
    const t = pushDeliveriesTable;
    const mine = and(eq(t.id, row.id), row.leaseUntil ? eq(t.leaseUntil, row.leaseUntil) : undefined);
    if (result.ok) {
      await this.deps.db
        .update(t)
        .set({ status: 'delivered', deliveredAt: now, leaseUntil: null, lastError: null, updatedAt: now })
        .where(mine);
      if (row.source === 'session' && row.sessionId && row.seq !== null)
        await this.reportDelivered(row.sessionId, row.seq);
      return;
    }
    const dead = result.permanent || row.attempts >= maxAttempts;
    if (dead)
      this.deps.logger.warn('push delivery dead-lettered', {
        id: row.id,
        type: row.type,
        attempts: row.attempts,
        error: result.error,
      });
    await this.deps.db
      .update(t)
      .set({
        status: dead ? 'dead' : 'pending',
        lastError: result.error,
        leaseUntil: null,
        nextAttemptAt: dead ? row.nextAttemptAt : new Date(now.getTime() + this.backoffMs(row.attempts)),
        updatedAt: now,
      })
      .where(mine);
  }

  /**
   * A session's row was delivered: tell the hook how far the session is delivered without a gap —
   * up to this seq, or to just before its oldest row still pending or dead (rows can succeed out
   * of order when an earlier one waits for a retry).
   */
  private async reportDelivered(sessionId: string, seq: number): Promise<void> {
    if (!this.onDelivered) return;
    const t = pushDeliveriesTable;
    const [gap] = await this.deps.db
      .select({ seq: min(t.seq) })
      .from(t)
      .where(and(eq(t.sessionId, sessionId), eq(t.source, 'session'), ne(t.status, 'delivered')));
    const through = gap?.seq != null ? Math.min(seq, gap.seq - 1) : seq;
    if (through > 0) await this.onDelivered(sessionId, through);
  }

  /** Delay before attempt n+1: base·2^(n-1), capped, with ±20% jitter. */
  backoffMs(attempts: number): number {
    const { retryBaseMs, retryMaxMs } = this.deps.config.push;
    const delay = Math.min(retryMaxMs, retryBaseMs * 2 ** Math.max(0, attempts - 1));
    return Math.round(delay * (0.8 + Math.random() * 0.4));
  }

  /** One pass: hand session events over, then send what is due. */
  async runOnce(): Promise<{ transferred: number; attempted: number }> {
    const transferred = await this.transferSessionEvents();
    const attempted = await this.sendDue();
    return { transferred, attempted };
  }

  /** Runs periodically, and at once when an instance says the outbox has due rows. */
  schedule(scheduler: Scheduler): void {
    scheduler.every('push delivery', this.deps.config.push.workerIntervalMs, () => this.kick());
    scheduler.every('push sweep', 60_000, () => this.notifications.sweep());
    void this.deps.bus
      .watch('push:due', null, () => {
        void this.kick();
      })
      .then((stop) => {
        if (this.stopped) void stop();
        else this.unwatch = stop;
      });
  }

  /** Runs a pass unless one is running (then that one is awaited). */
  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.kicked ??= this.runOnce()
      .then(() => undefined)
      .catch((err: unknown) => this.deps.logger.error('push delivery pass failed', { err }))
      .finally(() => {
        this.kicked = null;
      });
    return this.kicked;
  }

  async close(): Promise<void> {
    this.stopped = true;
    await this.unwatch?.();
    await this.kicked;
    await this.senders.close();
  }
}
