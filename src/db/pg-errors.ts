/**
 * THE reader of database driver errors. Drizzle wraps the driver's error in `cause` (and a caller
 * may wrap it again), postgres.js and PGlite put the SQLSTATE in `code`, Node's net errors put
 * theirs (ECONNREFUSED…) there too. Everything that asks "what did the database say?" walks the
 * chain here, so the wrapping depth and the field names are known in one place.
 */

/** How deep a cause chain is followed: drizzle adds one level, a caller rarely more. */
const MAX_DEPTH = 5;

/** `err` and what it wraps through `cause`, outermost first (objects only, at most MAX_DEPTH). */
export function* errorChain(err: unknown): Generator<object> {
  let current = err;
  for (let depth = 0; depth < MAX_DEPTH && typeof current === 'object' && current !== null; depth++) {
    yield current;
    current = (current as { cause?: unknown }).cause;
  }
}

export interface PgError {
  /** The SQLSTATE, e.g. `23505` (unique violation), `23P01` (exclusion violation). */
  code: string;
  /** The constraint it names, if any (postgres.js: `constraint_name`, PGlite: `constraint`). */
  constraint: string | null;
}

/** The Postgres error in `err`'s chain (the first with a SQLSTATE-shaped code), or null. */
export function pgErrorOf(err: unknown): PgError | null {
  for (const e of errorChain(err)) {
    const { code, constraint_name, constraint } = e as {
      code?: unknown;
      constraint_name?: unknown;
      constraint?: unknown;
    };
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code))
      return {
        code,
        constraint:
          typeof constraint_name === 'string'
            ? constraint_name
            : typeof constraint === 'string'
              ? constraint
              : null,
      };
  }
  return null;
}

/** A unique violation (SQLSTATE 23505), of `constraint` when given. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const pg = pgErrorOf(err);
  return pg?.code === '23505' && (constraint === undefined || pg.constraint === constraint);
}
