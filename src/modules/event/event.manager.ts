import { and, asc, eq, gt, type SQL, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { queryRows } from '../../db/client.js';
import type { Deps } from '../../deps.js';
import { ValidationError } from '../../errors.js';
import { objectSlot } from '../../object-slot.js';
import { EventAppender } from './event.append.js';
import { type SessionEventRow, sessionEventCountersTable, sessionEventsTable } from './event.tables.js';
import type {
  AppendInput,
  DeviceEvent,
  SessionEvent,
  SessionEventKind,
  SessionEventKinds,
  UserCursor,
} from './event.types.js';
import { pollingStream } from './event-stream.js';
import { EventSweep, type SweepSlot } from './event-sweep.js';

export type {
  AppendInput,
  DeviceEvent,
  EventBody,
  SessionEvent,
  SessionEventKind,
  SessionEventKinds,
  UserCursor,
} from './event.types.js';

/** One read of a device's stream; shared by every stream that was at the same position. */
interface UserPage {
  events: DeviceEvent[];
  /** Never mutated once returned: streams that shared the read all hold it. */
  after: UserCursor;
  afterKey: string;
}

interface EventPoke {
  sessionId: string;
  seq: number;
  /**
   * The event itself when it is small (MAX_CARRIED_MESSAGE): a stream that has everything before
   * it takes it from the poke instead of reading the store (one statement less per delivery,
   * and no round trip between poke and delivery). The stored row stays the record: a stream
   * with a gap, or a poke without its event, reads.
   */
  event?: {
    tag: string;
    deliveryId: string;
    kind: string | null;
    message: unknown;
    gmsUser: string | null;
    createdAt: string;
  };
}

/** Largest message (JSON characters) a poke carries; larger ones are read from the store. */
const MAX_CARRIED_MESSAGE = 4_096;

declare module '../../pubsub/topics.js' {
  interface TopicMap {
    /** Keyed by session id: "session <id> has new events up to seq". */
    'session:event': EventPoke;
    /** Keyed by gms_user: the same poke, for device-wide streams (CometD, GraphQL). */
    'user:event': EventPoke;
  }
}

const toEvent = (r: SessionEventRow): SessionEvent => ({
  sessionId: r.sessionId,
  seq: r.seq,
  tag: r.tag,
  deliveryId: r.deliveryId,
  kind: r.kind,
  message: r.message,
  gmsUser: r.gmsUser,
  createdAt: r.createdAt,
});

export const encodeCursor = (c: UserCursor) => Buffer.from(JSON.stringify(c)).toString('base64url');

export function decodeCursor(text: string | null | undefined): UserCursor {
  if (!text) return {};
  try {
    const parsed: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const out: UserCursor = {};
      for (const [k, v] of Object.entries(parsed)) if (Number.isInteger(v)) out[k] = v as number;
      return out;
    }
  } catch {}
  throw new ValidationError('event/invalid_cursor', 'Invalid resume cursor', 'cursor');
}

declare module '../../managers.types.js' {
  interface Managers {
    events: EventStore;
  }
}

// What is built once per event object and shared by every stream that has that object, kept on
// the object itself (object-slot.ts: a WeakMap kept these young objects alive through scavenges).
/** The event a poke carries (see `carried`). */
const carriedEvent = objectSlot<SessionEvent>('carried event');
/** The device events built on an event, per device position (streams at one position share one). */
const devicePositions =
  objectSlot<Map<string, { event: DeviceEvent; after: UserCursor; afterKey: string }>>('device positions');
/** An event of a kind as it leaves the process (`wire`). */
const presented = objectSlot<unknown>('presented');

/**
 * Store-and-forward delivery: events are appended in the transaction that causes them, pokes go
 * out on the bus after commit, and every reader (GraphQL subscription, CometD, polling) reads from
 * the stored sequence. Redis losing a poke only delays delivery until the next poll tick.
 */
export class EventStore {
  /** Reads in flight, by what they read: streams at the same position share one query. */
  private readonly inFlight = new Map<string, { startedAt: number; rows: Promise<unknown> }>();
  /** The store's writes (event.append.ts). */
  private readonly appender: EventAppender;
  /** How each kind leaves the process (`presentAs`); what it became is kept on the event (`presented`). */
  private readonly presenters = new Map<string, (value: unknown) => unknown>();

  /** The poll behind pokes: one store-wide question per sweep, not a read per stream. */
  private readonly sweep: EventSweep;

  constructor(
    private readonly deps: Deps,
    private readonly options: { pollMs: number; batch: number } = { pollMs: 5_000, batch: 200 },
  ) {
    this.sweep = new EventSweep(
      deps.db,
      options.pollMs,
      () => deps.clock.now(),
      (err) => deps.logger.warn('event poll failed', { err }),
    );
    this.appender = new EventAppender(deps);
  }

  /**
   * How events of `kind` leave the process: `present` turns the stored value into the GMS JSON that
   * CometD, the push outbox and GraphQL deliver. Registered once, by the legacy edge of the module
   * that owns the kind (wired from managers.ts).
   */
  presentAs<K extends SessionEventKind>(kind: K, present: (value: SessionEventKinds[K]) => unknown): void {
    if (this.presenters.has(kind)) throw new Error(`event kind '${kind}' already has a presenter`);
    // Stored values of a kind are only ever written by its module's typed `append`.
    this.presenters.set(kind, present as (value: unknown) => unknown);
  }

  /**
   * The event as it leaves the process (the push's `message`): an event without a kind as stored
   * (including chat events stored before kinds existed: they were stored presented), a typed one
   * through its kind's presenter, once per event object (streams that share an event share this).
   */
  wire(event: SessionEvent): unknown {
    // (A poke from an instance older than kinds carries none at all.)
    if (!event.kind) return event.message;
    if (presented.has(event)) return presented.get(event);
    const present = this.presenters.get(event.kind);
    if (!present) throw new Error(`event kind '${event.kind}' has no presenter (EventStore.presentAs)`);
    const wire = present(event.message);
    presented.set(event, wire);
    return wire;
  }

  /** Appends inside the caller's transaction; call `announce` after it commits. */
  append(tx: DbOrTx, input: AppendInput): Promise<SessionEvent> {
    return this.appender.append(tx, input);
  }

  /**
   * Appends events through `db` (a caller's transaction, or the database: then one statement shared
   * with concurrent callers); EventAppender.appendMany.
   */
  appendMany(db: DbOrTx, inputs: AppendInput[]): Promise<SessionEvent[]> {
    return this.appender.appendMany(db, inputs);
  }

  /** Appends outside any transaction only if the append guard holds for `guard`; null when it did not. */
  appendUnless(inputs: AppendInput[], guard: string): Promise<SessionEvent[] | null> {
    return this.appender.appendUnless(inputs, guard);
  }

  /** The condition a guarded append must meet, given once before the first append (EventAppender.guardAppends). */
  guardAppends(condition: (value: SQL, now: SQL) => SQL): void {
    this.appender.guardAppends(condition);
  }
  /** Pokes every instance about committed events. Never throws: a lost poke only delays. */
  async announce(events: SessionEvent[]): Promise<void> {
    // Not awaited one by one (a publish never waits for the broker): the pokes of one announce,
    // and of every announce of the same turn, go to Redis in one write.
    const sent: Promise<boolean>[] = [];
    for (const e of events) {
      const poke: EventPoke = { sessionId: e.sessionId, seq: e.seq };
      if (JSON.stringify(e.message).length <= MAX_CARRIED_MESSAGE)
        poke.event = {
          tag: e.tag,
          deliveryId: e.deliveryId,
          kind: e.kind,
          message: e.message,
          gmsUser: e.gmsUser,
          createdAt: e.createdAt.toISOString(),
        };
      sent.push(this.deps.bus.publish('session:event', e.sessionId, poke));
      if (e.gmsUser) sent.push(this.deps.bus.publish('user:event', e.gmsUser, poke));
    }
    await Promise.all(sent);
  }

  /**
   * The event a poke carries, one object per poke: every watcher of a channel gets the same parsed
   * poke (EventBus.watch), so streams taking it share the event, as streams sharing a read do.
   */
  private carried(poke: EventPoke): SessionEvent | null {
    const e = poke.event;
    if (!e) return null;
    let event = carriedEvent.get(poke);
    if (!event) {
      event = {
        sessionId: poke.sessionId,
        seq: poke.seq,
        ...e,
        kind: e.kind ?? null,
        createdAt: new Date(e.createdAt),
      };
      carriedEvent.set(poke, event);
    }
    return event;
  }

  /** Appends (one statement, atomic by itself: no transaction round trips) and announces. */
  async publish(input: AppendInput): Promise<SessionEvent> {
    const [event] = await this.appendMany(this.deps.db, [input]);
    if (!event) throw new Error('event append returned no row');
    await this.announce([event]);
    return event;
  }

  /** Live events of a session after `afterSeq`, in seq order (through `db`: a caller's transaction). */
  async readSession(
    sessionId: string,
    afterSeq: number,
    limit = this.options.batch,
    db: DbOrTx = this.deps.db,
  ): Promise<SessionEvent[]> {
    const rows = await db
      .select()
      .from(sessionEventsTable)
      .where(
        and(
          eq(sessionEventsTable.sessionId, sessionId),
          gt(sessionEventsTable.seq, afterSeq),
          gt(sessionEventsTable.expiresAt, this.deps.clock.now()),
        ),
      )
      .orderBy(asc(sessionEventsTable.seq))
      .limit(limit);
    return rows.map(toEvent);
  }

  /** The seq of a session's last event (0 when it has none), through `db`. */
  async lastSeq(sessionId: string, db: DbOrTx = this.deps.db): Promise<number> {
    const [counter] = await db
      .select({ lastSeq: sessionEventCountersTable.lastSeq })
      .from(sessionEventCountersTable)
      .where(eq(sessionEventCountersTable.sessionId, sessionId));
    return counter?.lastSeq ?? 0;
  }

  /**
   * Every session's last seq as a subquery (`sessionId`, `lastSeq`), for another module to join
   * with its own cursors (push's outbox) without naming this module's tables.
   */
  lastSeqs() {
    return this.deps.db
      .select({
        sessionId: sessionEventCountersTable.sessionId,
        lastSeq: sessionEventCountersTable.lastSeq,
      })
      .from(sessionEventCountersTable)
      .as('event_counters');
  }

  /** The event with this delivery id (the push's `id`), if it is still live. */
  async findByDeliveryId(deliveryId: string): Promise<SessionEvent | null> {
    const [row] = await this.deps.db
      .select()
      .from(sessionEventsTable)
      .where(
        and(
          eq(sessionEventsTable.deliveryId, deliveryId),
          gt(sessionEventsTable.expiresAt, this.deps.clock.now()),
        ),
      )
      .limit(1);
    return row ? toEvent(row) : null;
  }

  /**
   * Events of every session of one device, after a per-session cursor, in insertion order. Not by
   * `created_at`: that is the appending instance's clock when its batch formed, and two instances
   * appending to one session (or one instance's concurrent batches) can give a later seq an
   * earlier time; a page ordered so handed out the later seq first, and the cursor moved past the
   * earlier one for good. `position` is taken under the session's counter lock, so within a
   * session it rises with seq.
   */
  async readUser(gmsUser: string, cursor: UserCursor, limit = this.options.batch): Promise<SessionEvent[]> {
    const rows = await queryRows<{
      session_id: string;
      seq: number;
      tag: string;
      delivery_id: string;
      kind: string | null;
      message: string;
      gms_user: string | null;
      created_at: string | Date;
    }>(
      this.deps.db,
      // The message as text: drivers differ in whether they parse jsonb, and a JSON string message
      // ("refresh") is indistinguishable from its text once one of them has.
      sql`select e.session_id, e.seq, e.tag, e.delivery_id, e.kind, e.message::text as message, e.gms_user, e.created_at
          from ${sessionEventsTable} e
          left join jsonb_each_text(${JSON.stringify(cursor)}::jsonb) c(session_id, seq) on c.session_id = e.session_id
          where e.gms_user = ${gmsUser} and e.seq > coalesce(c.seq::int, 0) and e.expires_at > ${this.deps.clock.now().toISOString()}::timestamptz
          order by e.position
          limit ${limit}`,
    );
    return rows.map((r) => ({
      sessionId: r.session_id,
      seq: Number(r.seq),
      tag: r.tag,
      deliveryId: r.delivery_id,
      kind: r.kind,
      message: JSON.parse(r.message) as unknown,
      gmsUser: r.gms_user,
      createdAt: new Date(r.created_at),
    }));
  }

  /** Live events of one session after `afterSeq`: stored ones first, then new ones as they commit. */
  streamSession(sessionId: string, afterSeq = 0) {
    let last = afterSeq;
    let slot: SweepSlot | null = null;
    return pollingStream<SessionEvent, EventPoke>({
      pollMs: this.options.pollMs,
      watch: (onPoke) => this.watch('session:event', sessionId, onPoke),
      sleep: (wake) => {
        slot ??= this.sweep.slot(() => ({ kind: 'session', sessionId, afterSeq: last }));
        return slot.sleep(wake);
      },
      closed: () => slot?.close(),
      fromPokes: (pokes) => {
        const out: SessionEvent[] = [];
        let at = last;
        for (const poke of pokes) {
          if (poke.seq <= at) continue; // the read had it already
          const event = poke.seq === at + 1 ? this.carried(poke) : null;
          if (!event) return null;
          out.push(event);
          at = poke.seq;
        }
        last = at;
        return out;
      },
      read: async (since) => {
        const batch = await this.shared(`s|${sessionId}|${last}`, since, () =>
          this.readSession(sessionId, last),
        );
        const tail = batch.at(-1);
        if (tail) last = tail.seq;
        return batch;
      },
    });
  }

  /** Live events of every session of one device; each carries the cursor to resume after it. */
  streamUser(gmsUser: string, from: UserCursor = {}) {
    let position: UserCursor = { ...from };
    let positionKey = JSON.stringify(position);
    let slot: SweepSlot | null = null;
    return pollingStream<DeviceEvent, EventPoke>({
      pollMs: this.options.pollMs,
      watch: (onPoke) => this.watch('user:event', gmsUser, onPoke),
      sleep: (wake) => {
        slot ??= this.sweep.slot(() => ({ kind: 'user', gmsUser, cursor: position, cursorKey: positionKey }));
        return slot.sleep(wake);
      },
      closed: () => slot?.close(),
      fromPokes: (pokes) => {
        const out: DeviceEvent[] = [];
        // Committed only if every poke continues the stream (else the stream reads instead).
        let at = position;
        let atKey = positionKey;
        for (const poke of pokes) {
          const last = at[poke.sessionId] ?? 0;
          if (poke.seq <= last) continue; // the read had it already
          const event = poke.seq === last + 1 ? this.carried(poke) : null;
          if (!event) return null;
          // Streams at the same position share the device event (and its cursor), as they
          // share a read's.
          let byPosition = devicePositions.get(event);
          if (!byPosition) {
            byPosition = new Map();
            devicePositions.set(event, byPosition);
          }
          let step = byPosition.get(atKey);
          if (!step) {
            const after: UserCursor = { ...at, [poke.sessionId]: poke.seq };
            step = {
              event: { ...event, cursor: encodeCursor(after) },
              after,
              afterKey: JSON.stringify(after),
            };
            byPosition.set(atKey, step);
          }
          out.push(step.event);
          at = step.after;
          atKey = step.afterKey;
        }
        position = at;
        positionKey = atKey;
        return out;
      },
      read: async (since) => {
        // Streams at the same position share the read and the events it yields, cursors included:
        // with 20,000 subscribers of one device an event is copied and its cursor encoded once.
        const page = await this.shared(`u|${gmsUser}|${positionKey}`, since, () =>
          this.readUserPage(gmsUser, position),
        );
        position = page.after;
        positionKey = page.afterKey;
        return page.events;
      },
    });
  }

  /** The next events of a device after `from`, each with its cursor, and the position after them. */
  private async readUserPage(gmsUser: string, from: UserCursor): Promise<UserPage> {
    const rows = await this.readUser(gmsUser, from);
    if (rows.length === 0) return { events: [], after: from, afterKey: JSON.stringify(from) };
    // A fresh object: `from` may be another page's `after`, which its streams still hold.
    const after: UserCursor = { ...from };
    const events = rows.map((e) => {
      after[e.sessionId] = e.seq;
      return { ...e, cursor: encodeCursor(after) };
    });
    return { events, after, afterKey: JSON.stringify(after) };
  }

  /** Pokes on the topic, and on a transport gap (pokes lost in a Redis outage): both mean "re-read". */
  private async watch(
    topic: 'session:event' | 'user:event',
    key: string,
    onPoke: (poke?: EventPoke) => void,
  ): Promise<() => Promise<void>> {
    const stopGap = this.deps.bus.onGap(() => onPoke());
    try {
      const stop = await this.deps.bus.watch(topic, key, onPoke);
      return async () => {
        stopGap();
        await stop();
      };
    } catch (err) {
      stopGap();
      throw err;
    }
  }

  /**
   * Single-flight: many subscribers of one session or device woken by the same poke read the same
   * rows; they share one query instead of each running its own. (Rows are never changed after
   * insert, so a shared result is as good as a fresh one.)
   */
  private shared<T>(key: string, since: number, read: () => Promise<T>): Promise<T> {
    const running = this.inFlight.get(key);
    // Only a read that started after the caller's latest poke is sure to see what it announced.
    // (A key names one kind of read, `s|…` sessions or `u|…` device pages, so T matches.)
    if (running && running.startedAt > since) return running.rows as Promise<T>;
    const entry = { startedAt: performance.now(), rows: read() };
    this.inFlight.set(key, entry);
    void entry.rows
      .finally(() => {
        if (this.inFlight.get(key) === entry) this.inFlight.delete(key);
      })
      .catch(() => {});
    return entry.rows;
  }
}
