import { eq, lt, sql } from 'drizzle-orm';
import type { Deps } from '../../deps.js';
import type { Logger } from '../../log/logger.js';
import { type DeviceEvent, decodeCursor, type EventStore, type UserCursor } from '../event/event.manager.js';
import { pushCometCursorsTable } from './push.tables.js';

/** Hands one event to one CometD client (the adapter presents it as the client's push). */
type Deliver = (event: DeviceEvent) => Promise<void>;

/** Pushes handed to one client and not yet written to its transport, at most. */
export const COMET_WINDOW = 100;

interface Pump {
  gmsUser: string;
  stopped: boolean;
  /** Handed to faye for this client, not yet written to its transport. */
  unwritten: number;
  /** Set when a handed push was lost on a dead connection: re-read from the recorded position. */
  rewind: boolean;
  wake: (() => void) | null;
  current: ReturnType<EventStore['streamUser']> | null;
  stop(): Promise<void>;
}

declare module '../../managers.types.js' {
  interface Managers {
    comet: CometManager;
  }
}

/**
 * Feeds CometD clients on this instance from the durable event store: one pump per subscribed
 * client (faye clientId). A pump reads `streamUser` from the device's recorded position and hands
 * events to the adapter, at most COMET_WINDOW ahead of what was written to the client's transport
 * (a slow or vanished client holds a bounded number, never a growing inbox). The position
 * (per gms_user, per session the highest seq) advances only when a push is **written** to a
 * client, or, for a client of the acknowledgement extension, when the client acknowledges it
 * (`advance`), so a client that vanishes before fetching what faye queued for it (or before acking
 * what was written to it), and comes back with a new handshake (to any instance), gets it again
 * from the event store. A lost bus poke only delays (the stream polls).
 */
export class CometManager {
  private readonly pumps = new Map<string, Pump>();
  /** The CometD traffic log (push.cometd.ts): what each pump reads and hands over, at debug. */
  private readonly traffic: Logger;

  constructor(
    private readonly deps: Deps,
    private readonly events: EventStore,
  ) {
    this.traffic = deps.logger.child({ component: 'cometd' }, deps.config.push.cometdLogLevel ?? undefined);
  }

  async position(gmsUser: string): Promise<UserCursor> {
    const [row] = await this.deps.db
      .select({ cursor: pushCometCursorsTable.cursor })
      .from(pushCometCursorsTable)
      .where(eqUser(gmsUser));
    return row?.cursor ?? {};
  }

  /** Advances the device's position in one session to `seq` (never backwards: clients race). */
  private async record(gmsUser: string, sessionId: string, seq: number): Promise<void> {
    const now = this.deps.clock.now();
    const c = pushCometCursorsTable.cursor;
    await this.deps.db
      .insert(pushCometCursorsTable)
      .values({ gmsUser, cursor: { [sessionId]: seq }, updatedAt: now })
      .onConflictDoUpdate({
        target: pushCometCursorsTable.gmsUser,
        set: {
          cursor: sql`${c} || jsonb_build_object(${sessionId}::text, greatest(coalesce((${c}->>${sessionId}::text)::int, 0), ${seq}::int))`,
          updatedAt: now,
        },
      });
  }

  /** Client `clientId` of `gmsUser` subscribed on this instance: start its pump. */
  acquire(clientId: string, gmsUser: string, deliver: Deliver): void {
    if (this.pumps.has(clientId)) return;
    this.pumps.set(clientId, this.startPump(clientId, gmsUser, deliver));
  }

  /** The client left (unsubscribed, disconnected or timed out): stop its pump. */
  async release(clientId: string): Promise<void> {
    const pump = this.pumps.get(clientId);
    if (!pump) return;
    this.pumps.delete(clientId);
    this.traffic.debug('cometd pump stop', { clientId, unwritten: pump.unwritten });
    await pump.stop();
  }

  /** A push handed to client `clientId` was written to its transport: its pump may hand one more. */
  written(clientId: string): void {
    const pump = this.pumps.get(clientId);
    if (pump && pump.unwritten > 0) {
      pump.unwritten--;
      pump.wake?.();
    }
  }

  /**
   * The device `gmsUser` has session `sessionId`'s pushes up to `seq`: its position moves past them
   * (on write for plain clients, on the client's ack for clients of the acknowledgement extension).
   * Never throws (storage down: the position stays behind, and a reconnecting client gets the push
   * again — at least once).
   */
  async advance(gmsUser: string, sessionId: string, seq: number): Promise<void> {
    try {
      await this.record(gmsUser, sessionId, seq);
    } catch (err) {
      this.deps.logger.warn('comet position not recorded', { err });
    }
  }

  /** A push handed to `clientId` was lost (its connection was gone): re-read from the position. */
  lost(clientId: string): void {
    const pump = this.pumps.get(clientId);
    if (!pump) return;
    this.traffic.debug('cometd pump rewind', { clientId, unwritten: pump.unwritten });
    pump.rewind = true;
    pump.wake?.();
    void pump.current?.return();
  }

  /** CometD clients with a pump on this instance. */
  activeDevices(): number {
    return this.pumps.size;
  }

  private startPump(clientId: string, gmsUser: string, deliver: Deliver): Pump {
    const pump: Pump = {
      gmsUser,
      stopped: false,
      unwritten: 0,
      rewind: false,
      wake: null,
      current: null,
      stop: async () => {
        pump.stopped = true;
        pump.wake?.();
        await pump.current?.return();
        await running;
      },
    };
    const roomToHand = () =>
      new Promise<void>((resolve) => {
        pump.wake = () => {
          pump.wake = null;
          resolve();
        };
      });
    const run = async () => {
      // What this pump handed so far (the recorded position is what was written).
      let handed: UserCursor | null = null;
      while (!pump.stopped) {
        try {
          if (handed === null || pump.rewind) {
            pump.rewind = false;
            pump.unwritten = 0;
            handed = await this.position(gmsUser);
            this.traffic.debug('cometd pump reads', { clientId, from: handed });
          }
          pump.current = this.events.streamUser(gmsUser, handed);
          for await (const event of pump.current) {
            if (pump.unwritten >= COMET_WINDOW)
              this.traffic.debug('cometd pump window full', { clientId, unwritten: pump.unwritten });
            while (pump.unwritten >= COMET_WINDOW && !pump.stopped && !pump.rewind) await roomToHand();
            if (pump.stopped || pump.rewind) break;
            pump.unwritten++;
            this.traffic.debug('cometd pump hands', {
              clientId,
              push: event.deliveryId,
              session: event.sessionId,
              seq: event.seq,
            });
            await deliver(event);
            handed = decodeCursor(event.cursor);
          }
        } catch (err) {
          // Storage unreachable for a moment: start over from what was handed.
          this.deps.logger.warn('comet delivery interrupted', { err });
          await new Promise((resolve) => setTimeout(resolve, this.deps.config.push.eventPollMs).unref());
        }
      }
    };
    const running = run();
    return pump;
  }

  async close(): Promise<void> {
    const pumps = [...this.pumps.values()];
    this.pumps.clear();
    await Promise.all(pumps.map((p) => p.stop()));
  }

  /** Forgets positions of devices not seen for the retention period. */
  async sweep(): Promise<number> {
    const before = new Date(this.deps.clock.now().getTime() - this.deps.config.push.retentionSeconds * 1000);
    const rows = await this.deps.db
      .delete(pushCometCursorsTable)
      .where(lt(pushCometCursorsTable.updatedAt, before))
      .returning({ u: pushCometCursorsTable.gmsUser });
    return rows.length;
  }
}

const eqUser = (gmsUser: string) => eq(pushCometCursorsTable.gmsUser, gmsUser);
