import { ValidationError } from '../../errors.js';
import {
  checkBoolean,
  type ParamErrorFactory,
  parseBoolean,
  parseInstant as parseGmsInstant,
  parseInteger,
} from '../../params.js';

export const DEVICE_OS_VALUES = [
  'comet',
  'ios',
  'android',
  'gcm',
  'fcm',
  'httpcb',
  'customhttp',
  'orscb',
] as const;

const invalidOption: ParamErrorFactory = (name, value, expected) =>
  new ValidationError('callback/invalid_option', `${name} must be ${expected}, not '${value}'`, name);

/** A boolean option of a callback request (src/params.ts rules): a bad value is a 400 naming it. */
export const flag = (params: Record<string, string>, name: string, fallback: boolean): boolean =>
  parseBoolean(name, params[name], fallback, invalidOption);

/** The boolean options a callback reads after its start: checked once at the start, so reading them later cannot fail. */
export const LATER_FLAGS = ['_retain_session_until_ixn_deleted', '_complete_on_inbound_call'] as const;

/**
 * A boolean option of a stored callback (checked at its start; a row written before that check
 * existed may hold anything, which reads as `fallback` rather than failing background work).
 */
export const storedFlag = (params: Record<string, string>, name: string, fallback: boolean): boolean => {
  const raw = params[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const checked = checkBoolean(raw);
  return checked.ok ? checked.value : fallback;
};

/**
 * A non-negative integer option of a callback request (src/params.ts integer rule: digits only, so
 * `1e3`, `0x10` or `2.0` are refused rather than read as numbers); empty or absent → `fallback`.
 */
export const positiveInt = (params: Record<string, string>, name: string, fallback: number): number =>
  parseInteger(name, params[name], { fallback, min: 0, expected: 'a non-negative integer' }, invalidOption);

export interface NormalisedNumber {
  /** As given. */
  given: string;
  /** `+` and digits (E.164 when libphonenumber could parse it). */
  key: string;
}

/**
 * libphonenumber-js with its full metadata (~100 files, 2.5 MB of heap) is loaded by the first number
 * that needs it, not at every start (BENCHMARKS.md, issue 18 start-up).
 */
let phoneNumbersModule: Promise<typeof import('libphonenumber-js/max')> | null = null;
const phoneNumbers = () => {
  phoneNumbersModule ??= import('libphonenumber-js/max');
  return phoneNumbersModule;
};

const numberError = (message: string) =>
  new ValidationError('callback/invalid_number', message, '_customer_number');

/**
 * `_customer_number` checks (reference §7.2, §8.3). GMS prefixes the number with `+` before the
 * exception patterns apply. With a `+` or a `_default_country`, libphonenumber-js decides whether it
 * is possible and whether it is premium-rate; a national number without `_default_country` is kept
 * as given (the 8.1.2 seed scenarios send such numbers and GMS 8.1.2 accepted them).
 */
export async function normaliseCustomerNumber(
  given: string | undefined,
  params: Record<string, string>,
): Promise<NormalisedNumber | null> {
  const raw = given?.trim() ?? '';
  if (raw === '') return null;
  const digits = raw.replace(/\D/g, '');
  if (digits === '') throw numberError(`Customer Number [${raw}] is not a phone number`);
  const country = params._default_country?.trim().toUpperCase() || undefined;
  if (!raw.startsWith('+') && !country) return { given: raw, key: `+${digits}` };
  const { parsePhoneNumberFromString } = await phoneNumbers();
  const parsed = parsePhoneNumberFromString(raw, country as Parameters<typeof parsePhoneNumberFromString>[1]);
  if (!parsed)
    throw numberError(
      `Customer Number [${raw}] is disallowed, because it cannot be parsed${country ? ` for country ${country}` : ''}. Check option _default_country`,
    );
  const e164 = parsed.number;
  if (flag(params, '_disallow_impossible_phone_numbers', true) && !parsed.isPossible())
    throw numberError(
      `Customer Number [${e164}] is disallowed, because it's an impossible number. Check option _disallow_impossible_phone_numbers`,
    );
  if (flag(params, '_disallow_premium_phone_numbers', true) && parsed.getType() === 'PREMIUM_RATE')
    throw numberError(
      `Customer Number [${e164}] is disallowed, because it's a premium number. Check option _disallow_premium_phone_numbers`,
    );
  return { given: raw, key: e164 };
}

/** ISO-8601 instant; a bad value is a 400 naming the parameter. */
export function parseInstant(value: string, name: string): Date {
  return parseGmsInstant(
    name,
    value,
    (n, v) =>
      new ValidationError(
        'callback/invalid_time',
        `${n} must be an ISO-8601 time such as 2013-05-28T15:30:00.000Z, not '${v}'`,
        n,
      ),
  );
}

/** `_reject_future_desired_time`: `<n>` followed by m (minutes), h, d, w, M (months) or y; default 1M. */
export function latestDesiredTime(value: string | undefined, now: Date): Date {
  const text = value?.trim() || '1M';
  const m = /^(\d+)\s*([mhdwMy]?)$/.exec(text);
  if (!m)
    throw new ValidationError(
      'callback/invalid_option',
      `_reject_future_desired_time must look like 1M, 14d or 12h, not '${value}'`,
      '_reject_future_desired_time',
    );
  const n = Number(m[1]);
  const out = new Date(now);
  switch (m[2]) {
    case 'm':
      out.setTime(out.getTime() + n * 60_000);
      break;
    case 'h':
      out.setTime(out.getTime() + n * 3_600_000);
      break;
    case 'd':
    case '':
      out.setTime(out.getTime() + n * 86_400_000);
      break;
    case 'w':
      out.setTime(out.getTime() + n * 7 * 86_400_000);
      break;
    case 'M':
      out.setUTCMonth(out.getUTCMonth() + n);
      break;
    case 'y':
      out.setUTCFullYear(out.getUTCFullYear() + n);
      break;
  }
  return out;
}
