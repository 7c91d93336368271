import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import {
  CompiledPatternCache,
  compileEach,
  compilePatterns,
  MAX_REGEX_LENGTH,
  regexProblem,
} from './pattern.regex.js';

describe('pattern validation (save time)', () => {
  it('R1: accepts the classic ReDoS shapes, because the engine evaluates them in linear time', () => {
    for (const regex of ['^(a+)+$', '^(a|a)*$', '^\\d+\\d+$']) expect(regexProblem(regex)).toBeNull();
  });

  it('R1: rejects a backreference with a clear reason', () => {
    expect(regexProblem('(a)\\1')).toMatch(/^backreferences \(\\1\) are not supported/);
    expect(regexProblem('(?<x>a)\\k<x>')).toMatch(/^named backreferences .* not supported/);
  });

  it.each([
    ['(?=a)a', /^lookahead .* not supported/],
    ['(?!a)b', /^lookahead .* not supported/],
    ['(?<=a)b', /^lookbehind .* not supported/],
    ['(?<!a)b', /^lookbehind .* not supported/],
    ['(?>a+)b', /^atomic groups .* not supported/],
    ['a++', /^possessive quantifiers \(\+\+\) are not supported/],
    ['a*+b', /^possessive quantifiers \(\*\+\) are not supported/],
    ['a{2,3}+', /^possessive quantifiers \(\{2,3\}\+\) are not supported/],
    ['[a-z&&[^aeiou]]', /intersection \(&&\) is not supported/],
    ['[a-z[0-9]]', /^nested character classes/],
    ['\\0101', /^octal escapes .* \\x\{41\}/],
    ['\\u00e9t\\u00e9', /^the escape \\u00e9 is not supported: write it as \\x\{00e9\}/],
    ['(?x)a b', /^the inline flag \(\?x\) is not supported/],
    ['(?U)\\w+', /^the inline flag \(\?U\) is not supported/],
    ['\\p{Lower}+', /\[\[:lower:\]\]/],
    ['abc\\Z', /invalid escape sequence: `\\Z`: this escape has no equivalent/],
    ['(ab', /^invalid regular expression: missing closing \)/],
    ['a{1001}', /invalid repeat count/],
    ['', /empty/],
  ])('rejects %s', (regex, reason) => {
    expect(regexProblem(regex)).toMatch(reason);
  });

  it('accepts the Java syntax RE2 shares: classes, escapes, quoting, named groups, flags, POSIX classes', () => {
    for (const regex of [
      '555.*',
      '\\+12345678901',
      '\\d{3}-\\d{4}',
      '[\\w.+-]+@[\\w-]+\\.[a-z]{2,}',
      '\\Q1+1=2\\E',
      '(?<area>\\d{3})\\d{7}',
      '(?i)abc',
      '(?i:abc)def',
      '[[:alpha:]]+',
      '\\p{L}+',
      '[]a]',
      '[^]a]',
      '\\x{41}',
      '\\[[a]\\]',
      'a*?b+?c??',
      '(a|b)+\\b',
    ])
      expect(regexProblem(regex), regex).toBeNull();
  });

  it('caps the length of a regular expression', () => {
    expect(regexProblem('a'.repeat(MAX_REGEX_LENGTH))).toBeNull();
    expect(regexProblem('a'.repeat(MAX_REGEX_LENGTH + 1))).toMatch(/at most 1000/);
  });
});

describe('pattern evaluation', () => {
  it('matches the whole value, never a part of it', () => {
    const c = compilePatterns(['555.*', '123.*', 'a', '12345']);
    expect(c.matching('123')).toEqual([1]);
    expect(c.matching('12345')).toEqual([1, 3]);
    expect(c.first('12345')).toBe(1);
    expect(c.matching('0123')).toEqual([]);
    expect(c.matching('abc')).toEqual([]);
    expect(c.matching('a')).toEqual([2]);
    expect(c.first('x')).toBe(-1);
  });

  it('agrees with one-by-one full matching on every pair (set evaluation is only a speed-up)', () => {
    const regexes = [
      '555.*',
      '(?i)ABC',
      '^x$',
      '(a+)+$',
      '\\d{3}',
      '.*',
      '(?s).*',
      '[^a]*',
      'a|ab',
      '\\bword\\b',
      '😀+',
      '(?m)^a$',
      '',
    ].filter((r) => regexProblem(r) === null);
    const values = [
      '',
      'a',
      'ab',
      'abc',
      'ABC',
      'x',
      '555',
      '5551',
      '123',
      'aaaa!',
      'word',
      '😀😀',
      'a\nb',
      '\n',
    ];
    const set = compilePatterns(regexes);
    // The fallback for lists too large for one RE2 program (over ~1.4 million instructions).
    const each = compileEach(regexes);
    for (const value of values) {
      const expected = regexes.flatMap((r, i) => (RE2JS.compile(r).matches(value) ? [i] : []));
      expect(set.matching(value), JSON.stringify(value)).toEqual(expected);
      expect(each.matching(value), JSON.stringify(value)).toEqual(expected);
      expect(set.first(value)).toBe(expected[0] ?? -1);
      expect(each.first(value)).toBe(expected[0] ?? -1);
    }
  });

  it('R2: answers adversarial 50,000-character inputs correctly (timing is in bench/patterns.ts)', () => {
    const c = compilePatterns(['(a+)+$', '^(a|a)*$', '^\\d+\\d+$', '(x+x+)+y']);
    expect(c.matching(`${'a'.repeat(50_000)}!`)).toEqual([]);
    expect(c.matching('a'.repeat(50_000))).toEqual([0, 1]);
    expect(c.matching(`${'1'.repeat(50_000)}x`)).toEqual([]);
    expect(c.matching(`${'x'.repeat(50_000)}y`)).toEqual([3]);
  });

  it('never lets a stored expression the engine refuses break its group', () => {
    const c = compilePatterns(['ok', '(a)\\1', 'also']);
    expect(c.refused).toEqual([1]);
    expect(c.matching('also')).toEqual([2]);
    expect(c.matching('ok')).toEqual([0]);
  });

  it('compiles a list once and reuses it until the list changes', () => {
    const cache = new CompiledPatternCache(2);
    let compiled = 0;
    const count = () => {
      compiled++;
    };
    const first = cache.get(['a', 'b'], count);
    expect(cache.get(['a', 'b'], count)).toBe(first);
    expect(compiled).toBe(1);
    expect(cache.get(['a', 'c'], count)).not.toBe(first);
    cache.get(['d'], count);
    expect(cache.size).toBe(2);
    expect(compiled).toBe(3);
  });
});
