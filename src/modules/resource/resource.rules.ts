import { randomInt } from 'node:crypto';
import { ValidationError } from '../../errors.js';

/** Pure rules of the resource module: validation, number normalisation, access codes, call matching. */

export type AllocationStrategy = 'random' | 'round-robin';

export const DEFAULT_GROUP_NAME = 'DNIS';
export const DEFAULT_BOOKING_TIMEOUT_SECONDS = 30;
export const DEFAULT_ACCESS_CODE_LENGTH = 6;
export const MAX_BOOKING_TIMEOUT_SECONDS = 86_400;
export const MAX_ACCESS_CODE_LENGTH = 12;

const NAME_MAX = 100;
const NUMBER_MAX = 64;
// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

export function validName(value: string | null | undefined, field: string, what: string): string {
  const name = (value ?? '').trim();
  if (!name) throw new ValidationError('resource/invalid_name', `${what} name must not be empty`, field);
  if (name.length > NAME_MAX || CONTROL_CHARS.test(name))
    throw new ValidationError(
      'resource/invalid_name',
      `${what} name must be at most ${NAME_MAX} printable characters`,
      field,
    );
  return name;
}

export function validAccessNumber(value: string | null | undefined, field = 'accessNumber'): string {
  const number = (value ?? '').trim();
  if (!number || number.length > NUMBER_MAX || CONTROL_CHARS.test(number) || !numberKey(number))
    throw new ValidationError(
      'resource/invalid_access_number',
      `Access number must be 1-${NUMBER_MAX} printable characters, e.g. 1-800-1234`,
      field,
    );
  return number;
}

export function parseAllocation(value: string, field = 'allocation'): AllocationStrategy {
  const v = value.trim().toLowerCase().replace('_', '-');
  if (v === 'random' || v === 'round-robin') return v;
  throw new ValidationError(
    'resource/invalid_allocation',
    `Unknown allocation '${value}': use random or round-robin`,
    field,
  );
}

export function validTimeoutSeconds(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 1 || value > MAX_BOOKING_TIMEOUT_SECONDS)
    throw new ValidationError(
      'resource/invalid_timeout',
      `Booking expiration timeout must be a whole number of seconds between 1 and ${MAX_BOOKING_TIMEOUT_SECONDS}`,
      field,
    );
  return value;
}

export function validCodeLength(value: number, field = 'accessCodeLength'): number {
  if (!Number.isInteger(value) || value < 1 || value > MAX_ACCESS_CODE_LENGTH)
    throw new ValidationError(
      'resource/invalid_code_length',
      `Access code length must be between 1 and ${MAX_ACCESS_CODE_LENGTH}`,
      field,
    );
  return value;
}

const PHONE_LIKE = /^\+?[\d\s().\-/]+$/;

/**
 * The form numbers are compared in: phone-like values (`1-800-1234`, `+1 (650) 466-9999`) keep only
 * their digits, so an IVR that reports the DNIS without punctuation still matches; anything else
 * (a SIP URI, a name) is compared case-insensitively as written.
 */
export function numberKey(value: string): string {
  const trimmed = value.trim();
  if (PHONE_LIKE.test(trimmed)) return trimmed.replace(/\D/g, '');
  return trimmed.toLowerCase();
}

/** Random decimal digits from a CSPRNG: a guessable code would defeat its purpose. */
export function randomAccessCode(length: number): string {
  let code = '';
  for (let i = 0; i < length; i++) code += String(randomInt(0, 10));
  return code;
}

export interface MatchCandidate {
  phoneKey: string | null;
  accessCode: string | null;
  startsAt: Date;
}

/** Shortest tail two phone numbers must share when one carries a country or trunk prefix. */
const MIN_SUFFIX_DIGITS = 7;

/**
 * How well a booking fits a call, lower is better; null when it must not match.
 * - Access code: a booking issued with a code matches only that code, and a call that presents a
 *   code matches only bookings with that code (the code is the extra authentication).
 * - ANI: a booking with a phone number matches the same number (exactly = 0, or the same national
 *   number with a country prefix on one side = 1); a booking without one accepts any caller (2).
 *   Without an ANI the phone number is not compared (the "DNIS only" flow).
 */
export function matchRank(
  candidate: MatchCandidate,
  call: { phoneKey: string | null; accessCode: string | null },
): number | null {
  if ((candidate.accessCode ?? null) !== call.accessCode) return null;
  if (call.phoneKey === null) return 0;
  if (candidate.phoneKey === null) return 2;
  if (candidate.phoneKey === call.phoneKey) return 0;
  const [shorter, longer] =
    candidate.phoneKey.length < call.phoneKey.length
      ? [candidate.phoneKey, call.phoneKey]
      : [call.phoneKey, candidate.phoneKey];
  if (/^\d+$/.test(longer) && shorter.length >= MIN_SUFFIX_DIGITS && longer.endsWith(shorter)) return 1;
  return null;
}

/** Best candidate first: by rank, then the most recent booking. */
export function rankCandidates<T extends MatchCandidate>(
  candidates: T[],
  call: { phoneKey: string | null; accessCode: string | null },
): T[] {
  return candidates
    .map((c) => ({ c, rank: matchRank(c, call) }))
    .filter((x): x is { c: T; rank: number } => x.rank !== null)
    .sort((a, b) => a.rank - b.rank || b.c.startsAt.getTime() - a.c.startsAt.getTime())
    .map((x) => x.c);
}
