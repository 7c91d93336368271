import { IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import { canonicalZone, intersect, normalize, subtract, union, Zone } from './local-time.js';

describe('Zone offsets', () => {
  it.each([
    'Europe/Paris',
    'America/New_York',
    'Australia/Lord_Howe', // 30-minute DST, southern hemisphere
    'Asia/Kathmandu', // +05:45
    'America/Santiago', // transitions at local midnight
    'Pacific/Apia', // skipped a whole day in 2011
    'UTC',
  ])('agree with Intl every 90 minutes and around every transition (%s)', (name) => {
    const zone = new Zone(name);
    const intl = IANAZone.create(name);
    const start = Date.UTC(2010, 11, 25);
    const end = Date.UTC(2012, 0, 5);
    let previous = intl.offset(start);
    let transitions = 0;
    const step = 5_400_000;
    for (let t = start; t < end; t += step) {
      const now = intl.offset(t);
      expect(zone.offset(t)).toBe(now);
      if (now !== previous) {
        // Pin the exact transition instant with Intl, then check both sides of it.
        let lo = t - step;
        let hi = t;
        while (hi - lo > 1) {
          const mid = Math.floor((lo + hi) / 2);
          if (intl.offset(mid) === now) hi = mid;
          else lo = mid;
        }
        expect([zone.offset(hi - 1), zone.offset(hi)]).toEqual([previous, now]);
        transitions++;
      }
      previous = now;
    }
    expect(transitions).toBe(
      name === 'UTC' || name === 'Asia/Kathmandu' ? 0 : name === 'Pacific/Apia' ? 3 : 2,
    );
  });

  it('formats local times with offset, and without for the Capacity API', () => {
    const kathmandu = new Zone('Asia/Kathmandu');
    const t = Date.parse('2025-03-30T00:00:00Z');
    expect(kathmandu.formatLocal(t)).toBe('2025-03-30T05:45:00.000+05:45');
    expect(new Zone('America/St_Johns').formatLocal(t)).toBe('2025-03-29T21:30:00.000-02:30');
    expect(kathmandu.formatLocalNoOffset(t)).toBe('2025-03-30T05:45:00.000');
    expect(kathmandu.localDateOf(t)).toEqual({ year: 2025, month: 3, day: 30 });
    expect(kathmandu.minutesOfDay(t)).toBe(345);
  });

  it('finds zero, one or two instants for a wall time', () => {
    const ny = new Zone('America/New_York');
    expect(ny.instantsAt({ year: 2025, month: 3, day: 9 }, 150)).toEqual([]);
    expect(ny.instantsAt({ year: 2025, month: 3, day: 9 }, 180)).toEqual([
      Date.parse('2025-03-09T07:00:00Z'),
    ]);
    expect(ny.instantsAt({ year: 2025, month: 11, day: 2 }, 90)).toEqual([
      Date.parse('2025-11-02T05:30:00Z'),
      Date.parse('2025-11-02T06:30:00Z'),
    ]);
    expect(ny.resolve({ year: 2025, month: 3, day: 9 }, 150, 'earliest')).toBe(
      Date.parse('2025-03-09T07:00:00Z'),
    );
  });

  it('canonicalises zone ids and rejects unknown ones', () => {
    expect(canonicalZone('europe/paris')).toBe('Europe/Paris');
    expect(canonicalZone('Not/AZone')).toBeNull();
  });
});

describe('interval sets', () => {
  const i = (start: number, end: number) => ({ start, end });

  it('normalizes, unites, subtracts and intersects half-open intervals', () => {
    expect(normalize([i(5, 7), i(1, 3), i(3, 4), i(8, 8)])).toEqual([i(1, 4), i(5, 7)]);
    expect(union([i(1, 2)], [i(2, 5), i(7, 9)])).toEqual([i(1, 5), i(7, 9)]);
    expect(subtract([i(0, 10), i(20, 30)], [i(2, 3), i(5, 22), i(29, 40)])).toEqual([
      i(0, 2),
      i(3, 5),
      i(22, 29),
    ]);
    expect(subtract([i(0, 10)], [i(0, 10)])).toEqual([]);
    expect(intersect([i(0, 10), i(20, 30)], [i(5, 25)])).toEqual([i(5, 10), i(20, 25)]);
    expect(intersect([i(0, 10)], [])).toEqual([]);
  });
});
