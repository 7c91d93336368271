import type { SQL } from 'drizzle-orm';
import type { Requester } from '../../auth/ownership.js';
import type { DbOrTx } from '../../db/client.js';
import type { ResolvedService } from '../services/services.manager.js';
import type { BinaryInput } from '../storage/storage.manager.js';

/** A service session (GMS "service"), as other modules see it. */
export interface SessionView {
  /** `<node id>-<uuid>`. */
  id: string;
  /** The execution name it was created from. */
  serviceName: string;
  /** `_service` of that service: the built-in type (request-interaction, callback, …). */
  serviceType: string;
  /** `_type`: builtin or ors. */
  type: string;
  /** The Storage API id of its user data. */
  dataId: string;
  /** The `gms_user` header of the create request. */
  gmsUser: string | null;
  /** sha256 of the creator's device token, or null (see auth/ownership.ts). */
  ownerTokenHash: string | null;
  /** Control parameters in force: template defaults < request < configured options (mergeServiceParams). */
  params: Record<string, string>;
  /** Control parameters exactly as the create request sent them. */
  requestParams: Record<string, string>;
  nodeId: number;
  createdAt: Date;
  expiresAt: Date;
}

/** A request's parameters, split the GMS way. */
export interface RequestParams {
  /** Keys starting with `_`: control parameters. */
  control: Record<string, string>;
  /** Every other text key: user data. */
  userData: Record<string, string>;
  /** Uploaded files (user data too). */
  files: BinaryInput[];
}

/** Who is asking: viewer, `gms_user`, and the ownership rules (GraphQL strict; legacy per LEGACY_ACCESS). */
export type Caller = Requester;

/** Any JSON value a legacy response carries. */
export type LegacyJson = unknown;

export interface CreateContext extends Caller {
  /**
   * The transaction the session (and its user data) is being created in. Write through it, so that
   * a failure (throw a DomainError) leaves nothing behind. Do not use `deps.db` inside: on PGlite
   * the transaction holds the only connection. For `createsSession: false` types there is no
   * session to create: `tx` is the database itself and the handler runs its own transactions.
   */
  tx: DbOrTx;
  /** Work to do after `tx` rolls back (e.g. recording that a pool was exhausted); failures are logged. */
  onRollback(fn: () => Promise<void>): void;
  request: RequestParams;
  now: Date;
  /**
   * The handler's `prelude` ran in the statement that wrote the session (before `create`); false
   * when there was none or the session took several statements (files, many values): `create`
   * then does that work itself.
   */
  preludeDone?: boolean;
}

/**
 * Work a service type needs done in the create transaction before `create`, which can ride in the
 * statement that writes the session (a statement fewer a request: issue 18). One CTE that answers
 * one row; the session row is inserted from it, so it runs before the row is written.
 */
export interface SessionPrelude {
  /** The CTE's name; it must answer exactly one row. */
  name: string;
  /** Decides `build`'s text: the session statement is built once per key. */
  key: string;
  /** `<name> as (select …)`; its placeholders are named `prelude_*` (given in `values`). */
  build(): SQL;
  values: Record<string, unknown>;
}

export interface QueryContext extends Caller {
  query: URLSearchParams;
  now: Date;
}

export interface SessionRequestContext extends Caller {
  method: string;
  /** The request path after the session id, e.g. `connect` or `ixn/chat/send`. */
  path: string;
  request: RequestParams;
  query: URLSearchParams;
  now: Date;
}

/** How one built-in service type (the `_service` value) answers the Service API. */
export interface ServiceTypeHandler {
  /**
   * GMS answers `/genesys/1/service/<type name>` for this built-in type even when no service of that
   * name is configured; the request alone supplies the parameters (request-interaction, …).
   */
  unconfiguredByName?: boolean;
  /** Control parameters that must have a value after merging the request with the configuration: else 400 naming it. */
  required?: string[];
  /**
   * `false`: POST runs `create` with no session of its own (match-interaction, request-access),
   * outside any transaction (it opens its own). Default true.
   */
  createsSession?: boolean;
  /**
   * A session-creating type's work that must precede `create` in the transaction and may be sent in
   * the session's own statement (see `CreateContext.preludeDone`). Null: nothing to send.
   */
  prelude?(params: Record<string, string>): SessionPrelude | null;
  /**
   * POST /genesys/1/service/{name}. `session` is the new session (null when `createsSession` is
   * false); `params` the merged control parameters. Returns the legacy JSON body.
   */
  create?(
    session: SessionView | null,
    params: Record<string, string>,
    service: ResolvedService,
    ctx: CreateContext,
  ): Promise<LegacyJson>;
  /** GET /genesys/1/service/{name} (office-hours, capacity). Absent: 405. */
  query?(params: Record<string, string>, service: ResolvedService, ctx: QueryContext): Promise<LegacyJson>;
  /** Extra fields for GET /genesys/1/service/{id} (e.g. a callback's state). */
  describe?(session: SessionView): Promise<Record<string, unknown>>;
}

/**
 * `/genesys/1/service/{id}/{request...}`. `params` are the request's control parameters merged with
 * the service's configuration (when the service still exists) the same way as on create.
 */
export type SessionRequestHandler = (
  session: SessionView,
  params: Record<string, string>,
  service: ResolvedService | null,
  ctx: SessionRequestContext,
) => Promise<LegacyJson>;

/**
 * A per-session request as the module serving it declares it: a constant beside its registration
 * (`*.service-types.ts`), given both to `registerRequest` and, through http/routes.ts, to the route
 * table, so every request a module serves has its own route, README line and OpenAPI operation.
 */
export interface SessionRequestSpec {
  /** The path after the session id, e.g. `connect`; a trailing `/*` serves a subtree (`ixn/chat/*`). */
  path: string;
  /** What it does (the route map's and the OpenAPI document's summary). */
  summary: string;
  /** For a subtree: what the rest of the path names. */
  rest?: string;
  /** HTTP methods served (default POST and GET: GMS clients use both for dialog follow-ups). */
  methods?: readonly string[];
  /** Only sessions of these `_service` types (default: all). */
  serviceTypes?: readonly string[];
}

/** The methods a spec serves (its default applied). */
export const requestMethods = (spec: SessionRequestSpec): string[] =>
  (spec.methods ?? ['POST', 'GET']).map((m) => m.toUpperCase());

interface RequestRegistration {
  spec: SessionRequestSpec;
  path: string;
  prefix: boolean;
  methods: string[];
  serviceTypes: readonly string[];
  handler: SessionRequestHandler;
}

/** The generic answer of a service type nobody registered: the session's ids (`id` too, as the Service API doc spells it). */
export const genericServiceType: ServiceTypeHandler = {
  async create(session) {
    if (!session) return {};
    return { _id: session.id, id: session.id, _data_id: session.dataId };
  },
};

const normalisePath = (path: string) => path.split('/').filter(Boolean).join('/');

/**
 * The Service API's hooks. Modules register, from their `*.service-types.ts` (called in managers.ts):
 *  - a handler per built-in service type: `registerServiceType('request-interaction', {...})`;
 *  - per-session requests: `registerRequest(CONNECT, handler)` with a declared SessionRequestSpec
 *    (`{ path: 'connect', serviceTypes: ['callback'], … }`), or a subtree with a trailing `/*`.
 * The HTTP route of each request is in the route table (sessions.rest.ts); this registry picks the
 * handler by the session's service type.
 * Exact paths win over subtrees, longer subtrees over shorter ones, type-specific registrations over
 * generic ones (so a module may refine the built-in generic `update`).
 */
export class SessionHandlerRegistry {
  private readonly types = new Map<string, ServiceTypeHandler>();
  private readonly requests: RequestRegistration[] = [];

  registerServiceType(serviceType: string, handler: ServiceTypeHandler): void {
    if (this.types.has(serviceType)) throw new Error(`service type '${serviceType}' is already registered`);
    this.types.set(serviceType, handler);
  }

  /** The handler of a `_service` type, or the generic one. */
  serviceType(serviceType: string): ServiceTypeHandler {
    return this.types.get(serviceType) ?? genericServiceType;
  }

  hasServiceType(serviceType: string): boolean {
    return this.types.has(serviceType);
  }

  registerRequest(spec: SessionRequestSpec, handler: SessionRequestHandler): void {
    const { path } = spec;
    const prefix = path.endsWith('/*');
    const normalised = normalisePath(prefix ? path.slice(0, -2) : path);
    if (!normalised) throw new Error('a session request needs a path');
    const methods = requestMethods(spec);
    const serviceTypes = spec.serviceTypes ?? [];
    const clash = this.requests.find(
      (r) =>
        r.path === normalised &&
        r.prefix === prefix &&
        r.methods.some((m) => methods.includes(m)) &&
        // A type-specific registration may refine a generic one; two of the same scope clash.
        (r.serviceTypes.length === 0
          ? serviceTypes.length === 0
          : r.serviceTypes.some((t) => serviceTypes.includes(t))),
    );
    if (clash) throw new Error(`session request '${path}' is already registered`);
    this.requests.push({ spec, path: normalised, prefix, handler, methods, serviceTypes });
  }

  /** Every registered request, as declared (test/route-table.test.ts checks each has its route). */
  registered(): SessionRequestSpec[] {
    return this.requests.map((r) => r.spec);
  }

  /** The handler for `path` on a session of `serviceType`, or null (the caller answers 404). */
  findRequest(path: string, method: string, serviceType: string): SessionRequestHandler | null {
    const wanted = normalisePath(path);
    const upper = method.toUpperCase();
    const candidates = this.requests.filter(
      (r) =>
        (r.methods.includes(upper) || (upper === 'HEAD' && r.methods.includes('GET'))) &&
        (r.serviceTypes.length === 0 || r.serviceTypes.includes(serviceType)) &&
        (r.prefix ? wanted === r.path || wanted.startsWith(`${r.path}/`) : wanted === r.path),
    );
    candidates.sort(
      (a, b) =>
        Number(a.prefix) - Number(b.prefix) ||
        b.path.length - a.path.length ||
        Number(a.serviceTypes.length === 0) - Number(b.serviceTypes.length === 0),
    );
    return candidates[0]?.handler ?? null;
  }

  /** Whether any handler serves `path` (with another method): the caller answers 405 instead of 404. */
  knowsRequest(path: string, serviceType: string): boolean {
    return ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'].some(
      (m) => this.findRequest(path, m, serviceType) !== null,
    );
  }
}
