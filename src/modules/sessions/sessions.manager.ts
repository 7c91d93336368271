import { randomUUID } from 'node:crypto';
import { and, desc, eq, gt, lte, notInArray, type SQL, sql } from 'drizzle-orm';
import { assertOwns, owns } from '../../auth/ownership.js';
import type { DbOrTx } from '../../db/client.js';
import { PreparedSql } from '../../db/prepared-queries.js';
import type { Deps } from '../../deps.js';
import { DomainError, NotFoundError, ValidationError } from '../../errors.js';
import type { ActivityRecorder } from '../report/activity.manager.js';
import { parseTtlSeconds } from '../services/service-options.js';
import {
  mergeServiceParams,
  type ResolvedService,
  type ServiceManager,
} from '../services/services.manager.js';
import type { EntryCtes, StorageEntry, StorageManager } from '../storage/storage.manager.js';
import {
  type Caller,
  genericServiceType,
  type LegacyJson,
  type RequestParams,
  SessionHandlerRegistry,
  type SessionPrelude,
  type SessionView,
} from './session-handlers.js';
import { insertSession, insertWithDataStatement } from './sessions.statements.js';
import { type SessionRow, sessionsTable } from './sessions.tables.js';

/** A session's time to live when neither the service nor the request sets `_ttl` (GMS default). */
export const DEFAULT_SESSION_TTL_SECONDS = 30;
const SWEEP_BATCH = 100;

const sessionStatements = new PreparedSql();

export interface SessionStoppedEvent {
  id: string;
  serviceName: string;
  serviceType: string;
  type: string;
  dataId: string;
  gmsUser: string | null;
  /** `stopped`: DELETE /genesys/1/service/{id} (or GraphQL); `expired`: its time to live ran out. */
  reason: 'stopped' | 'expired';
  /** ISO-8601. */
  at: string;
}

/**
 * Runs inside the transaction that removes the session: release what the session holds through `tx`
 * (it commits or rolls back with the removal; on PGlite do not use `deps.db` inside). A throw undoes
 * the stop (DELETE answers the error; the sweeper retries on its next run).
 */
export type SessionStoppedListener = (event: SessionStoppedEvent, tx: DbOrTx) => Promise<void>;

declare module '../../pubsub/topics.js' {
  interface TopicMap {
    /** Keyed by session id; published after the removal commits. */
    'session:stopped': SessionStoppedEvent;
  }
}

export interface CreateSessionResult {
  session: SessionView | null;
  /** The legacy body the service type answered with. */
  response: LegacyJson;
  service: ResolvedService;
}

/** What a service type answered: the GMS JSON body (the adapter sends it with 200). */
export interface RequestResult {
  response: LegacyJson;
}

const toView = (row: SessionRow): SessionView => ({
  id: row.id,
  serviceName: row.serviceName,
  serviceType: row.serviceType,
  type: row.type,
  dataId: row.dataId,
  gmsUser: row.gmsUser,
  ownerTokenHash: row.ownerTokenHash,
  params: row.params,
  requestParams: row.requestParams,
  nodeId: row.nodeId,
  createdAt: row.createdAt,
  expiresAt: row.expiresAt,
});

const sessionNotFound = (id: string) =>
  new NotFoundError('sessions/not_found', `Service session '${id}' not found or expired`);

/** 405 on the legacy API (error-table.ts). */
const methodNotAllowed = (code: string, message: string) => new DomainError(code, message);

const unwrap = (answer: LegacyJson): RequestResult => ({ response: answer });

declare module '../../managers.types.js' {
  interface Managers {
    sessions: SessionManager;
  }
}

/**
 * Service sessions: create (dispatching on the service's built-in type through `handlers`), read,
 * stop, per-session requests, expiry. Expired sessions are invisible from the moment `expires_at`
 * passes (every read compares it with `deps.clock`); the sweeper removes them and tells listeners.
 */
export class SessionManager {
  /** Where modules plug in service types and per-session requests. */
  readonly handlers = new SessionHandlerRegistry();
  private readonly stoppedListeners: SessionStoppedListener[] = [];
  private readonly paramChecks: ((params: Record<string, string>) => void)[] = [];

  constructor(
    private readonly deps: Deps,
    private readonly services: ServiceManager,
    private readonly storage: StorageManager,
    private readonly activity: ActivityRecorder | null = null,
  ) {}

  /**
   * `check(params)` runs on every create, after the request is merged with the configuration and
   * before anything is written; it throws a DomainError to refuse (e.g. push checks an httpcb URL).
   */
  addParamCheck(check: (params: Record<string, string>) => void): void {
    this.paramChecks.push(check);
  }

  /** Called, in registration order, whenever a session is stopped or expires. */
  onStopped(listener: SessionStoppedListener): void {
    this.stoppedListeners.push(listener);
  }

  /**
   * POST /genesys/1/service/{name}. Records a service access in the activity record: in the creating
   * transaction when it succeeds, on its own (with the failure's status) when it fails.
   */
  async create(serviceName: string, request: RequestParams, caller: Caller): Promise<CreateSessionResult> {
    try {
      return await this.createSession(serviceName, request, caller);
    } catch (err) {
      await this.recordFailure(serviceName, err);
      throw err;
    }
  }

  private async recordFailure(serviceName: string, err: unknown): Promise<void> {
    if (!this.activity) return;
    try {
      await this.activity.record(this.deps.db, {
        category: 'service',
        kind: 'accessed',
        service: serviceName,
        status: err instanceof DomainError ? err.status : 500,
        code: err instanceof DomainError ? err.code : 'internal',
      });
    } catch (recordErr) {
      // The caller gets the original error; a lost statistic must not replace it.
      this.deps.logger.warn('service access not recorded', { service: serviceName, err: recordErr });
    }
  }

  private async recordAccess(db: DbOrTx, service: string, sessionId: string | null): Promise<void> {
    await this.activity?.record(db, {
      category: 'service',
      kind: 'accessed',
      service,
      status: 200,
      sessionId,
    });
  }

  private async createSession(
    serviceName: string,
    request: RequestParams,
    caller: Caller,
  ): Promise<CreateSessionResult> {
    for (const file of request.files)
      if (file.key.startsWith('_'))
        throw new ValidationError(
          'sessions/control_file',
          `Control parameter ${file.key} must be text, not a file`,
          file.key,
        );
    const service = await this.resolveForCreate(serviceName);
    const handler = this.handlers.serviceType(service.serviceType);
    const params = mergeServiceParams(service, { ...request.userData, ...request.control });
    for (const name of handler.required ?? [])
      if (!params[name])
        throw new ValidationError(
          'sessions/missing_parameter',
          `Missing mandatory parameter ${name} for service '${serviceName}'`,
          name,
        );
    for (const check of this.paramChecks) check(params);
    const rollbackWork: (() => Promise<void>)[] = [];
    const onRollback = (fn: () => Promise<void>) => {
      rollbackWork.push(fn);
    };
    if (handler.createsSession === false) {
      const now = this.deps.clock.now();
      const ctx = { ...caller, tx: this.deps.db, onRollback, request, now };
      try {
        const reply = handler.create ? await handler.create(null, params, service, ctx) : {};
        // No transaction here (the handler wrote through deps.db): recorded once it has answered.
        await this.recordAccess(this.deps.db, service.name, null).catch((err: unknown) =>
          this.deps.logger.warn('service access not recorded', { service: service.name, err }),
        );
        return { session: null, service, ...unwrap(reply) };
      } catch (err) {
        await this.runRollbackWork(rollbackWork);
        throw err;
      }
    }
    const ttl = parseTtlSeconds(params._ttl, DEFAULT_SESSION_TTL_SECONDS);
    if (ttl === null)
      throw new ValidationError('sessions/invalid_ttl', `_ttl must be a positive number of seconds`, '_ttl');
    let answer: { session: SessionView; reply: LegacyJson };
    try {
      answer = await this.deps.db.transaction(async (tx) => {
        const now = this.deps.clock.now();
        const owner = { gmsUser: caller.gmsUser, ownerTokenHash: caller.ownerTokenHash ?? null };
        // The session's own rows are sent without waiting, so they share one round trip with the
        // service type's first statements: a transaction's statements run in the order they were
        // sent, and each insert here only refers to rows sent before it. They are awaited after the
        // service type answers; a failed one aborts the transaction, and its error is the one thrown.
        const input = { text: request.userData, binary: request.files };
        // Usually one statement writes the user data, the session and its access row
        // (`insertWithData`); files or many values take a statement per table.
        const data =
          this.storage.entryCtes(ttl, input, owner) ?? this.storage.startEntry(tx, ttl, input, owner);
        const row: SessionRow = {
          id: `${this.deps.node.id}-${randomUUID()}`,
          serviceName: service.name,
          serviceType: service.serviceType,
          type: service.type,
          dataId: data.id,
          gmsUser: owner.gmsUser,
          ownerTokenHash: owner.ownerTokenHash,
          params,
          requestParams: request.control,
          nodeId: this.deps.node.id,
          createdAt: now,
          updatedAt: now,
          expiresAt: new Date(now.getTime() + ttl * 1000),
        };
        // The service type's prelude (request-interaction: the allocation lock) rides in the one
        // statement; with a statement per table, `create` does that work itself.
        const prelude = 'written' in data ? null : (handler.prelude?.(params) ?? null);
        const written =
          'written' in data
            ? Promise.all([data.written, insertSession(tx, row), this.recordAccess(tx, service.name, row.id)])
            : this.insertWithData(tx, row, data, prelude);
        const ctx = { ...caller, tx, onRollback, request, now, preludeDone: prelude !== null };
        written.catch(() => {}); // awaited below on every path; this only keeps it from being unhandled
        const create = handler.create ?? genericServiceType.create;
        let reply: LegacyJson;
        try {
          reply = create ? await create(toView(row), params, service, ctx) : {};
        } catch (err) {
          await written;
          throw err;
        }
        await written;
        return { session: toView(row), reply };
      });
    } catch (err) {
      await this.runRollbackWork(rollbackWork);
      throw err;
    }
    return { session: answer.session, service, ...unwrap(answer.reply) };
  }

  /**
   * One statement: the session's user data area and values (the storage module's CTEs), its access
   * row (the report module's) and the session row. Fewer statements is most of a request's cost in
   * PostgreSQL (issue 18, BENCHMARKS.md); the text is built once per number of values.
   */
  private insertWithData(
    tx: DbOrTx,
    row: SessionRow,
    data: EntryCtes,
    prelude: SessionPrelude | null,
  ): Promise<unknown> {
    const activity = this.activity;
    return sessionStatements.rows(
      tx,
      `${data.key}:${activity !== null}:${prelude?.key ?? ''}`,
      () => insertWithDataStatement(data.build(), activity, prelude?.build() ?? null, prelude?.name ?? null),
      {
        ...data.values,
        ...prelude?.values,
        id: row.id,
        serviceName: row.serviceName,
        serviceType: row.serviceType,
        type: row.type,
        dataId: row.dataId,
        gmsUser: row.gmsUser,
        token: row.ownerTokenHash,
        params: JSON.stringify(row.params),
        requestParams: JSON.stringify(row.requestParams),
        node: row.nodeId,
        now: row.createdAt.toISOString(),
        expires: row.expiresAt.toISOString(),
      },
    );
  }

  /**
   * Keeps a live session and its user data alive at least until `until`, inside the caller's
   * transaction (a callback scheduled beyond the session's `_ttl`). Never shortens; returns the new
   * expiry, or null when the session is no longer live.
   */
  async extendIn(tx: DbOrTx, id: string, until: Date): Promise<Date | null> {
    const [row] = await tx
      .update(sessionsTable)
      .set({
        expiresAt: sql`greatest(${sessionsTable.expiresAt}, ${until.toISOString()}::timestamptz)`,
        updatedAt: this.deps.clock.now(),
      })
      .where(and(eq(sessionsTable.id, id), gt(sessionsTable.expiresAt, this.deps.clock.now())))
      .returning({ expiresAt: sessionsTable.expiresAt, dataId: sessionsTable.dataId });
    if (!row) return null;
    await this.storage.extendEntry(tx, row.dataId, row.expiresAt);
    return row.expiresAt;
  }

  /** The configured service of that name, else the bare built-in type GMS serves under its own name. */
  private async resolveForCreate(name: string): Promise<ResolvedService> {
    const configured = await this.services.find(name);
    if (configured) return configured;
    if (this.handlers.hasServiceType(name) && this.handlers.serviceType(name).unconfiguredByName)
      return {
        name,
        serviceType: name,
        type: 'builtin',
        template: null,
        options: {},
        defaults: {},
        overwritable: [],
      };
    return this.services.resolve(name);
  }

  private async runRollbackWork(work: (() => Promise<void>)[]): Promise<void> {
    for (const fn of work)
      await fn().catch((err: unknown) => this.deps.logger.error('post-rollback work failed', { err }));
  }

  /**
   * Holds a live session for the rest of `tx` (FOR SHARE): a concurrent stop waits, so whatever the
   * caller attaches to the session (a booking) is seen by the stop listeners. 404 when not live.
   */
  async holdActive(id: string, tx: DbOrTx): Promise<SessionView> {
    const [row] = await tx
      .select()
      .from(sessionsTable)
      .where(and(eq(sessionsTable.id, id), gt(sessionsTable.expiresAt, this.deps.clock.now())))
      .for('share');
    if (!row) throw new NotFoundError('sessions/not_found', `Service session '${id}' not found or expired`);
    return toView(row);
  }

  /** A live session, or 404 `sessions/not_found`. */
  async get(id: string, db: DbOrTx = this.deps.db): Promise<SessionView> {
    const found = await this.find(id, db);
    if (!found) throw new NotFoundError('sessions/not_found', `Service session '${id}' not found or expired`);
    return found;
  }

  /**
   * A live session the caller may act on: under `strict` rules only the device that created it
   * (and admins); under `open` (legacy compatible) anyone holding the id. 404 otherwise.
   */
  async owned(caller: Caller, id: string): Promise<SessionView> {
    return assertOwns(caller.viewer, await this.get(id), caller.rules, () => sessionNotFound(id));
  }

  /** `owned`, or null when unknown, expired or not the caller's. */
  async findOwned(caller: Caller, id: string): Promise<SessionView | null> {
    const session = await this.find(id);
    return session && (caller.rules === 'open' || owns(caller.viewer, session)) ? session : null;
  }

  async find(id: string, db: DbOrTx = this.deps.db): Promise<SessionView | null> {
    const [row] = await db
      .select()
      .from(sessionsTable)
      .where(and(eq(sessionsTable.id, id), gt(sessionsTable.expiresAt, this.deps.clock.now())));
    return row ? toView(row) : null;
  }

  /**
   * The device tokens (their hashes; null: bound to gms_user alone) that `gmsUser`'s live sessions
   * were created with: what a strict-mode CometD subscriber must prove it holds.
   */
  async ownerTokenHashes(gmsUser: string): Promise<(string | null)[]> {
    const rows = await this.deps.db
      .selectDistinct({ hash: sessionsTable.ownerTokenHash })
      .from(sessionsTable)
      .where(and(eq(sessionsTable.gmsUser, gmsUser), gt(sessionsTable.expiresAt, this.deps.clock.now())));
    return rows.map((r) => r.hash);
  }

  /** The session as stored, live or expired but not yet swept (null once removed). */
  async findStored(id: string, db: DbOrTx = this.deps.db): Promise<SessionView | null> {
    const [row] = await db.select().from(sessionsTable).where(eq(sessionsTable.id, id));
    return row ? toView(row) : null;
  }

  /**
   * Live sessions whose control parameter `name`, lower-cased, is one of `values`, as a subquery
   * (`id`, `expiresAt`) for another module to join with its own tables (push: sessions with a
   * provider `_device_os`) without naming this module's table.
   */
  liveWithParamIn(name: string, values: readonly string[]) {
    return this.deps.db
      .select({ id: sessionsTable.id, expiresAt: sessionsTable.expiresAt })
      .from(sessionsTable)
      .where(
        and(
          gt(sessionsTable.expiresAt, this.deps.clock.now()),
          sql`lower(${sessionsTable.params}->>${name}) in (${sql.join(
            values.map((v) => sql`${v}`),
            sql`, `,
          )})`,
        ),
      )
      .as('live_sessions');
  }

  /** Live sessions, newest first (admin). */
  async list(filter: { serviceName?: string | null; gmsUser?: string | null; limit?: number } = {}) {
    const conditions: SQL[] = [gt(sessionsTable.expiresAt, this.deps.clock.now())];
    if (filter.serviceName) conditions.push(eq(sessionsTable.serviceName, filter.serviceName));
    if (filter.gmsUser) conditions.push(eq(sessionsTable.gmsUser, filter.gmsUser));
    const rows = await this.deps.db
      .select()
      .from(sessionsTable)
      .where(and(...conditions))
      .orderBy(desc(sessionsTable.createdAt))
      .limit(Math.min(Math.max(filter.limit ?? 100, 1), 1000));
    return rows.map(toView);
  }

  /** The session's user data (its Storage API area `_data_id`). */
  async data(id: string): Promise<StorageEntry> {
    const session = await this.get(id);
    return this.storage.get({ id: session.dataId });
  }

  /** The session's text user data as key → value (what an agent desktop or IVR reads). */
  async userData(id: string): Promise<Record<string, string>> {
    const entry = await this.data(id);
    return Object.fromEntries(
      entry.values.filter((v) => v.kind === 'text').map((v) => [v.key, v.text ?? '']),
    );
  }

  /** Extra fields the service type adds to GET /genesys/1/service/{id}. */
  async describe(session: SessionView): Promise<Record<string, unknown>> {
    const handler = this.handlers.serviceType(session.serviceType);
    return handler.describe ? handler.describe(session) : {};
  }

  /** GET /genesys/1/service/{name} on a service (office-hours, capacity …): 405 when its type has no query. */
  async query(serviceName: string, query: URLSearchParams, caller: Caller): Promise<RequestResult> {
    let result: RequestResult;
    try {
      result = await this.queryService(serviceName, query, caller);
    } catch (err) {
      await this.recordFailure(serviceName, err);
      throw err;
    }
    try {
      await this.activity?.record(this.deps.db, {
        category: 'service',
        kind: 'accessed',
        service: serviceName,
        status: 200,
      });
    } catch (err) {
      this.deps.logger.warn('service access not recorded', { service: serviceName, err });
    }
    return result;
  }

  private async queryService(
    serviceName: string,
    query: URLSearchParams,
    caller: Caller,
  ): Promise<RequestResult> {
    const service = await this.services.resolve(serviceName);
    const handler = this.handlers.serviceType(service.serviceType);
    if (!handler.query)
      throw methodNotAllowed(
        'sessions/query_not_supported',
        `Service '${serviceName}' (${service.serviceType || 'no type'}) does not answer GET; create a session with POST`,
      );
    const params = mergeServiceParams(service, Object.fromEntries(query));
    return unwrap(await handler.query(params, service, { ...caller, query, now: this.deps.clock.now() }));
  }

  /** /genesys/1/service/{id}/{path}: dispatched through the registry; unknown request → 404. */
  async request(
    id: string,
    path: string,
    method: string,
    request: RequestParams,
    query: URLSearchParams,
    caller: Caller,
  ): Promise<RequestResult> {
    const session = await this.owned(caller, id);
    const handler = this.handlers.findRequest(path, method, session.serviceType);
    if (!handler) {
      if (this.handlers.knowsRequest(path, session.serviceType))
        throw methodNotAllowed('sessions/method_not_allowed', `Request '${path}' does not accept ${method}`);
      throw new NotFoundError(
        'sessions/unknown_request',
        `Service session '${id}' (${session.serviceType}) has no request '${path}'`,
      );
    }
    const service = await this.services.find(session.serviceName);
    const params = service
      ? mergeServiceParams(service, { ...request.userData, ...request.control })
      : { ...request.control };
    const ctx = { ...caller, method: method.toUpperCase(), path, request, query, now: this.deps.clock.now() };
    return unwrap(await handler(session, params, service, ctx));
  }

  /** DELETE /genesys/1/service/{id}: removes the session and its user data, and tells listeners. */
  async stop(id: string): Promise<SessionStoppedEvent> {
    const now = this.deps.clock.now();
    const event = await this.deps.db.transaction(async (tx) => {
      const [row] = await tx
        .delete(sessionsTable)
        .where(and(eq(sessionsTable.id, id), gt(sessionsTable.expiresAt, now)))
        .returning();
      if (!row) throw new NotFoundError('sessions/not_found', `Service session '${id}' not found or expired`);
      return this.release(tx, row, 'stopped', now);
    });
    await this.deps.bus.publish('session:stopped', event.id, event);
    return event;
  }

  /** Housekeeping: removes expired sessions (already invisible) and runs the stop listeners for each. */
  async sweepExpired(): Promise<number> {
    const failed: string[] = [];
    let removed = 0;
    for (;;) {
      const now = this.deps.clock.now();
      const conditions: SQL[] = [lte(sessionsTable.expiresAt, now)];
      if (failed.length > 0) conditions.push(notInArray(sessionsTable.id, failed));
      const batch = await this.deps.db
        .select({ id: sessionsTable.id })
        .from(sessionsTable)
        .where(and(...conditions))
        .limit(SWEEP_BATCH);
      for (const { id } of batch) {
        try {
          const event = await this.deps.db.transaction(async (tx) => {
            const [row] = await tx
              .delete(sessionsTable)
              .where(and(eq(sessionsTable.id, id), lte(sessionsTable.expiresAt, now)))
              .returning();
            return row ? this.release(tx, row, 'expired', now) : null;
          });
          if (event) {
            removed++;
            await this.deps.bus.publish('session:stopped', event.id, event);
          }
        } catch (err) {
          failed.push(id);
          this.deps.logger.error('expired session cleanup failed', { sessionId: id, err });
        }
      }
      if (batch.length < SWEEP_BATCH) return removed;
    }
  }

  private async release(
    tx: DbOrTx,
    row: SessionRow,
    reason: SessionStoppedEvent['reason'],
    now: Date,
  ): Promise<SessionStoppedEvent> {
    await this.storage.deleteEntry(tx, row.dataId);
    const event: SessionStoppedEvent = {
      id: row.id,
      serviceName: row.serviceName,
      serviceType: row.serviceType,
      type: row.type,
      dataId: row.dataId,
      gmsUser: row.gmsUser,
      reason,
      at: now.toISOString(),
    };
    for (const listener of this.stoppedListeners) await listener(event, tx);
    return event;
  }
}
