import type { VirtualQueueRow } from './routing.tables.js';
import type { ThresholdOptions } from './routing.types.js';

/**
 * Estimated wait time (EWT).
 *
 * A request at `position` p needs an agent. The `ready` matching agents take the first `ready`
 * requests at once, so a request at p <= ready waits ~0 s. Beyond that, the `staffed` matching
 * agents (ready, reserved, busy or in after-call work) each free up about once per average
 * handle time (AHT), so the queue drains at staffed/AHT requests per second:
 *
 *     eta = ceil((p - ready) * AHT / staffed)        (0 when p <= ready)
 *
 * With no staffed matching agent there is no estimate (null → GMS's "n/a"). AHT is the queue's
 * exponentially weighted average of completed handle times, or a default until one completes.
 * The estimate never decreases as the position grows.
 */
export interface EwtInput {
  position: number;
  readyAgents: number;
  staffedAgents: number;
  averageHandleSeconds: number;
}

export function estimateWaitSeconds(input: EwtInput): number | null {
  const { position, readyAgents, staffedAgents, averageHandleSeconds } = input;
  if (staffedAgents <= 0) return null;
  const needing = position - readyAgents;
  if (needing <= 0) return 0;
  return Math.ceil((needing * Math.max(0, averageHandleSeconds)) / staffedAgents);
}

/** The queue's AHT for EWT: its weighted average once an interaction completed, else its default. */
export function queueHandleSeconds(vq: VirtualQueueRow | undefined, fallback: number): number {
  if (vq && vq.handleSamples > 0 && vq.averageHandleSeconds !== null) return vq.averageHandleSeconds;
  return vq?.defaultHandleSeconds ?? fallback;
}

export const DEFAULT_THRESHOLDS = { etaThresholdSeconds: 35, positionThreshold: 5 } as const;

/**
 * Passed when there is no estimate (reason "eta n/a", as the seed's capture shows) or when both
 * eta and position are within their thresholds (reason "eta <= 35 and position <=5 ", spacing
 * and trailing space exactly as GMS prints it). Otherwise not passed, reason
 * "eta > 35 or position > 5" (the seed shows no capture of this case; this wording is ours).
 */
export function agentReadyThreshold(
  eta: number | null,
  position: number,
  options: ThresholdOptions = {},
): { passed: boolean; reason: string } {
  const etaMax = options.etaThresholdSeconds ?? DEFAULT_THRESHOLDS.etaThresholdSeconds;
  const posMax = options.positionThreshold ?? DEFAULT_THRESHOLDS.positionThreshold;
  if (eta === null) return { passed: true, reason: 'eta n/a' };
  if (eta <= etaMax && position <= posMax)
    return { passed: true, reason: `eta <= ${etaMax} and position <=${posMax} ` };
  return { passed: false, reason: `eta > ${etaMax} or position > ${posMax}` };
}
