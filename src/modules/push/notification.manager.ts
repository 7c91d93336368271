import { randomUUID } from 'node:crypto';
import { and, desc, eq, gt, inArray, lte, type SQL, sql } from 'drizzle-orm';
import { assertOwns, owns, type Requester } from '../../auth/ownership.js';
import { isAdmin } from '../../auth/viewer.js';
import { observeBatches } from '../../db/batch-metrics.js';
import type { DbOrTx } from '../../db/client.js';
import { PreparedSql } from '../../db/prepared-queries.js';
import { StatementBatcher } from '../../db/statement-batcher.js';
import type { Deps } from '../../deps.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../errors.js';
import type { AppendInput, EventStore } from '../event/event.manager.js';
import {
  type NotificationSubscriptionRow,
  notificationSubscriptionsTable,
  type PushDeliveryRow,
  pushDeliveriesTable,
  pushSessionCursorsTable,
} from './push.tables.js';
import { TargetPolicy } from './push.targets.js';

/** Delivery types of GMS's `push.pushEnabled` (orscb needs ORS, which is not part of this server). */
export const DELIVERY_TYPES = ['comet', 'httpcb', 'customhttp', 'ios', 'fcm', 'android', 'gcm'] as const;
export type DeliveryType = (typeof DELIVERY_TYPES)[number];
/** Types delivered by the outbox worker (comet goes through the event store to CometD/GraphQL). */
export const PROVIDER_TYPES: readonly DeliveryType[] = [
  'httpcb',
  'customhttp',
  'ios',
  'fcm',
  'android',
  'gcm',
];

export interface NotificationDetails {
  deviceId: string | null;
  type: DeliveryType;
  properties: Record<string, string>;
}

export interface SubscriptionInput {
  subscriberId: string;
  providerName: string | null;
  notificationDetails: NotificationDetails;
  authorization: string | null;
  /** Seconds; at least the configured default. */
  expire: number | null;
  filter: string;
}

export interface PublishInput {
  message: unknown;
  tag: string;
  mediaType: 'string' | 'localizestring' | null;
  /** Direct delivery to one device, besides the matching subscriptions. */
  notificationDetails: NotificationDetails | null;
}

export interface PublishResult {
  /** Subscriptions the tag matched. */
  matched: number;
  /** Outbox rows written (provider deliveries). */
  queued: number;
  /** Comet deliveries appended to the event store. */
  events: number;
}

export interface NewDelivery {
  dedupeKey: string;
  source: 'session' | 'notification';
  subscriptionId: string | null;
  sessionId: string | null;
  seq: number | null;
  type: DeliveryType;
  deviceId: string;
  authorization: string | null;
  eventId: string;
  tag: string;
  message: unknown;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'dead';

/** What a publish needs of a subscription its tag matched. */
type MatchedSubscription = Pick<
  NotificationSubscriptionRow,
  'id' | 'type' | 'deviceId' | 'gmsUser' | 'authorization' | 'expiresAt'
>;

declare module '../../pubsub/topics.js' {
  interface TopicMap {
    /** "The push outbox has due rows": wakes the delivery workers (they also poll). */
    'push:due': { at: string };
  }
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const record = (v: unknown): Record<string, unknown> | null =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;

/** `*` is a wildcard; everything else matches literally. */
export const filterToLike = (filter: string) =>
  filter.replace(/[\\%_]/g, (c) => `\\${c}`).replaceAll('*', '%');

export function parseDeliveryType(value: unknown, field: string): DeliveryType {
  const type = (text(value) ?? 'comet').toLowerCase();
  if (type === 'orscb')
    throw new ValidationError(
      'notification/unsupported_type',
      'Delivery type orscb needs Orchestration Server, which this server does not use',
      field,
    );
  if (!(DELIVERY_TYPES as readonly string[]).includes(type))
    throw new ValidationError(
      'notification/invalid_type',
      `Unknown delivery type '${type}' (use one of ${DELIVERY_TYPES.join(', ')})`,
      field,
    );
  return type as DeliveryType;
}

function parseDetails(value: unknown, field: string): NotificationDetails {
  const details = record(value);
  if (!details)
    throw new ValidationError('notification/invalid_details', `${field} must be an object`, field);
  const properties: Record<string, string> = {};
  for (const [k, v] of Object.entries(record(details.properties) ?? {}))
    if (v !== null && v !== undefined) properties[k] = String(v);
  return {
    deviceId: text(details.deviceId),
    type: parseDeliveryType(details.type, `${field}.type`),
    properties,
  };
}

/** The Notification API's JSON subscription object (reference §3.2). */
export function parseSubscription(body: Record<string, unknown>): SubscriptionInput {
  const subscriberId = text(body.subscriberId);
  if (!subscriberId)
    throw new ValidationError('notification/missing_subscriber', 'subscriberId is mandatory', 'subscriberId');
  const filter = text(body.filter);
  if (!filter) throw new ValidationError('notification/missing_filter', 'filter is mandatory', 'filter');
  const expire = body.expire === undefined || body.expire === null ? null : Number(body.expire);
  if (expire !== null && (!Number.isFinite(expire) || expire <= 0))
    throw new ValidationError(
      'notification/invalid_expire',
      'expire must be a positive number of seconds',
      'expire',
    );
  return {
    subscriberId,
    providerName: text(body.providerName),
    notificationDetails: parseDetails(body.notificationDetails ?? {}, 'notificationDetails'),
    authorization: text(body.authorization),
    expire,
    filter,
  };
}

/** The Notification API's JSON event object (reference §3.3). */
export function parsePublish(body: Record<string, unknown>): PublishInput {
  const tag = text(body.tag);
  if (!tag) throw new ValidationError('notification/missing_tag', 'tag is mandatory', 'tag');
  if (body.message === undefined)
    throw new ValidationError('notification/missing_message', 'message is mandatory', 'message');
  const mediaType = text(body.mediaType);
  if (mediaType !== null && mediaType !== 'string' && mediaType !== 'localizestring')
    throw new ValidationError(
      'notification/invalid_media_type',
      'mediaType is string or localizestring',
      'mediaType',
    );
  return {
    message: body.message,
    tag,
    mediaType,
    notificationDetails:
      body.notificationDetails === undefined || body.notificationDetails === null
        ? null
        : parseDetails(body.notificationDetails, 'notificationDetails'),
  };
}

declare module '../../managers.types.js' {
  interface Managers {
    notifications: NotificationManager;
  }
}

/**
 * GMS's Notification API: subscriptions with tag filters and an expiry, and publish. A published
 * event goes to every live subscription whose filter matches its tag, in one transaction: comet
 * subscriptions get an event in the durable event store (CometD and GraphQL deliver it to the
 * subscriber's gms_user), provider subscriptions get an outbox row the delivery worker sends.
 */
export class NotificationManager {
  private readonly targets: TargetPolicy;
  private readonly statements = new PreparedSql();

  constructor(
    private readonly deps: Deps,
    private readonly events: EventStore,
  ) {
    this.targets = new TargetPolicy(deps.config.push.allowedTargets);
    // A direct comet publish whose tag matches no subscription (publish) is written by the append
    // statement alone, on this condition.
    const s = notificationSubscriptionsTable;
    events.guardAppends(
      (tag, now) =>
        sql`not exists (select 1 from ${s} where ${s.expiresAt} > ${now} and ${tag} like ${s.filterLike} escape '\\')`,
    );
    this.matcher = new StatementBatcher((tags) => this.matchTags(tags), {
      maxBatch: 100,
      // PGlite runs one statement at a time on this thread: more batches at once would only split them.
      ...(deps.config.database.kind === 'pglite' ? { concurrency: 1, gatherIo: true } : { concurrency: 4 }),
      observe: observeBatches(deps.metrics, 'push_match'),
    });
  }

  /** A client-given httpcb URL (PUSH_ALLOWED_TARGETS): 400 naming `field` when it is refused. */
  checkTarget(details: NotificationDetails, field: string): void {
    if (details.type === 'httpcb' && details.deviceId) this.targets.checkUrl(details.deviceId, field);
  }

  /**
   * A session that asks for httpcb delivery (`_device_os=httpcb`) names its URL in
   * `_device_notification_id`; the push worker will POST its events there, so it is checked at
   * create time like a subscription's (and again when connecting).
   */
  checkSessionParams(params: Record<string, string>): void {
    if ((params._device_os ?? '').trim().toLowerCase() !== 'httpcb') return;
    const url = params._device_notification_id?.trim();
    if (url) this.targets.checkUrl(url, '_device_notification_id');
  }

  async subscribe(input: SubscriptionInput, caller: Requester): Promise<NotificationSubscriptionRow> {
    const { gmsUser } = caller;
    const { type, deviceId } = input.notificationDetails;
    if (type !== 'comet' && !deviceId)
      throw new ValidationError(
        'notification/missing_device',
        `notificationDetails.deviceId is mandatory for ${type} delivery`,
        'notificationDetails.deviceId',
      );
    if (type === 'comet' && !gmsUser && !deviceId)
      throw new ValidationError(
        'notification/missing_device',
        'comet delivery needs the gms_user header (or notificationDetails.deviceId) of the device',
        'gms_user',
      );
    this.checkTarget(input.notificationDetails, 'notificationDetails.deviceId');
    const now = this.deps.clock.now();
    const seconds = Math.max(input.expire ?? 0, this.deps.config.push.notificationExpireSeconds);
    const [row] = await this.deps.db
      .insert(notificationSubscriptionsTable)
      .values({
        id: randomUUID().replaceAll('-', ''),
        subscriberId: input.subscriberId,
        providerName: input.providerName,
        type,
        deviceId,
        properties: input.notificationDetails.properties,
        authorization: input.authorization,
        filter: input.filter,
        filterLike: filterToLike(input.filter),
        gmsUser,
        ownerTokenHash: caller.ownerTokenHash ?? null,
        createdAt: now,
        expiresAt: new Date(now.getTime() + seconds * 1000),
      })
      .returning();
    if (!row) throw new Error('subscription insert returned no row');
    return row;
  }

  /**
   * DELETE: unknown or expired ids are 404 (the reference leaves the code open), and so is another
   * device's subscription. Strict: only the device that subscribed (gms_user and device token).
   * Compatible: a request naming a gms_user may not delete another gms_user's subscription; one
   * naming none still may, by id — GMS's push sample deletes without the header.
   */
  async unsubscribe(id: string, caller: Requester): Promise<void> {
    const notFound = () =>
      new NotFoundError('notification/not_found', `Subscription '${id}' not found or expired`);
    const row = await this.get(id);
    if (!row) throw notFound();
    assertOwns(caller.viewer, row, caller.rules, notFound, { refuseOtherDevice: true });
    const rows = await this.deps.db
      .delete(notificationSubscriptionsTable)
      .where(
        and(
          eq(notificationSubscriptionsTable.id, id),
          gt(notificationSubscriptionsTable.expiresAt, this.deps.clock.now()),
        ),
      )
      .returning({ id: notificationSubscriptionsTable.id });
    if (rows.length === 0) throw notFound();
  }

  /**
   * Who may publish what (docs/push.md "Who may publish"). Admins: anything. A direct `comet`
   * delivery names a device by its gms_user, so only that device may send it (both modes: this is
   * how a forged DialNumber reached another device). Strict: a device must name itself (gms_user),
   * a broadcast reaches only its own subscriptions, and a direct provider delivery only a deviceId
   * it subscribed with. Returns the subscription filter to apply (null: every subscription).
   */
  private async publishScope(input: PublishInput, caller: Requester): Promise<SQL | null> {
    if (isAdmin(caller.viewer)) return null;
    const direct = input.notificationDetails;
    // A device's comet stream is its gms_user's: owned under `strict` whatever LEGACY_ACCESS says,
    // since an open direct push is how a forged DialNumber reached another device. No gms_user
    // header owns nothing (403 too).
    if (direct?.type === 'comet' && direct.deviceId)
      assertOwns(
        caller.viewer,
        { gmsUser: direct.deviceId },
        'strict',
        () =>
          new ForbiddenError(
            'A device may publish only to itself: a comet notificationDetails.deviceId must be your gms_user (or use admin credentials)',
          ),
      );
    if (caller.rules === 'open') return null;
    if (!caller.gmsUser)
      throw new ForbiddenError('Publishing needs admin credentials, or your gms_user (LEGACY_ACCESS=strict)');
    const mine = await this.ownSubscriptions(caller);
    if (
      direct?.deviceId &&
      direct.type !== 'comet' &&
      !mine.some((s) => s.deviceId === direct.deviceId && s.type === direct.type)
    )
      throw new ForbiddenError(
        'A device may publish only to itself: notificationDetails.deviceId must be one you subscribed with',
      );
    return mine.length
      ? inArray(
          notificationSubscriptionsTable.id,
          mine.map((s) => s.id),
        )
      : sql`false`;
  }

  /** The caller's live subscriptions (gms_user and, when bound, device token). */
  private async ownSubscriptions(caller: Requester): Promise<NotificationSubscriptionRow[]> {
    if (!caller.gmsUser) return [];
    const rows = await this.deps.db
      .select()
      .from(notificationSubscriptionsTable)
      .where(
        and(
          eq(notificationSubscriptionsTable.gmsUser, caller.gmsUser),
          gt(notificationSubscriptionsTable.expiresAt, this.deps.clock.now()),
        ),
      );
    return rows.filter((r) => owns(caller.viewer, { gmsUser: r.gmsUser, ownerTokenHash: r.ownerTokenHash }));
  }

  async get(id: string): Promise<NotificationSubscriptionRow | null> {
    const [row] = await this.deps.db
      .select()
      .from(notificationSubscriptionsTable)
      .where(
        and(
          eq(notificationSubscriptionsTable.id, id),
          gt(notificationSubscriptionsTable.expiresAt, this.deps.clock.now()),
        ),
      );
    return row ?? null;
  }

  async list(limit = 100): Promise<NotificationSubscriptionRow[]> {
    return this.deps.db
      .select()
      .from(notificationSubscriptionsTable)
      .where(gt(notificationSubscriptionsTable.expiresAt, this.deps.clock.now()))
      .orderBy(desc(notificationSubscriptionsTable.createdAt))
      .limit(Math.min(Math.max(limit, 1), 1000));
  }

  /** Live subscriptions matching each of several tags, in one statement (see publish). */
  private readonly matcher: StatementBatcher<string, MatchedSubscription[]>;

  private async matchTags(tags: string[]): Promise<MatchedSubscription[][]> {
    const s = notificationSubscriptionsTable;
    const rows = await this.statements.rows<{
      i: number | string;
      id: string;
      type: string;
      device_id: string | null;
      gms_user: string | null;
      authorization: string | null;
      expires_at: Date | string;
    }>(
      this.deps.db,
      'match',
      () =>
        sql`select t.i, ${s.id}, ${s.type}, ${s.deviceId}, ${s.gmsUser}, ${s.authorization}, ${s.expiresAt}
            from jsonb_array_elements_text(${sql.placeholder('tags')}::jsonb) with ordinality t(tag, i)
            join ${s} on ${s.expiresAt} > ${sql.placeholder('now')}::timestamptz
              and t.tag like ${s.filterLike} escape '\\'`,
      { tags: JSON.stringify(tags), now: this.deps.clock.now().toISOString() },
    );
    const out = tags.map((): MatchedSubscription[] => []);
    for (const r of rows)
      out[Number(r.i) - 1]?.push({
        id: r.id,
        type: r.type,
        deviceId: r.device_id,
        gmsUser: r.gms_user,
        authorization: r.authorization,
        expiresAt: new Date(r.expires_at),
      });
    return out;
  }

  async publish(input: PublishInput, caller: Requester): Promise<PublishResult> {
    if (input.notificationDetails)
      this.checkTarget(input.notificationDetails, 'notificationDetails.deviceId');
    const scope = await this.publishScope(input, caller);
    const now = this.deps.clock.now();
    const direct = input.notificationDetails;
    const directSession = direct?.deviceId ? `notification-direct-${direct.deviceId}` : null;
    const directEvent = (): AppendInput => ({
      sessionId: directSession as string,
      gmsUser: direct?.deviceId ?? null,
      tag: input.tag,
      message: input.message,
      expiresAt: new Date(now.getTime() + this.deps.config.push.notificationExpireSeconds * 1000),
    });
    // A direct comet publish (unscoped): the append statement writes its event only if no live
    // subscription matches the tag, in the same statement, so the usual case is one statement
    // (shared with concurrent publishes) instead of a match and then an append. When some
    // subscription does match, nothing was written, and the publish goes the long way below.
    if (scope === null && direct?.type === 'comet' && directSession) {
      const written = await this.events.appendUnless([directEvent()], input.tag);
      if (written) {
        await this.events.announce(written);
        return { matched: 0, queued: 0, events: written.length };
      }
    }
    const eventId = randomUUID().replaceAll('-', '');
    // The matching subscriptions are read before writing, outside any transaction: under READ
    // COMMITTED a read inside one sees the same (each statement sees what committed before it).
    // Unscoped, concurrent publishes share the read (one statement for all their tags).
    const subs: MatchedSubscription[] =
      scope === null
        ? await this.matcher.submit(input.tag)
        : await this.deps.db
            .select()
            .from(notificationSubscriptionsTable)
            .where(
              and(
                gt(notificationSubscriptionsTable.expiresAt, now),
                sql`${input.tag} like ${notificationSubscriptionsTable.filterLike} escape '\\'`,
                scope,
              ),
            );
    const comet: AppendInput[] = [];
    const outbox: NewDelivery[] = [];
    for (const sub of subs) {
      if (sub.type === 'comet')
        comet.push({
          sessionId: `notification-${sub.id}`,
          gmsUser: sub.gmsUser ?? sub.deviceId,
          tag: input.tag,
          message: input.message,
          expiresAt: sub.expiresAt,
        });
      else
        outbox.push({
          dedupeKey: `notification:${sub.id}:${eventId}`,
          source: 'notification',
          subscriptionId: sub.id,
          sessionId: null,
          seq: null,
          type: sub.type as DeliveryType,
          deviceId: sub.deviceId ?? '',
          authorization: sub.authorization,
          eventId,
          tag: input.tag,
          message: input.message,
        });
    }
    if (direct?.deviceId) {
      if (direct.type === 'comet') comet.push(directEvent());
      else
        outbox.push({
          dedupeKey: `notification:direct:${eventId}`,
          source: 'notification',
          subscriptionId: null,
          sessionId: null,
          seq: null,
          type: direct.type,
          deviceId: direct.deviceId,
          authorization: null,
          eventId,
          tag: input.tag,
          message: input.message,
        });
    }
    // All or nothing. Comet events alone are one statement (atomic by itself: a direct publish is
    // two statements, the read and the append, where BEGIN … COMMIT made it four); with outbox
    // rows too, one transaction.
    const result =
      outbox.length === 0 && new Set(comet.map((c) => c.sessionId)).size === comet.length
        ? { events: await this.events.appendMany(this.deps.db, comet), queued: 0 }
        : await this.deps.db.transaction(async (tx) => ({
            events: await this.events.appendMany(tx, comet),
            queued: await this.enqueue(tx, outbox),
          }));
    await this.events.announce(result.events);
    if (result.queued > 0) await this.poke();
    return { matched: subs.length, queued: result.queued, events: result.events.length };
  }

  /** Writes outbox rows inside the caller's transaction; a dedupe key already present is skipped. */
  async enqueue(tx: DbOrTx, deliveries: NewDelivery[]): Promise<number> {
    if (deliveries.length === 0) return 0;
    const now = this.deps.clock.now();
    const rows = await tx
      .insert(pushDeliveriesTable)
      .values(
        deliveries.map((d) => ({
          id: randomUUID().replaceAll('-', ''),
          ...d,
          status: 'pending' as const,
          attempts: 0,
          nextAttemptAt: now,
          createdAt: now,
          updatedAt: now,
        })),
      )
      .onConflictDoNothing({ target: pushDeliveriesTable.dedupeKey })
      .returning({ id: pushDeliveriesTable.id });
    return rows.length;
  }

  /** Wakes delivery workers on every instance (they poll anyway). */
  async poke(): Promise<void> {
    await this.deps.bus.publish('push:due', null, { at: this.deps.clock.now().toISOString() });
  }

  async deliveries(
    filter: {
      status?: DeliveryStatus | null;
      subscriptionId?: string | null;
      sessionId?: string | null;
      limit?: number;
    } = {},
  ): Promise<PushDeliveryRow[]> {
    const conditions: SQL[] = [];
    if (filter.status) conditions.push(eq(pushDeliveriesTable.status, filter.status));
    if (filter.subscriptionId) conditions.push(eq(pushDeliveriesTable.subscriptionId, filter.subscriptionId));
    if (filter.sessionId) conditions.push(eq(pushDeliveriesTable.sessionId, filter.sessionId));
    return this.deps.db
      .select()
      .from(pushDeliveriesTable)
      .where(conditions.length ? and(...conditions) : undefined)
      .orderBy(desc(pushDeliveriesTable.createdAt))
      .limit(Math.min(Math.max(filter.limit ?? 100, 1), 1000));
  }

  async delivery(id: string): Promise<PushDeliveryRow | null> {
    const [row] = await this.deps.db.select().from(pushDeliveriesTable).where(eq(pushDeliveriesTable.id, id));
    return row ?? null;
  }

  /** Puts a dead-lettered delivery back in the queue (admin). */
  async retry(id: string): Promise<PushDeliveryRow> {
    const now = this.deps.clock.now();
    const [row] = await this.deps.db
      .update(pushDeliveriesTable)
      .set({ status: 'pending', attempts: 0, nextAttemptAt: now, leaseUntil: null, updatedAt: now })
      .where(and(eq(pushDeliveriesTable.id, id), eq(pushDeliveriesTable.status, 'dead')))
      .returning();
    if (!row) throw new NotFoundError('notification/not_dead', `No dead-lettered delivery '${id}'`);
    await this.poke();
    return row;
  }

  /**
   * Housekeeping: expired subscriptions (already invisible) and cursors of gone sessions. Finished
   * deliveries leave through the retention task (src/lifecycle/policies.ts, PUSH_RETENTION_SECONDS).
   */
  async sweep(): Promise<number> {
    const now = this.deps.clock.now();
    const subs = await this.deps.db
      .delete(notificationSubscriptionsTable)
      .where(lte(notificationSubscriptionsTable.expiresAt, now))
      .returning({ id: notificationSubscriptionsTable.id });
    const cursors = await this.deps.db
      .delete(pushSessionCursorsTable)
      .where(lte(pushSessionCursorsTable.expiresAt, now))
      .returning({ id: pushSessionCursorsTable.sessionId });
    return subs.length + cursors.length;
  }
}
