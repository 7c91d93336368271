import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { PreparedSql } from '../../db/prepared-queries.js';
import { sessionEventsTable } from './event.tables.js';

/**
 * Where a sleeping stream is: a device stream's per-session cursor (with `cursorKey`, its JSON,
 * which streams at one position share), or a session stream's seq.
 */
export type SleeperPosition =
  | { kind: 'user'; gmsUser: string; cursor: Record<string, number>; cursorKey: string }
  | { kind: 'session'; sessionId: string; afterSeq: number };

/** Streams at one position share a question. Built at the sweep, not at each sleep (20,000 a poke). */
const keyOf = (p: SleeperPosition) =>
  p.kind === 'user' ? `u|${p.gmsUser}|${p.cursorKey}` : `s|${p.sessionId}|${p.afterSeq}`;

/**
 * A stream's place in the sweep for its whole life. Asleep or not is a field of it, so a stream
 * that sleeps after every event (a device stream, between two pokes) allocates nothing to do so:
 * a new entry per sleep (the position, the entry, the set's growth) was ~600 bytes an event that
 * lived until the device's next event, copied and promoted by the scavenges (BENCHMARKS.md).
 */
export interface SweepSlot {
  /**
   * Sleeps until a sweep finds something after the stream's position (read at the sweep: a
   * stream's position does not change while it sleeps); `wake` runs once. Answers the function
   * that stops waiting.
   */
  sleep(wake: () => void): () => void;
  /** The stream is done: it leaves the sweep. */
  close(): void;
}

/** A stream's slot: one object for the stream's life (20,000 of them at 20,000 subscribers). */
class Sleeper implements SweepSlot {
  /** Null while awake. */
  wake: (() => void) | null = null;
  /** Counts sleeps: a sweep wakes a stream only if it still sleeps the sleep the sweep asked about. */
  sleeps = 0;
  readonly cancel = () => {
    this.wake = null;
  };

  constructor(
    readonly position: () => SleeperPosition,
    private readonly leave: (sleeper: Sleeper) => void,
  ) {}

  sleep(wake: () => void): () => void {
    this.wake = wake;
    this.sleeps++;
    return this.cancel;
  }

  close(): void {
    this.wake = null;
    this.leave(this);
  }
}

/** Positions asked about per statement (each an index probe). */
const CHUNK = 1_000;

/**
 * The poll of the streams that have read everything (the catch-all behind pokes: a poke lost in
 * Redis only delays delivery until the next sweep). Every `pollMs` one store-wide question per
 * chunk of positions, "which of these have a live event after them", instead of one read per
 * stream: each of 20,000 device streams read once per tick, 4,000 reads a second at the default
 * 5 s, all at the same moment. Only the streams that are behind are woken, and they read as after
 * a poke (streams at one position share the read). Exact as the per-stream reads were: a position
 * is compared with what is stored, so an event whose poke was lost is found at the next sweep.
 */
export class EventSweep {
  private readonly sleepers = new Set<Sleeper>();
  private readonly statements = new PreparedSql();
  private timer: NodeJS.Timeout | null = null;
  private sweeping = false;

  constructor(
    private readonly db: Db,
    private readonly pollMs: number,
    private readonly now: () => Date,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Enters a stream whose position `position` tells; sleeping and waking are then `slot.sleep`. */
  slot(position: () => SleeperPosition): SweepSlot {
    const sleeper = new Sleeper(position, this.leave);
    this.sleepers.add(sleeper);
    if (!this.timer) {
      this.timer = setInterval(() => void this.sweep(), this.pollMs);
      this.timer.unref();
    }
    return sleeper;
  }

  private readonly leave = (sleeper: Sleeper) => {
    this.sleepers.delete(sleeper);
  };

  /** One pass over every sleeping stream. */
  async sweep(): Promise<void> {
    if (this.sleepers.size === 0 && this.timer) {
      // No stream left: stop (the next one starts it again).
      clearInterval(this.timer);
      this.timer = null;
      return;
    }
    if (this.sweeping) return; // the last one is still running: this tick is covered by it
    this.sweeping = true;
    try {
      // Streams at the same position share one question.
      type Asleep = { sleeper: Sleeper; sleep: number };
      const byKey = new Map<string, { position: SleeperPosition; asleep: Asleep[] }>();
      for (const sleeper of this.sleepers) {
        if (!sleeper.wake) continue;
        const position = sleeper.position();
        const key = keyOf(position);
        const asleep = { sleeper, sleep: sleeper.sleeps };
        const entry = byKey.get(key);
        if (entry) entry.asleep.push(asleep);
        else byKey.set(key, { position, asleep: [asleep] });
      }
      const entries = [...byKey.values()];
      for (let i = 0; i < entries.length; i += CHUNK) {
        const chunk = entries.slice(i, i + CHUNK);
        const behind = await this.behind(chunk.map((e) => e.position));
        for (const index of behind)
          for (const { sleeper, sleep } of chunk[index]?.asleep ?? []) {
            // Woken meanwhile (a poke), or asleep again at a newer position: nothing to do.
            const wake = sleeper.wake;
            if (!wake || sleeper.sleeps !== sleep) continue;
            sleeper.wake = null;
            wake();
          }
      }
    } catch (err) {
      this.onError(err);
    } finally {
      this.sweeping = false;
    }
  }

  /** Indexes of the positions that have a live event after them. */
  private async behind(positions: SleeperPosition[]): Promise<number[]> {
    const users: { k: number; u: string; c: Record<string, number> }[] = [];
    const sessions: { k: number; s: string; q: number }[] = [];
    positions.forEach((p, k) => {
      if (p.kind === 'user') users.push({ k, u: p.gmsUser, c: p.cursor });
      else sessions.push({ k, s: p.sessionId, q: p.afterSeq });
    });
    const now = this.now().toISOString();
    const e = sessionEventsTable;
    const out: number[] = [];
    if (users.length > 0) {
      const rows = await this.statements.rows<{ k: number }>(
        this.db,
        'users',
        () =>
          sql`select x.k from jsonb_to_recordset(${sql.placeholder('positions')}::jsonb) as x(k int, u text, c jsonb)
              where exists (
                select 1 from ${e}
                where ${e.gmsUser} = x.u and ${e.expiresAt} > ${sql.placeholder('now')}::timestamptz
                  and ${e.seq} > coalesce((x.c ->> ${e.sessionId})::int, 0)
              )`,
        { positions: JSON.stringify(users), now },
      );
      for (const r of rows) out.push(Number(r.k));
    }
    if (sessions.length > 0) {
      const rows = await this.statements.rows<{ k: number }>(
        this.db,
        'sessions',
        () =>
          sql`select x.k from jsonb_to_recordset(${sql.placeholder('positions')}::jsonb) as x(k int, s text, q int)
              where exists (
                select 1 from ${e}
                where ${e.sessionId} = x.s and ${e.seq} > x.q
                  and ${e.expiresAt} > ${sql.placeholder('now')}::timestamptz
              )`,
        { positions: JSON.stringify(sessions), now },
      );
      for (const r of rows) out.push(Number(r.k));
    }
    return out;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sleepers.clear();
  }
}
