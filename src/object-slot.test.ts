import { describe, expect, it } from 'vitest';
import { objectSlot } from './object-slot.js';

describe('objectSlot', () => {
  it('keeps a value per object, separate per slot', () => {
    const a = objectSlot<number>('a');
    const b = objectSlot<string>('b');
    const x = {};
    const y = {};
    expect(a.has(x)).toBe(false);
    expect(a.get(x)).toBeUndefined();
    a.set(x, 1);
    b.set(x, 'one');
    a.set(y, 2);
    expect([a.get(x), b.get(x), a.get(y), b.get(y)]).toEqual([1, 'one', 2, undefined]);
    a.set(x, 3);
    expect(a.get(x)).toBe(3);
  });

  it('tells a value of undefined from no value', () => {
    const slot = objectSlot<unknown>('u');
    const x = {};
    slot.set(x, undefined);
    expect(slot.has(x)).toBe(true);
    expect(slot.has({})).toBe(false);
  });

  it('is invisible to spread, keys and JSON: a copy of the object does not carry it', () => {
    const slot = objectSlot<{ cached: true }>('cache');
    const event = { seq: 1, tag: 't' };
    slot.set(event, { cached: true });
    const copy = { ...event, cursor: 'c' };
    expect(slot.has(copy)).toBe(false);
    expect(Object.keys(event)).toEqual(['seq', 'tag']);
    expect(JSON.stringify(event)).toBe('{"seq":1,"tag":"t"}');
    expect(Object.getOwnPropertySymbols(copy)).toEqual([]);
  });

  it('works on objects that cannot take a property', () => {
    const slot = objectSlot<number>('frozen');
    const frozen = Object.freeze({ a: 1 });
    slot.set(frozen, 7);
    expect(slot.get(frozen)).toBe(7);
    expect(slot.has(frozen)).toBe(true);
    slot.set(frozen, 8);
    expect(slot.get(frozen)).toBe(8);
  });
});
