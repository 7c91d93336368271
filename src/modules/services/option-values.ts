import { IANAZone } from 'luxon';
import { checkBoolean, checkDuration, checkInteger } from '../../params.js';

/** The value types a template parameter can declare (service_templates/README.md, "Types"). */
export const parameterTypes = [
  'string',
  'integer',
  'boolean',
  'enum',
  'duration',
  'timezone',
  'url',
  'datetime',
] as const;
export type ParameterType = (typeof parameterTypes)[number];

export const parameterKinds = ['mandatory', 'optional', 'advanced', 'request'] as const;
export type ParameterKind = (typeof parameterKinds)[number];

/** Longest accepted duration (ten years): keeps every expiry a representable date. */
export { MAX_DURATION_SECONDS } from '../../params.js';

// ECMAScript reserved words (ES2023 + strict mode): not valid as identifiers.
const reservedWords = new Set(
  (
    'await break case catch class const continue debugger default delete do else enum export extends false ' +
    'finally for function if import in instanceof new null return super switch this throw true try typeof ' +
    'var void while with yield implements interface let package private protected public static'
  ).split(' '),
);

const identifierPattern = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200C\u200D]*$/u;

/** Option and parameter names must be valid ECMAScript identifiers, as in the GMS Service Management UI. */
export function isValidIdentifier(name: string): boolean {
  return name.length <= 200 && identifierPattern.test(name) && !reservedWords.has(name);
}

const isoUtc = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z$/;

/**
 * Checks a non-empty value against a parameter type and returns its canonical spelling (booleans in
 * lower case, enum values as declared), or an explanation of what is wrong. GMS option values are
 * always strings.
 */
export function checkValue(
  type: ParameterType,
  value: string,
  values: readonly string[] | null,
): { ok: true; value: string } | { ok: false; problem: string } {
  switch (type) {
    case 'string':
      return { ok: true, value };
    case 'integer': {
      const checked = checkInteger(value);
      return checked.ok ? { ok: true, value } : checked;
    }
    case 'duration': {
      const checked = checkDuration(value);
      return checked.ok ? { ok: true, value } : checked;
    }
    case 'boolean': {
      const checked = checkBoolean(value);
      return checked.ok ? { ok: true, value: String(checked.value) } : checked;
    }
    case 'enum': {
      const allowed = values ?? [];
      const match = allowed.find((v) => v.toLowerCase() === value.toLowerCase());
      return match !== undefined
        ? { ok: true, value: match }
        : { ok: false, problem: `must be one of ${allowed.join(', ')}, got '${value}'` };
    }
    case 'timezone':
      return IANAZone.isValidZone(value)
        ? { ok: true, value }
        : { ok: false, problem: `must be a time-zone id such as Europe/Paris or UTC, got '${value}'` };
    case 'url':
      return URL.canParse(value)
        ? { ok: true, value }
        : { ok: false, problem: `must be an absolute URL, got '${value}'` };
    case 'datetime':
      return isoUtc.test(value) && !Number.isNaN(Date.parse(value))
        ? { ok: true, value }
        : {
            ok: false,
            problem: `must be an ISO-8601 UTC date-time such as 2013-05-28T15:30:00.000Z, got '${value}'`,
          };
  }
}
