import type { BusSubscription } from '../../pubsub/event-bus.js';
import type { ThresholdOptions } from './ewt.js';
import type { JsonObject, RequestState, ReservationOutcome } from './routing.tables.js';

export type { JsonObject, RequestState };

/**
 * The routing seam. The callback and chat modules only ever talk to a `Router`: this engine
 * (`InternalRouter`) is one implementation; an external router (e.g. a URS bridge) implements
 * the same interface — see docs/routing.md.
 */
export interface Router {
  /** Which implementation answers (`internal` for this engine). */
  readonly kind: string;
  /**
   * Puts a request in its virtual queue (created on first use). Idempotent while the request is
   * active: enqueuing an id that is already waiting/reserved/accepted in the same queue returns
   * it unchanged; a finished id can be enqueued again (a new arrival).
   * Throws ValidationError for a bad target, queue name, priority or data.
   */
  enqueue(input: EnqueueInput): Promise<RoutingRequestView>;
  /**
   * Withdraws a waiting or reserved request (counted as abandoned); a reserved agent goes back to
   * READY. Returns false when there is nothing to cancel (unknown, finished or already accepted).
   */
  cancel(requestId: string, reason?: string): Promise<boolean>;
  /** Position and EWT of an active request. NotFoundError when it is not active. */
  position(requestId: string, thresholds?: ThresholdOptions): Promise<QueuePosition>;
  /** The durable state of the latest request with this id (null when never enqueued). */
  get(requestId: string): Promise<RoutingRequestView | null>;
  /**
   * Reservation lifecycle events for one request (or every request with null). Delivery is
   * at-most-once: treat an event as a prompt to read `get(requestId)`, which is the record.
   */
  subscribe(requestId: string | null): BusSubscription<ReservationEvent>;
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
