import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import { checkDuration, checkInteger, parseBoolean, parseInstant, parseInteger } from './params.js';

/** The one set of GMS parameter rules every module reads its parameters with. */
describe('GMS parameter rules', () => {
  it('booleans: true/yes/on/1 and false/no/off/0 in any case; blank is the default; anything else names the parameter', () => {
    for (const v of ['true', 'TRUE', ' yes ', 'On', '1']) expect(parseBoolean('_x', v, false)).toBe(true);
    for (const v of ['false', 'No', 'off', '0']) expect(parseBoolean('_x', v, true)).toBe(false);
    expect(parseBoolean('_x', '', true)).toBe(true);
    expect(parseBoolean('_x', undefined, false)).toBe(false);
    expect(parseBoolean('_x', null, true)).toBe(true);
    expect(() => parseBoolean('_x', 'maybe', false)).toThrow(ValidationError);
    expect(() => parseBoolean('_x', 'maybe', false)).toThrow("_x must be true or false, not 'maybe'");
  });

  it('integers: a sign and digits within bounds; durations: whole seconds up to ten years', () => {
    expect(parseInteger('max', ' 42 ', { fallback: 1, min: 1, max: 100 })).toBe(42);
    expect(parseInteger('max', '', { fallback: 7 })).toBe(7);
    expect(() => parseInteger('max', '0', { fallback: 1, min: 1, max: 100 })).toThrow(/max must be/);
    expect(() => parseInteger('max', '1.5', { fallback: 1 })).toThrow(/max must be an integer/);
    expect(checkInteger('-3')).toEqual({ ok: true, value: -3 });
    expect(checkDuration('60')).toEqual({ ok: true, value: 60 });
    expect(checkDuration('-1').ok).toBe(false);
    expect(checkDuration('315360001').ok).toBe(false);
  });

  it('instants: ISO-8601, no zone is UTC, a form-decoded + offset is read as +', () => {
    expect(parseInstant('start', '2025-03-30T09:00:00Z').toISOString()).toBe('2025-03-30T09:00:00.000Z');
    expect(parseInstant('start', '2025-03-30T09:00:00').toISOString()).toBe('2025-03-30T09:00:00.000Z');
    expect(parseInstant('start', '2025-03-30T09:00:00 02:00').toISOString()).toBe('2025-03-30T07:00:00.000Z');
    expect(() => parseInstant('start', 'tomorrow')).toThrow(/start must be an ISO-8601/);
  });
});
