import { buildAvailabilityV1 } from '../office-hours/office-hours.legacy.js';
import type { QueuePosition } from '../routing/routing.manager.js';
import { DesiredTimeUnavailableError, DuplicateCallbackError } from './callback.errors.js';
import type { CallbackRow } from './callback.tables.js';

/** A callback as GMS's callback queries show it (`_id`, `_callback_state`, …, then user data). */
export type CallbackRecord = Record<string, unknown>;

/** The body of GMS's `check-queue-position` answer, keys in the seed's order. */
export interface CheckQueuePositionBody {
  _position: number;
  _eta: number | 'n/a';
  _total_waiting: number;
  _agent_ready_threshold_passed: boolean;
  _agent_ready_threshold_passed_reason: string;
}

/**
 * Builds the legacy JSON the callback module returns for `check-queue-position`, field for field
 * as the seed's captures: numbers for `_position`, `_total_waiting` and `_eta` (or "n/a").
 */
export function checkQueuePositionBody(position: QueuePosition): CheckQueuePositionBody {
  return {
    _position: position.position,
    _eta: position.eta === null ? 'n/a' : position.eta,
    _total_waiting: position.totalWaiting,
    _agent_ready_threshold_passed: position.agentReadyThresholdPassed,
    _agent_ready_threshold_passed_reason: position.reason,
  };
}

/** The GMS record (reference §7.4): always-returned keys, lookup keys, then user data. */
export function callbackRecord(cb: CallbackRow): CallbackRecord {
  const out: CallbackRecord = {
    _id: cb.id,
    _service_name: cb.serviceName,
    _callback_state: cb.state,
    _desired_time: (cb.desiredTime ?? cb.createdAt).toISOString(),
    _expiration_time: cb.expiresAt.toISOString(),
    _customer_number: cb.customerNumber ?? '',
    _url: `${cb.baseUrl}/genesys/1/service/callback/${cb.serviceName}/${cb.id}`,
  };
  if (cb.reason) out._callback_reason = cb.reason;
  out._media_type = cb.mediaType;
  out._call_direction = cb.callDirection;
  out._urs_virtual_queue = cb.virtualQueue;
  if (cb.target) out._target = cb.target;
  if (cb.agentId) out._agent_id = cb.agentId;
  out._connect_count = cb.connectCount;
  for (const key of (cb.params._customer_lookup_keys ?? '').split(',').map((s) => s.trim()))
    if (key && out[key] === undefined && cb.params[key] !== undefined) out[key] = cb.params[key];
  for (const [k, v] of Object.entries(cb.userData)) if (out[k] === undefined) out[k] = v;
  return out;
}

/**
 * The extra keys of a callback error's GMS body, after `message`, `exception`, `code`, `phrase`:
 * `availability` for a refused desired time (the v1 availability shape: the free slots offered
 * instead), `_id` of the callback already in queue for a duplicate. Other errors have none.
 */
export function callbackErrorFields(err: unknown): Record<string, unknown> {
  if (err instanceof DesiredTimeUnavailableError)
    return { availability: buildAvailabilityV1(err.availability) };
  if (err instanceof DuplicateCallbackError) return { _id: err.existingId };
  return {};
}
