import pino, { type DestinationStream } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
type Fields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  /** A logger adding `fields` to every line; `level`, when given, replaces the parent's (lower or higher). */
  child(fields: Fields, level?: LogLevel): Logger;
}

const REDACTED = '[redacted]';

/**
 * Field paths whose values never reach the log: credentials wherever a caller puts them (one or
 * two levels down, and under `headers`), and SQL/GraphQL parameters, which carry user input.
 */
const SECRET_KEYS = [
  'authorization',
  'Authorization',
  'cookie',
  'password',
  'token',
  'accessToken',
  'refreshToken',
  'secret',
  'apiKey',
  'privateKey',
  'params',
  'parameters',
  'variables',
];
export const REDACT_PATHS = [
  ...SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `headers.${k}`, `*.headers.${k}`]),
  'headers["x-gms-device-token"]',
  '*.headers["x-gms-device-token"]',
];

/** SQLSTATE class 22 (data exception) messages quote the offending value: user input. */
const DATA_EXCEPTION = /^22/;

/** A Drizzle "Failed query" message ends with `params: <values>`: the values are user input. */
function withoutParams(text: string): string {
  return text.replace(/^params:.*$/gm, `params: ${REDACTED}`);
}

/**
 * Errors as `{ name, message, stack, code, cause }`, with what would print user input removed:
 * the parameters of a failed query (Drizzle's message, postgres.js's `parameters`), the values a
 * PostgreSQL data exception quotes, and a unique violation's `detail` (`Key (x)=(value)`).
 */
export function serialiseError(err: unknown, depth = 0): unknown {
  if (!(err instanceof Error)) return err;
  const e = err as Error & {
    code?: unknown;
    detail?: unknown;
    cause?: unknown;
    originalError?: unknown;
    constraint_name?: unknown;
    table_name?: unknown;
    column_name?: unknown;
  };
  const sqlState = typeof e.code === 'string' ? e.code : null;
  let message = withoutParams(e.message);
  let stack = e.stack ? withoutParams(e.stack) : undefined;
  if (sqlState && DATA_EXCEPTION.test(sqlState)) {
    const hide = (s: string) => s.replace(/"[^"\n]*"/g, `"${REDACTED}"`);
    message = hide(message);
    stack = stack ? hide(stack) : undefined;
  }
  const out: Record<string, unknown> = { name: e.name, message, stack };
  if (e.code !== undefined) out.code = e.code;
  if (typeof e.detail === 'string') out.detail = e.detail.replace(/=\(.*\)/s, `=(${REDACTED})`);
  for (const k of ['constraint_name', 'table_name', 'column_name'] as const)
    if (typeof e[k] === 'string') out[k] = e[k];
  const inner = e.originalError ?? e.cause;
  if (inner !== undefined && inner !== null && depth < 4) out.cause = serialiseError(inner, depth + 1);
  return out;
}

/**
 * pino, asynchronous on stdout (flushed on exit), one JSON object per line:
 * `{ level, time, ...base, ...fields, msg }` with the level as its name and the time in ISO form,
 * errors under `err` serialised without user input, and credentials and parameters redacted.
 * `write` (tests) receives each line synchronously instead.
 */
export function createLogger(level: LogLevel, base: Fields = {}, write?: (line: string) => void): Logger {
  const destination: DestinationStream = write
    ? { write: (line: string) => write(line) }
    : level === 'silent'
      ? { write: () => {} } // no stdout stream (and exit hook) per silent test instance
      : pino.destination({ dest: 1, sync: false });
  const root = pino(
    {
      level,
      base,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: (e: unknown) => serialiseError(e) },
      redact: { paths: REDACT_PATHS, censor: REDACTED },
    },
    destination,
  );
  return wrap(root);
}

function wrap(p: pino.Logger): Logger {
  return {
    debug: (msg, fields) => p.debug(fields ?? {}, msg),
    info: (msg, fields) => p.info(fields ?? {}, msg),
    warn: (msg, fields) => p.warn(fields ?? {}, msg),
    error: (msg, fields) => p.error(fields ?? {}, msg),
    child: (fields, level) => wrap(level ? p.child(fields, { level }) : p.child(fields)),
  };
}
