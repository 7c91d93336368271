import type { QueuePosition } from '../routing/routing.manager.js';

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
