import { RE2JS, RE2JSException, RE2Set } from 're2js';

/**
 * The regular-expression engine of pattern groups: validation at save time and linear-time
 * evaluation with re2js. No pattern ever reaches a backtracking engine, so a stored pattern such as
 * `^(a+)+$` cannot stall the server whatever value the public sends.
 */

/** Longest regular expression an admin may save. */
export const MAX_REGEX_LENGTH = 1_000;
/**
 * Longest value that may be tested. Large enough for the reliability test R2 (50,000 adversarial
 * characters answered end to end), small enough that one value costs a few milliseconds at most.
 */
export const MAX_VALUE_LENGTH = 65_536;
/** Most characters one test request may submit across all its values. */
export const MAX_REQUEST_CHARACTERS = 262_144;

/** Why `regex` cannot be saved, or null when it compiles on the linear-time engine. */
export function regexProblem(regex: string): string | null {
  if (regex.length === 0) return 'the regular expression is empty';
  if (regex.length > MAX_REGEX_LENGTH)
    return `the regular expression is ${regex.length} characters long; at most ${MAX_REGEX_LENGTH} are allowed`;
  const unsupported = unsupportedJavaConstruct(regex);
  if (unsupported) return unsupported;
  try {
    RE2JS.compile(regex);
    return null;
  } catch (err) {
    if (err instanceof RE2JSException) return describeEngineError(err.message);
    throw err;
  }
}

const quantifierRange = /\{\d+(?:,\d*)?\}/y;
const inlineFlags = /\(\?([a-zA-Z]*)(?:-([a-zA-Z]*))?[:)]/y;
const unicodeEscape = /\\u([0-9a-fA-F]{4})/y;

/**
 * Java (`java.util.regex`) constructs that RE2 rejects with a terse message, or accepts with a
 * different meaning. GMS admins wrote Java syntax, so each gets an explanation and, where one
 * exists, the equivalent to write instead. Constructs that compile identically are left to RE2.
 */
function unsupportedJavaConstruct(regex: string): string | null {
  let inClass = false;
  /** Index of the first member of the open character class: a `]` there is a literal. */
  let classFirst = -1;
  for (let i = 0; i < regex.length; i++) {
    const c = regex[i];
    if (c === '\\') {
      const next = regex[i + 1];
      if (next === undefined) return null;
      if (next === 'Q') {
        const end = regex.indexOf('\\E', i + 2);
        if (end < 0) return null;
        i = end + 1;
        continue;
      }
      if (!inClass && next >= '1' && next <= '9')
        return `backreferences (\\${next}) are not supported: patterns run on a linear-time engine that cannot refer back to a captured group`;
      if (next === 'k' && regex[i + 2] === '<')
        return 'named backreferences (\\k<name>) are not supported: patterns run on a linear-time engine that cannot refer back to a captured group';
      if (next === '0')
        return 'octal escapes (\\0nnn) are not supported: write the character as \\x{hh}, e.g. \\x{41} for A';
      if (next === 'u') {
        unicodeEscape.lastIndex = i;
        const hex = unicodeEscape.exec(regex)?.[1];
        return hex
          ? `the escape \\u${hex} is not supported: write it as \\x{${hex}}`
          : 'the escape \\u is not supported: write a code point as \\x{hhhh}';
      }
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']' && i > classFirst) inClass = false;
      else if (c === '[') {
        const close = regex[i + 1] === ':' ? regex.indexOf(':]', i + 2) : -1;
        if (close < 0)
          return 'nested character classes such as [a-z[0-9]] are not supported: write the union as one class ([a-z0-9]), or escape a literal bracket as \\[';
        i = close + 1;
      } else if (c === '&' && regex[i + 1] === '&')
        return 'character class intersection (&&) is not supported: list the wanted characters in one class instead';
      continue;
    }
    if (c === '[') {
      inClass = true;
      classFirst = regex[i + 1] === '^' ? i + 2 : i + 1;
      continue;
    }
    if (c === '(' && regex[i + 1] === '?') {
      const after = regex.slice(i + 2, i + 4);
      if (after.startsWith('=') || after.startsWith('!'))
        return 'lookahead ((?=…) and (?!…)) is not supported: patterns run on a linear-time engine without lookaround';
      if (after === '<=' || after === '<!')
        return 'lookbehind ((?<=…) and (?<!…)) is not supported: patterns run on a linear-time engine without lookaround';
      if (after.startsWith('>'))
        return 'atomic groups ((?>…)) are not supported: use a plain group (?:…); the engine never backtracks';
      inlineFlags.lastIndex = i;
      const flags = inlineFlags.exec(regex);
      if (flags) {
        const unknown = [...`${flags[1] ?? ''}${flags[2] ?? ''}`].find((f) => !'ims'.includes(f));
        if (unknown) return `the inline flag (?${unknown}) is not supported: only (?i), (?m) and (?s) are`;
      }
      i++;
      continue;
    }
    let quantifierEnd = -1;
    if (c === '*' || c === '+' || c === '?') quantifierEnd = i;
    else if (c === '{') {
      quantifierRange.lastIndex = i;
      const range = quantifierRange.exec(regex);
      if (range) quantifierEnd = i + range[0].length - 1;
    }
    if (quantifierEnd >= 0) {
      if (regex[quantifierEnd + 1] === '+')
        return `possessive quantifiers (${regex.slice(i, quantifierEnd + 2)}) are not supported: use the plain quantifier; the engine never backtracks`;
      i = quantifierEnd;
    }
  }
  return null;
}

/** re2js says "error parsing regexp: invalid escape sequence: `\Z`"; admins get the reason and a hint. */
function describeEngineError(message: string): string {
  const reason = message.replace(/^error parsing regexp:\s*/, '');
  if (
    reason.startsWith('invalid character class range: `\\p') ||
    reason.startsWith('invalid character class range: `\\P')
  )
    return `${reason}: Java's \\p{Lower}, \\p{Alpha}, \\p{IsAlphabetic} and \\p{javaLowerCase} classes are not supported; use a POSIX class such as [[:lower:]] or a Unicode category such as \\p{Ll}`;
  if (reason.startsWith('invalid escape sequence'))
    return `${reason}: this escape has no equivalent on the linear-time engine (Java's \\Z, \\G, \\h, \\R, \\e and \\cX are not supported)`;
  if (reason.startsWith('invalid nested repetition operator'))
    return `${reason}: a quantifier cannot follow another quantifier`;
  if (reason.startsWith('invalid repeat count'))
    return `${reason}: a repetition count is at most 1000, including nested counts multiplied together`;
  return `invalid regular expression: ${reason}`;
}

/** An ordered list of regular expressions compiled together; immutable once built. */
export interface CompiledPatterns {
  /** Indexes (ascending) of the expressions that match the whole of `value`. */
  matching(value: string): number[];
  /** Index of the first expression that matches the whole of `value`, or -1. */
  first(value: string): number;
  /** Indexes of stored expressions the engine refused; they never match. */
  readonly refused: readonly number[];
}

/** Splits indexes into expressions the engine runs and stored ones it refuses (they never match). */
function partition(regexes: readonly string[]): { usable: number[]; refused: number[] } {
  const usable: number[] = [];
  const refused: number[] = [];
  regexes.forEach((regex, index) => {
    if (regexProblem(regex) === null) usable.push(index);
    else refused.push(index);
  });
  return { usable, refused };
}

/** DFA memory per compiled set: past it, re2js falls back to its (still linear) NFA. */
const SET_DFA_MEMORY_BYTES = 2 * 1024 * 1024;

/**
 * Compiles `regexes` into one RE2 set anchored at both ends (a pattern must match the whole value),
 * so a value is tested against every pattern in one linear pass. When the set would be too large
 * for one program, each expression is compiled on its own (still linear, one pass per pattern).
 */
export function compilePatterns(regexes: readonly string[]): CompiledPatterns {
  const { usable, refused } = partition(regexes);
  if (usable.length === 0) return { matching: () => [], first: () => -1, refused };
  const set = new RE2Set(RE2Set.ANCHOR_BOTH, 0, SET_DFA_MEMORY_BYTES);
  for (const index of usable) set.add(regexes[index] as string);
  try {
    set.compile();
  } catch (err) {
    if (!(err instanceof RE2JSException)) throw err;
    return compileEach(regexes);
  }
  const matching = (value: string) =>
    set
      .match(value)
      .map((i) => usable[i] as number)
      .sort((a, b) => a - b);
  return { matching, first: (value) => matching(value)[0] ?? -1, refused };
}

/** One program per expression: the fallback for a list too large for one RE2 program. */
export function compileEach(regexes: readonly string[]): CompiledPatterns {
  const { usable, refused } = partition(regexes);
  const compiled = usable.map((index) => ({ index, re: RE2JS.compile(regexes[index] as string) }));
  return {
    matching: (value) => compiled.filter((c) => c.re.testExact(value)).map((c) => c.index),
    first: (value) => compiled.find((c) => c.re.testExact(value))?.index ?? -1,
    refused,
  };
}

/**
 * Compiled sets by the exact list of expressions. A compiled set never changes, so the text is a
 * sufficient key: an edited pattern yields a new key on every instance, with no invalidation
 * messages; the database stays the only source of truth.
 */
export class CompiledPatternCache {
  private readonly entries = new Map<string, CompiledPatterns>();
  constructor(private readonly capacity = 64) {}

  get(regexes: readonly string[], onCompiled?: (compiled: CompiledPatterns) => void): CompiledPatterns {
    const key = JSON.stringify(regexes);
    const hit = this.entries.get(key);
    if (hit) {
      // Re-inserting keeps the Map in least-recently-used order.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const compiled = compilePatterns(regexes);
    onCompiled?.(compiled);
    this.entries.set(key, compiled);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return compiled;
  }

  get size(): number {
    return this.entries.size;
  }
}
