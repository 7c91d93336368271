import { DateTime } from 'luxon';
import { ValidationError } from './errors.js';

/**
 * GMS parameter rules, for every module (request control parameters, query strings, configured
 * options: GMS sends and stores them all as strings). Surrounding spaces never matter.
 *
 * | type     | accepted                                                                         |
 * |----------|----------------------------------------------------------------------------------|
 * | boolean  | `true` `yes` `on` `1` / `false` `no` `off` `0`, any case; empty or absent: the default |
 * | integer  | an optional sign and 1–15 digits, within the bounds the caller gives             |
 * | duration | whole seconds, 0 to MAX_DURATION_SECONDS                                          |
 * | instant  | ISO-8601 (`2025-03-30T09:00:00Z`, `…+02:00`); no zone means UTC; a `+` decoded to a space by a form (` 02:00`) is read as `+` |
 *
 * A value that breaks its rule is a 400 naming the parameter; nothing is silently read as false.
 * The `check*` forms say what is wrong without throwing (option validation collects every problem).
 */

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

/** Longest duration an option may hold: 10 years. */
export const MAX_DURATION_SECONDS = 10 * 365 * 86_400;

const TRUE = new Set(['true', 'yes', 'on', '1']);
const FALSE = new Set(['false', 'no', 'off', '0']);

/** Which error a failed parameter raises: the module's code and wording (GMS clients read both). */
export type ParamErrorFactory = (name: string, value: string, expected: string) => Error;

const defaultError: ParamErrorFactory = (name, value, expected) =>
  new ValidationError('params/invalid_parameter', `${name} must be ${expected}, not '${value}'`, name);

const isBlank = (value: string | null | undefined): value is null | undefined | '' =>
  value === null || value === undefined || value.trim() === '';

export function checkBoolean(value: string): Checked<boolean> {
  const v = value.trim().toLowerCase();
  if (TRUE.has(v)) return { ok: true, value: true };
  if (FALSE.has(v)) return { ok: true, value: false };
  return { ok: false, problem: `must be true or false, got '${value}'` };
}

/** A boolean parameter; empty or absent → `fallback`. */
export function parseBoolean(
  name: string,
  value: string | null | undefined,
  fallback: boolean,
  invalid: ParamErrorFactory = defaultError,
): boolean {
  if (isBlank(value)) return fallback;
  const checked = checkBoolean(value);
  if (!checked.ok) throw invalid(name, value, 'true or false');
  return checked.value;
}

export function checkInteger(
  value: string,
  min = -Number.MAX_SAFE_INTEGER,
  max = Number.MAX_SAFE_INTEGER,
): Checked<number> {
  const v = value.trim();
  if (!/^[+-]?\d{1,15}$/.test(v)) return { ok: false, problem: `must be an integer, got '${value}'` };
  const n = Number(v);
  if (n < min || n > max) return { ok: false, problem: `must be from ${min} to ${max}, got '${value}'` };
  return { ok: true, value: n };
}

/** An integer parameter within [min, max]; empty or absent → `fallback`. */
export function parseInteger(
  name: string,
  value: string | null | undefined,
  options: { fallback: number; min?: number; max?: number; expected?: string },
  invalid: ParamErrorFactory = defaultError,
): number {
  if (isBlank(value)) return options.fallback;
  const checked = checkInteger(value, options.min, options.max);
  if (!checked.ok) throw invalid(name, value, options.expected ?? 'an integer');
  return checked.value;
}

export function checkDuration(value: string): Checked<number> {
  const v = value.trim();
  if (!/^\d{1,12}$/.test(v))
    return { ok: false, problem: `must be a duration in whole seconds, got '${value}'` };
  if (Number(v) > MAX_DURATION_SECONDS)
    return { ok: false, problem: `must be at most ${MAX_DURATION_SECONDS} seconds, got '${value}'` };
  return { ok: true, value: Number(v) };
}

export function checkInstant(value: string): Checked<Date> {
  let v = value.trim();
  const problem = `must be an ISO-8601 date-time such as 2025-03-30T09:00:00.000Z, got '${value.slice(0, 40)}'`;
  if (v.length > 40) return { ok: false, problem };
  v = v.replace(/^(\d{4}-\d{2}-\d{2}) (?=\d)/, '$1T').replace(/ (\d{2}:?\d{2})$/, '+$1');
  if (!/^\d{4}-\d{2}-\d{2}/.test(v)) return { ok: false, problem };
  const dt = DateTime.fromISO(v, { zone: 'utc' });
  if (!dt.isValid) return { ok: false, problem };
  return { ok: true, value: dt.toJSDate() };
}

/** An instant parameter (see the table above). */
export function parseInstant(
  name: string,
  value: string,
  invalid: ParamErrorFactory = defaultError,
  expected = 'an ISO-8601 date-time such as 2025-03-30T09:00:00.000Z',
): Date {
  const checked = checkInstant(value);
  if (!checked.ok) throw invalid(name, value.length > 40 ? value.slice(0, 40) : value, expected);
  return checked.value;
}
