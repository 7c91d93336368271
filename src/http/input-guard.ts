import { badRequest, type HttpError } from './http-errors.js';

/**
 * The one place where input every surface shares is refused before it reaches a manager:
 *
 * - **NUL characters.** PostgreSQL refuses U+0000 in `text` and `\u0000` in `jsonb`; unchecked, a
 *   NUL in a value, key, file name or path id reached the database and came back as a 500 (legacy)
 *   or "Unexpected error" (GraphQL). The legacy router, the body parser and the GraphQL plugin all
 *   ask this module, so the rule and its message are the same everywhere.
 * - **Nesting depth.** JSON is parsed only after a linear scan has bounded its depth, and parsed
 *   values are walked without recursion: a body nested 10,000 levels deep is a 400, not a stack
 *   overflow in whatever recursive code (JSON.stringify, the database driver) meets it first.
 */

/** Deepest JSON nesting accepted in a body or in GraphQL variables (GMS bodies are flat). */
export const MAX_JSON_DEPTH = 64;

const NUL = '\u0000';
const NAME_SHOWN = 60;
const PATH_SHOWN = 120;

/** `path` + `step`, unless the path is already long enough to say where (deep values stay readable). */
const extend = (path: string, step: string) =>
  path.length >= PATH_SHOWN ? (path.endsWith('…') ? path : `${path}…`) : `${path}${step}`;

export const hasNul = (s: string): boolean => s.includes(NUL);

/** A name safe to put in an error message: NULs shown as `\0`, long names cut. */
export function shownName(name: string): string {
  const clean = name.replaceAll(NUL, '\\0');
  return clean.length > NAME_SHOWN ? `${clean.slice(0, NAME_SHOWN)}…` : clean;
}

export function nulError(where: string): HttpError {
  return badRequest(
    `${where} contains a NUL character (U+0000), which is not accepted`,
    'http/nul_character',
  );
}

/** Throws the 400 when `value` contains a NUL; `where` names it for the message. */
export function assertNoNul(value: string | null | undefined, where: string): void {
  if (value && hasNul(value)) throw nulError(where);
}

/** Every name and value of a set of string pairs (query string, path parameters, form fields). */
export function assertNoNulInPairs(pairs: Iterable<[string, string]>, kind: string): void {
  for (const [name, value] of pairs) {
    if (hasNul(name)) throw nulError(`A ${kind} name`);
    if (hasNul(value)) throw nulError(`${capitalise(kind)} '${shownName(name)}'`);
  }
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * How deeply `text` nests, scanning at most until `limit` is exceeded (then `limit + 1`). Brackets
 * inside strings do not count. Linear, no recursion, no allocation.
 */
export function jsonNestingDepth(text: string, limit = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return max;
}

export type JsonFailure = 'malformed' | 'too_deep';

/** JSON.parse behind the depth bound: the text is scanned first, so a deep document is never built. */
export function parseJsonBounded(
  text: string,
  maxDepth = MAX_JSON_DEPTH,
): { ok: true; value: unknown } | { ok: false; reason: JsonFailure } {
  if (jsonNestingDepth(text, maxDepth) > maxDepth) return { ok: false, reason: 'too_deep' };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, reason: 'malformed' };
  }
}

export interface ValueProblem {
  kind: 'nul' | 'too_deep';
  /** Where, e.g. `variables.input.values[2]` or `variables.input.<key>`. */
  path: string;
}

/** A value the fetch stack hands over for an upload: only its name and type are text. */
interface FileLike {
  name: string;
  type?: string;
  arrayBuffer: () => Promise<ArrayBuffer>;
}

const isFileLike = (v: object): v is FileLike =>
  typeof (v as Partial<FileLike>).arrayBuffer === 'function' &&
  typeof (v as Partial<FileLike>).name === 'string';

/**
 * Walks a parsed value (GraphQL variables, a JSON body) iteratively and reports the first NUL in a
 * string or object key, or nesting deeper than `maxDepth`. Uploaded files are checked by name and
 * type (their bytes are binary and may hold anything).
 */
export function findValueProblem(
  root: unknown,
  rootPath: string,
  maxDepth = MAX_JSON_DEPTH,
): ValueProblem | null {
  const stack: { value: unknown; path: string; depth: number }[] = [
    { value: root, path: rootPath, depth: 0 },
  ];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop() as { value: unknown; path: string; depth: number };
    if (typeof value === 'string') {
      if (hasNul(value)) return { kind: 'nul', path };
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= maxDepth) return { kind: 'too_deep', path };
    if (isFileLike(value)) {
      if (hasNul(value.name) || hasNul(value.type ?? '')) return { kind: 'nul', path: `${path} (file name)` };
      continue;
    }
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--)
        stack.push({ value: value[i], path: extend(path, `[${i}]`), depth: depth + 1 });
      continue;
    }
    for (const [key, child] of Object.entries(value)) {
      if (hasNul(key)) return { kind: 'nul', path: `${path} (a key)` };
      stack.push({ value: child, path: extend(path, `.${shownName(key)}`), depth: depth + 1 });
    }
  }
  return null;
}

export function valueProblemMessage(problem: ValueProblem): string {
  return problem.kind === 'nul'
    ? `${problem.path} contains a NUL character (U+0000), which is not accepted`
    : `${problem.path} is nested deeper than ${MAX_JSON_DEPTH} levels`;
}
