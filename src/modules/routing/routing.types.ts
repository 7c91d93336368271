import type { JsonObject, RequestState, ReservationOutcome } from './routing.tables.js';

export type { JsonObject, RequestState };

/** GMS callback's "agent ready threshold" (`_agent_ready_threshold_passed`). */
export interface ThresholdOptions {
  /** Default 35 s. */
  etaThresholdSeconds?: number;
  /** Default 5. */
  positionThreshold?: number;
}

export interface EnqueueInput {
  /** The session or callback id: at most one active request per id. */
  requestId: string;
  virtualQueue: string;
  /** A target (see target.ts); optional when the virtual queue has a default target. */
  target?: string | null;
  /** Higher first; default 0. */
  priority?: number;
  /** Opaque JSON shown to the agent with the reservation (e.g. the session's user data). */
  data?: JsonObject;
}

export interface RoutingRequestView {
  requestId: string;
  virtualQueue: string;
  target: string;
  priority: number;
  data: JsonObject;
  state: RequestState;
  enqueuedAt: Date;
  /** The agent reserved for, or handling, the request. */
  agentId: string | null;
  reservationId: number | null;
  reservationExpiresAt: Date | null;
  /** How many times an agent was reserved for this request. */
  reservationCount: number;
  acceptedAt: Date | null;
  completedAt: Date | null;
  cancelledAt: Date | null;
  cancelReason: string | null;
}

export interface QueuePosition {
  requestId: string;
  state: RequestState;
  /** 1 for the next request served; 0 once an agent is reserved or connected. */
  position: number;
  /** Requests waiting in the virtual queue. */
  totalWaiting: number;
  /** Estimated seconds until an agent is reserved; null when there is no estimate ("n/a"). */
  eta: number | null;
  agentReadyThresholdPassed: boolean;
  /** GMS's wording: "eta <= 35 and position <=5 ", "eta n/a", … */
  reason: string;
}

export type ReservationEventKind = 'RESERVED' | 'ACCEPTED' | ReservationOutcome;

/** Small and JSON-safe: it crosses Redis. */
export interface ReservationEvent {
  kind: ReservationEventKind;
  reservationId: number;
  requestId: string;
  virtualQueue: string;
  agentId: string;
  /** The request's state after the event (WAITING again after REJECTED/EXPIRED/RELEASED). */
  requestState: RequestState;
  at: string;
  expiresAt: string;
}
