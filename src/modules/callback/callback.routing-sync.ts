import type { RoutingRequestView } from '../routing/routing.manager.js';
import type { CallbackDialog, CallbackRow } from './callback.tables.js';

/** A user-terminated voice callback: the agent's side dials the customer (or the customer dials in). */
export const userTerminated = (cb: Pick<CallbackRow, 'callDirection' | 'mediaType'>) =>
  cb.callDirection === 'USERTERMINATED' && cb.mediaType === 'voice';

/**
 * Whether the device was handed a way to reach the agent (a number to dial, a chat to start): the
 * customer may be on the way, so a lapsed reservation does not send the callback back to the queue.
 * A confirmation or "we will notify you" hands out nothing.
 */
export const customerMayArrive = (dialog: CallbackDialog | null): boolean =>
  dialog?.action === 'DialNumber' || dialog?.action === 'StartChat';

/** What one look at a callback and its routing request calls for (CallbackManager.sync carries it out). */
export type SyncAction =
  | { do: 'nothing' }
  /** The callback ended: withdraw its routing request. */
  | { do: 'cancel-routing'; reason: string }
  /** It needs an agent and has no routing request yet. */
  | { do: 'enqueue' }
  /** Routing ended the request: the callback ends with `reason`. */
  | { do: 'complete'; reason: 'CANCELLED' | 'FAIL_QUEUEING' | 'AGENT_CONNECTED' }
  /** The customer is here and an agent reserved: accept the reservation (when not yet) and connect. */
  | { do: 'connect'; accept: boolean; agentId: string; reservationId: number }
  /** An agent reserved for a user-terminated callback: ask the dialer to call the customer. */
  | { do: 'request-dial'; agentId: string; reservationId: number }
  /** An agent reserved: tell the device (once per reservation). */
  | { do: 'agent-available'; agentId: string; reservationId: number }
  /** The reservation lapsed before the customer confirmed: back to QUEUED. */
  | { do: 'back-to-queue' };

interface Look {
  cb: CallbackRow;
  /** The routing request, when the callback was enqueued and routing still knows it. */
  req: RoutingRequestView | null;
}

type Reserved = RoutingRequestView & { agentId: string; reservationId: number };

const reserved = (req: RoutingRequestView | null): req is Reserved =>
  req !== null &&
  (req.state === 'RESERVED' || req.state === 'ACCEPTED') &&
  Boolean(req.agentId) &&
  req.reservationId !== null;

/**
 * The callback ↔ routing state-transition table, first matching row wins. Each row: the callback's
 * state and flags and the routing request's state it applies to, and the step it calls for.
 */
export const SYNC_TRANSITIONS: readonly {
  when: string;
  applies(l: Look): boolean;
  step(l: Look): SyncAction;
}[] = [
  {
    when: 'COMPLETED and enqueued',
    applies: ({ cb }) => cb.state === 'COMPLETED' && cb.enqueuedAt !== null,
    step: ({ cb }) => ({ do: 'cancel-routing', reason: cb.reason ?? 'COMPLETED' }),
  },
  { when: 'COMPLETED', applies: ({ cb }) => cb.state === 'COMPLETED', step: () => ({ do: 'nothing' }) },
  { when: 'SCHEDULED', applies: ({ cb }) => cb.state === 'SCHEDULED', step: () => ({ do: 'nothing' }) },
  {
    when: 'needs no agent yet (not waiting, customer not here, not user-terminated)',
    applies: ({ cb }) => !(cb.waitForAgent || cb.arrivedAt !== null || userTerminated(cb)),
    step: () => ({ do: 'nothing' }),
  },
  { when: 'not enqueued', applies: ({ cb }) => cb.enqueuedAt === null, step: () => ({ do: 'enqueue' }) },
  { when: 'routing request gone', applies: ({ req }) => req === null, step: () => ({ do: 'nothing' }) },
  {
    when: 'request CANCELLED, or COMPLETED before any connection',
    applies: ({ cb, req }) => req?.state === 'CANCELLED' || (req?.state === 'COMPLETED' && !cb.connectedAt),
    step: ({ req }) => ({
      do: 'complete',
      reason: req?.state === 'CANCELLED' ? 'CANCELLED' : 'FAIL_QUEUEING',
    }),
  },
  {
    when: 'request COMPLETED while PROCESSING',
    applies: ({ cb, req }) => req?.state === 'COMPLETED' && cb.state === 'PROCESSING',
    step: () => ({ do: 'complete', reason: 'AGENT_CONNECTED' }),
  },
  {
    when: 'agent reserved, customer here, not connected',
    applies: ({ cb, req }) => reserved(req) && cb.arrivedAt !== null && !cb.connectedAt,
    step: ({ req }) => {
      const r = req as Reserved;
      return {
        do: 'connect',
        accept: r.state === 'RESERVED',
        agentId: r.agentId,
        reservationId: r.reservationId,
      };
    },
  },
  {
    when: 'agent reserved for a user-terminated callback, no confirmation asked, not dialled',
    applies: ({ cb, req }) =>
      reserved(req) &&
      !cb.arrivedAt &&
      cb.notifiedReservationId !== req.reservationId &&
      userTerminated(cb) &&
      !(cb.waitForAgent && cb.waitForUserConfirm) &&
      !cb.dialRequestedAt,
    step: ({ req }) => {
      const r = req as Reserved;
      return { do: 'request-dial', agentId: r.agentId, reservationId: r.reservationId };
    },
  },
  {
    when: 'agent reserved, device not told of this reservation, not dialled',
    applies: ({ cb, req }) =>
      reserved(req) && !cb.arrivedAt && cb.notifiedReservationId !== req.reservationId && !cb.dialRequestedAt,
    step: ({ req }) => {
      const r = req as Reserved;
      return { do: 'agent-available', agentId: r.agentId, reservationId: r.reservationId };
    },
  },
  {
    when: 'agent reserved (otherwise)',
    applies: ({ req }) => reserved(req),
    step: () => ({ do: 'nothing' }),
  },
  {
    when: 'request WAITING again while ROUTING, customer not here, no number or chat handed out, no dial',
    applies: ({ cb, req }) =>
      req?.state === 'WAITING' &&
      cb.state === 'ROUTING' &&
      !cb.arrivedAt &&
      !customerMayArrive(cb.dialog) &&
      !cb.dialRequestedAt,
    step: () => ({ do: 'back-to-queue' }),
  },
];

/** The step the table calls for (`nothing` when no row applies). */
export function syncAction(look: Look): SyncAction {
  for (const row of SYNC_TRANSITIONS) if (row.applies(look)) return row.step(look);
  return { do: 'nothing' };
}

/** Whether the callback's routing request must be read to decide (it was enqueued). */
export const needsRoutingRequest = (cb: CallbackRow) =>
  cb.state !== 'COMPLETED' && cb.state !== 'SCHEDULED' && cb.enqueuedAt !== null;
