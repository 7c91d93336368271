import { eq, lt } from 'drizzle-orm';
import type { Deps } from '../../deps.js';
import { decodeCursor, type EventStore, type SessionEvent, type UserCursor } from '../event/event.manager.js';
import { pushCometCursorsTable } from './push.tables.js';

/** What a CometD client receives on `/_genesys` (the seed's "Push notification data"). */
export interface CometPush {
  id: string;
  message: unknown;
  tag: string;
}

export const toCometPush = (e: SessionEvent): CometPush => ({
  id: e.deliveryId,
  message: e.message,
  tag: e.tag,
});

/** Hands one push to the device's CometD clients; `event` says which session event it is. */
type Deliver = (push: CometPush, event: SessionEvent) => Promise<void>;

interface Pump {
  refs: number;
  stopped: boolean;
  stop(): Promise<void>;
}

declare module '../../managers.types.js' {
  interface Managers {
    comet: CometManager;
  }
}

/**
 * Feeds each device's CometD clients on this instance from the durable event store: one pump per
 * gms_user with at least one `/_genesys` subscriber here. A pump reads `streamUser` from the
 * device's stored position, hands each event to the adapter, then records the new position, so a
 * device that reconnects (to any instance) gets what it has not been handed yet, and a lost bus
 * poke only delays (the stream polls).
 */
export class CometManager {
  private readonly pumps = new Map<string, Pump>();

  constructor(
    private readonly deps: Deps,
    private readonly events: EventStore,
  ) {}

  async position(gmsUser: string): Promise<UserCursor> {
    const [row] = await this.deps.db
      .select({ cursor: pushCometCursorsTable.cursor })
      .from(pushCometCursorsTable)
      .where(eqUser(gmsUser));
    return row?.cursor ?? {};
  }

  private async record(gmsUser: string, cursor: UserCursor): Promise<void> {
    const now = this.deps.clock.now();
    await this.deps.db
      .insert(pushCometCursorsTable)
      .values({ gmsUser, cursor, updatedAt: now })
      .onConflictDoUpdate({ target: pushCometCursorsTable.gmsUser, set: { cursor, updatedAt: now } });
  }

  /** A subscriber of `gmsUser` appeared on this instance; the first one starts the pump. */
  acquire(gmsUser: string, deliver: Deliver): void {
    const existing = this.pumps.get(gmsUser);
    if (existing) {
      existing.refs++;
      return;
    }
    this.pumps.set(gmsUser, this.startPump(gmsUser, deliver));
  }

  /** A subscriber left; the last one stops the pump. */
  async release(gmsUser: string): Promise<void> {
    const pump = this.pumps.get(gmsUser);
    if (!pump) return;
    if (--pump.refs > 0) return;
    this.pumps.delete(gmsUser);
    await pump.stop();
  }

  /** Devices with a pump on this instance. */
  activeDevices(): number {
    return this.pumps.size;
  }

  private startPump(gmsUser: string, deliver: Deliver): Pump {
    let current: ReturnType<EventStore['streamUser']> | null = null;
    const pump: Pump = {
      refs: 1,
      stopped: false,
      stop: async () => {
        pump.stopped = true;
        await current?.return();
        await running;
      },
    };
    const run = async () => {
      while (!pump.stopped) {
        try {
          current = this.events.streamUser(gmsUser, await this.position(gmsUser));
          for await (const event of current) {
            await deliver(toCometPush(event), event);
            await this.record(gmsUser, decodeCursor(event.cursor));
            if (pump.stopped) break;
          }
        } catch (err) {
          // Storage unreachable for a moment: start over from the recorded position.
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
