import type { BusSubscription } from '../../pubsub/event-bus.js';
import type {
  EnqueueInput,
  QueuePosition,
  ReservationEvent,
  RoutingRequestView,
  ThresholdOptions,
} from './routing.types.js';

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
