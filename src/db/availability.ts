import { UnavailableError } from '../errors.js';
import { errorChain } from './pg-errors.js';

/** Seconds a client is told to wait (`Retry-After`) while the database is unreachable. */
export const RETRY_AFTER_SECONDS = 1;

/** Error codes (postgres.js, Node's net, PostgreSQL SQLSTATE) that mean "the database is not there". */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'CONNECTION_CLOSED',
  // Not CONNECTION_ENDED/DESTROYED: those mean this process closed its own client (shutdown).
  'CONNECT_TIMEOUT',
  'DATABASE_KNOWN_DOWN',
]);

/** A pool connection attempt refused (or cut off) because the database is known down (pool-sockets.ts). */
export const databaseKnownDown = (): Error =>
  Object.assign(new Error('The database is unreachable: connection attempt not made (known down)'), {
    code: 'DATABASE_KNOWN_DOWN',
  });

/**
 * Whether `err` (or what it wraps: pg-errors.ts walks the chain) says the database could
 * not be reached, as opposed to a query it refused. SQLSTATE class 08 is a connection exception;
 * 57P01–57P03 are an administrator shutdown, a crash shutdown and "cannot connect now" (starting up
 * or shutting down).
 */
export function isDatabaseUnreachable(err: unknown): boolean {
  for (const e of errorChain(err)) {
    if (e instanceof DatabaseUnavailableError) return true;
    const code = (e as { code?: unknown }).code;
    if (
      typeof code === 'string' &&
      (NETWORK_CODES.has(code) || code.startsWith('08') || /^57P0[123]$/.test(code))
    )
      return true;
  }
  return false;
}

/** 503 with `Retry-After`, in GMS's error shape on the legacy paths. */
export class DatabaseUnavailableError extends UnavailableError {
  override name = 'DatabaseUnavailableError';
  constructor(
    code = 'db/unavailable',
    message = `The database is unreachable; retry in ${RETRY_AFTER_SECONDS} s`,
  ) {
    super(code, message);
  }
}

const COMMIT_OUTCOME_UNKNOWN =
  'The database connection was lost while committing: the request may have taken effect; check before retrying';

/**
 * The connection was lost after a transaction's statements had all succeeded, while its COMMIT was
 * on the way or being answered: the database may have committed it or not, and no client can tell
 * until it is back (PostgreSQL stopped between writing the commit and sending its reply). Answered
 * as a 503 to retry like any unreachable database, but saying the request may have taken effect;
 * every other database 503 means the work was not done. Not a DomainError: GraphQL's error unions
 * must not swallow it as an expected answer (it reaches graphql/yoga.ts's mask, as a driver error does).
 */
export class CommitOutcomeUnknownError extends Error {
  override name = 'CommitOutcomeUnknownError';
  constructor(cause: unknown) {
    super(COMMIT_OUTCOME_UNKNOWN, { cause });
  }
}

/** Whether `err` is (or wraps) a lost COMMIT whose outcome is unknown. */
export function isCommitOutcomeUnknown(err: unknown): boolean {
  for (const e of errorChain(err)) if (e instanceof CommitOutcomeUnknownError) return true;
  return false;
}

/** The 503 that answers an unreachable-database failure `err` (isDatabaseUnreachable). */
export function unavailableErrorFor(err: unknown): DatabaseUnavailableError {
  for (const e of errorChain(err)) {
    if (e instanceof DatabaseUnavailableError) return e;
    if (e instanceof CommitOutcomeUnknownError)
      return new DatabaseUnavailableError('db/commit_outcome_unknown', e.message);
  }
  return new DatabaseUnavailableError();
}

export interface AvailabilityOptions {
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  /** How often the database is pinged while it answers, and while it does not. */
  probeMs: number;
  downProbeMs: number;
  /** Longest a ping may take before the database counts as unreachable. */
  pingTimeoutMs: number;
  onChange?(up: boolean, err?: unknown): void;
}

/**
 * Whether the database answers, known without asking it: a probe pings it in the background
 * (every `probeMs`, every `downProbeMs` while it does not answer). While it is down, requests are
 * answered 503 at once instead of queueing behind connection attempts, `/readyz` says 503 without
 * waiting, and the first answered ping (Postgres back) lets traffic in again — no restart.
 */
export class DatabaseAvailability {
  private state: { up: boolean; since: Date; reason: string | null } = {
    up: true,
    since: new Date(),
    reason: null,
  };
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private slowProbes = 0;

  constructor(private readonly options: AvailabilityOptions | null) {}

  get up(): boolean {
    return this.state.up;
  }

  status(): { up: boolean; since: Date; reason: string | null } {
    return { ...this.state };
  }

  /** A request saw `err`: if it says the database is gone, stop sending it traffic now. */
  observe(err: unknown): void {
    if (this.options && this.state.up && isDatabaseUnreachable(err)) this.set(false, err);
  }

  private set(up: boolean, err?: unknown): void {
    if (this.state.up === up) return;
    this.state = {
      up,
      since: new Date(),
      reason: up ? null : err instanceof Error ? err.message : String(err),
    };
    this.options?.onChange?.(up, err);
    if (!up) this.schedule(0);
  }

  start(): void {
    if (!this.options || !this.stopped) return;
    this.stopped = false;
    this.schedule(this.options.probeMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(ms: number): void {
    const options = this.options;
    if (!options || this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.probe(options), ms);
    this.timer.unref();
  }

  private async probe(options: AvailabilityOptions): Promise<void> {
    this.timer = null;
    let timeout: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        options.ping(),
        new Promise((_, reject) => {
          timeout = setTimeout(
            () => reject(new Error(`no answer within ${options.pingTimeoutMs} ms`)),
            options.pingTimeoutMs,
          );
        }),
      ]);
      this.set(true);
      this.slowProbes = 0;
    } catch (err) {
      // Refused or reset: gone. A slow answer may be a loaded machine: gone after two in a row.
      if (isDatabaseUnreachable(err) || ++this.slowProbes >= 2) this.set(false, err);
    } finally {
      clearTimeout(timeout);
    }
    if (!this.timer) this.schedule(this.state.up ? options.probeMs : options.downProbeMs);
  }
}
