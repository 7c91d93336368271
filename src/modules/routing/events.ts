import type { EventBus } from '../../pubsub/event-bus.js';
import type { AgentState } from './routing.tables.js';
import type { RequestState, ReservationEvent, ReservationEventKind } from './routing.types.js';

/** `routing:agent`, keyed by agent id (and published once more with no key for watchers of all agents). */
export interface AgentEvent {
  agentId: string;
  /** The agent's state after the change. */
  state: AgentState;
  at: string;
  /** The reservation change that caused it, if any. */
  reservation: ReservationEvent | null;
}

export type QueueEventKind = 'ENQUEUED' | 'RESERVED' | 'REQUEUED' | 'ACCEPTED' | 'CANCELLED' | 'COMPLETED';

/** `routing:queue`, keyed by virtual queue: something changed in that queue. */
export interface QueueEvent {
  virtualQueue: string;
  kind: QueueEventKind;
  requestId: string;
  at: string;
}

export function reservationEvent(
  kind: ReservationEventKind,
  req: { reservationId: number | null; requestId: string; virtualQueue: string },
  agentId: string,
  requestState: RequestState,
  at: Date,
  expiresAt: Date,
): ReservationEvent {
  return {
    kind,
    reservationId: req.reservationId ?? 0,
    requestId: req.requestId,
    virtualQueue: req.virtualQueue,
    agentId,
    requestState,
    at: at.toISOString(),
    expiresAt: expiresAt.toISOString(),
  };
}

/**
 * Events gathered while a transaction runs and published only after it committed: a rolled-back
 * change never announces itself. The bus is at-most-once; the rows are the record.
 */
export class RoutingEvents {
  readonly reservations: ReservationEvent[] = [];
  readonly agents: AgentEvent[] = [];
  readonly queues: QueueEvent[] = [];

  reservation(event: ReservationEvent): void {
    this.reservations.push(event);
  }

  agent(agentId: string, state: AgentState, at: Date, reservation: ReservationEvent | null): void {
    this.agents.push({ agentId, state, at: at.toISOString(), reservation });
  }

  queue(virtualQueue: string, kind: QueueEventKind, requestId: string, at: Date): void {
    this.queues.push({ virtualQueue, kind, requestId, at: at.toISOString() });
  }

  get size(): number {
    return this.reservations.length + this.agents.length + this.queues.length;
  }

  async publish(bus: EventBus): Promise<void> {
    if (this.size === 0) return;
    const sends: Promise<boolean>[] = [];
    for (const e of this.reservations) {
      sends.push(bus.publish('routing:reservation', e.requestId, e));
      sends.push(bus.publish('routing:reservation', null, e));
    }
    for (const e of this.agents) {
      sends.push(bus.publish('routing:agent', e.agentId, e));
      sends.push(bus.publish('routing:agent', null, e));
    }
    // Many changes to one queue in one pass need one poke per queue, not one per request.
    const byQueue = new Map<string, QueueEvent>();
    for (const e of this.queues) byQueue.set(e.virtualQueue, e);
    for (const e of byQueue.values()) sends.push(bus.publish('routing:queue', e.virtualQueue, e));
    await Promise.all(sends);
  }
}
