import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Viewer } from '../auth/viewer.js';
import type { Deps } from '../deps.js';
import type { Managers } from '../managers.types.js';
import type { ConsoleServer } from './console.js';
import type { LegacyHandler } from './legacy-request.js';

/** What the app builds once and every non-legacy handler may use (given at call time, so the table is static). */
export interface Edge {
  deps: Deps;
  managers: Managers;
  /** The request's identity (HTTP Basic, a `login` bearer token, gms_user, device token). */
  authenticate(request: Request): Promise<Viewer>;
  /** yoga (with the body cap), or the bundled GraphiQL page for a browser. */
  graphql(request: Request, pathname: string): Promise<Response>;
  console: ConsoleServer;
  readiness(): Promise<Response>;
  metrics(request: Request): Promise<Response>;
  /** CometD (Bayeux): raw Node handlers, long-polling and WebSocket. */
  cometd: {
    handle(req: IncomingMessage, res: ServerResponse): void;
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  };
}

export type HttpHandler = (request: Request, edge: Edge, params: Record<string, string>) => Promise<Response>;

/** One documented parameter of a legacy route (query string, header or body field). */
export interface ParamDoc {
  description?: string;
  required?: boolean;
  /** `file` for a multipart upload; `integer`, `boolean`, `date-time`, enums: the GMS parameter rules. */
  type?: 'string' | 'integer' | 'boolean' | 'date-time' | 'file';
  enum?: string[];
  example?: string;
}

/** How a legacy route is described in the OpenAPI document (GET /genesys/1/openapi.json). */
export interface RouteDoc {
  summary: string;
  description?: string;
  /** Path parameters by name (every `:param` is listed; a description here is added). */
  params?: Record<string, string>;
  query?: Record<string, ParamDoc>;
  /**
   * The body: named fields, and whether any other key is accepted (`free`, GMS user data). `false`:
   * no body. Default for POST and PUT: form fields (multipart, urlencoded or JSON), any key.
   */
  body?: false | { fields?: Record<string, ParamDoc>; free?: boolean; media?: string[] };
}

export interface RouteOptions {
  /** Needs an admin identity (HTTP Basic or a `login` token). */
  admin?: boolean;
  doc?: RouteDoc;
}

interface BaseRoute {
  /** Upper-case method, or `*` for any. */
  method: string;
  /** As registered, e.g. `/genesys/1/service/:id/storage` (the metrics route label). */
  pattern: string;
  segments: string[];
  rank: number[];
  admin: boolean;
  /** The module group (an OpenAPI tag), e.g. `Storage API`. */
  tag: string;
  summary: string;
  doc: RouteDoc | null;
  /**
   * A catch-all that answers what a prefix does not know (legacy 404, console shell). A path that
   * some other route serves with another method is a 405, never this.
   */
  fallback: boolean;
}

export interface LegacyRoute extends BaseRoute {
  kind: 'legacy';
  handler: LegacyHandler;
}
export interface HttpRoute extends BaseRoute {
  kind: 'http';
  handler: HttpHandler;
}
/** Served by a raw Node handler before the fetch adapter (CometD): `app.fetch` answers it as unknown. */
export interface NodeRoute extends BaseRoute {
  kind: 'node';
}
export type Route = LegacyRoute | HttpRoute | NodeRoute;

export interface RouteSummary {
  kind: Route['kind'];
  method: string;
  pattern: string;
  admin: boolean;
  tag: string;
  summary: string;
}

export type RouteMatch = { route: Route; params: Record<string, string> } | 'method' | null;

/**
 * THE route table of the HTTP edge: every path the server answers (legacy `/genesys/...`, `/reports`,
 * CometD, health, metrics, GraphQL, the console). The dispatcher (http/dispatch.ts), the metrics
 * `route` label, the README's route map (`npm run routes:print`) and the OpenAPI document of
 * `/genesys/1` are all read from it. Patterns use `:param` segments and a final `*rest`; a static
 * segment outranks a parameter, a parameter a `*rest`, so `/service/callback/:name` wins over
 * `/service/:id/:request` and `/genesys/1/node` over the console's `/genesys/*path`.
 */
export class RouteTable {
  private readonly routes: Route[] = [];
  private readonly tags: string[] = [];
  private readonly docs = new Map<string, { doc: RouteDoc; tag: string }>();
  private currentTag = 'Other';

  /** Routes added inside `fn` are grouped under `tag` (the README's and the OpenAPI document's sections). */
  group(tag: string, fn: (table: this) => void): this {
    const previous = this.currentTag;
    this.currentTag = tag;
    if (!this.tags.includes(tag)) this.tags.push(tag);
    try {
      fn(this);
    } finally {
      this.currentTag = previous;
    }
    return this;
  }

  /** A legacy GMS route: GMS request parsing, ownership, the GMS error JSON. */
  add(method: string, pattern: string, handler: LegacyHandler, options: RouteOptions = {}): this {
    return this.push({ ...this.base(method, pattern, options, false), kind: 'legacy', handler });
  }

  /**
   * Documentation of legacy routes by `'METHOD /pattern'`, kept beside the module's handlers (the
   * OpenAPI document and the route map read it). A key that names no route fails the route-table test.
   */
  describe(docs: Record<string, RouteDoc>): this {
    for (const [key, doc] of Object.entries(docs)) this.docs.set(key, { doc, tag: this.currentTag });
    return this;
  }

  /** Documentation keys that name no route (a renamed path, a typo). */
  undescribedKeys(): string[] {
    const known = new Set(this.routes.map((r) => `${r.method} ${r.pattern}`));
    return [...this.docs.keys()].filter((k) => !known.has(k));
  }

  /** A route's documentation: given with the route, or by `describe`. */
  docOf(route: Route): RouteDoc | null {
    return route.doc ?? this.docs.get(`${route.method} ${route.pattern}`)?.doc ?? null;
  }

  /** A plain HTTP route (health, metrics, reports, GraphQL, console): the handler answers everything itself. */
  http(
    method: string,
    pattern: string,
    handler: HttpHandler,
    /** `fallback`: a catch-all under a prefix, e.g. GMS 404s under `/genesys/1` (see BaseRoute.fallback). */
    options: { summary: string; admin?: boolean; fallback?: boolean },
  ): this {
    const base = this.base(method, pattern, { admin: options.admin }, options.fallback ?? false);
    return this.push({ ...base, summary: options.summary, kind: 'http', handler });
  }

  /** A path served by a raw Node handler (see NodeRoute). */
  node(pattern: string, summary: string): this {
    return this.push({ ...this.base('*', pattern, {}, false), summary, kind: 'node' });
  }

  /** Every route, in matching order. */
  all(): readonly Route[] {
    return this.routes;
  }

  /** The legacy routes a client can call (no catch-alls), in matching order: the fuzz suites walk them all. */
  list(): { method: string; pattern: string; admin: boolean }[] {
    return this.routes
      .filter((r) => r.kind === 'legacy' && !r.fallback)
      .map(({ method, pattern, admin }) => ({ method, pattern, admin }));
  }

  /** The groups in registration order. */
  groups(): string[] {
    return [...this.tags];
  }

  summaries(): RouteSummary[] {
    return this.routes.map((r) => ({
      kind: r.kind,
      method: r.method,
      pattern: r.pattern,
      admin: r.admin,
      tag: r.tag,
      summary: r.summary || (this.docOf(r)?.summary ?? ''),
    }));
  }

  match(method: string, pathname: string): RouteMatch {
    const parts = pathParts(pathname);
    const upper = method.toUpperCase();
    let pathMatched = false;
    // Every request is matched against every route in turn (the dispatcher, the CometD check
    // before it, the metrics label), so a route that does not match costs no allocation.
    for (const route of this.routes) {
      if (!segmentsMatch(route.segments, parts)) continue;
      if (route.fallback && pathMatched) return 'method';
      if (route.method !== '*' && route.method !== upper && !(route.method === 'GET' && upper === 'HEAD')) {
        pathMatched = true;
        continue;
      }
      return { route, params: paramsOf(route.segments, parts) };
    }
    return pathMatched ? 'method' : null;
  }

  /** The methods served at `pathname` (the `Allow` header of a 405). */
  methodsAt(pathname: string): string[] {
    const parts = pathParts(pathname);
    const methods = new Set<string>();
    for (const route of this.routes)
      if (!route.fallback && segmentsMatch(route.segments, parts)) {
        methods.add(route.method);
        if (route.method === 'GET') methods.add('HEAD');
      }
    return [...methods];
  }

  private base(method: string, pattern: string, options: RouteOptions, fallback: boolean): BaseRoute {
    const segments = pattern.split('/').filter(Boolean);
    return {
      method: method.toUpperCase(),
      pattern: `/${segments.join('/')}`,
      segments,
      rank: segments.map((s) => (s.startsWith('*') ? 2 : s.startsWith(':') ? 1 : 0)),
      admin: options.admin ?? false,
      tag: this.currentTag,
      summary: options.doc?.summary ?? '',
      doc: options.doc ?? null,
      fallback,
    };
  }

  private push(route: Route): this {
    this.routes.push(route);
    // Stable: among equal ranks, registration order (fallbacks are registered last).
    this.routes.sort((a, b) => compareRank(a.rank, b.rank) || Number(a.fallback) - Number(b.fallback));
    return this;
  }
}

function compareRank(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? -1;
    const y = b[i] ?? -1;
    if (x !== y) return x - y;
  }
  return 0;
}

function safeDecode(s: string): string {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The path's non-empty segments, each percent-decoded (an undecodable one is kept as it is). */
function pathParts(pathname: string): string[] {
  const parts: string[] = [];
  for (const part of pathname.split('/')) if (part) parts.push(safeDecode(part));
  return parts;
}

function segmentsMatch(pattern: string[], parts: string[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const seg = pattern[i] as string;
    if (seg.startsWith('*')) return true;
    const part = parts[i];
    if (part === undefined) return false;
    if (!seg.startsWith(':') && seg !== part) return false;
  }
  return parts.length === pattern.length;
}

/** The parameters of a path that `segmentsMatch` the pattern. */
function paramsOf(pattern: string[], parts: string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const seg = pattern[i] as string;
    if (seg.startsWith('*')) {
      params[seg.slice(1)] = parts.slice(i).join('/');
      return params;
    }
    if (seg.startsWith(':')) params[seg.slice(1)] = parts[i] as string;
  }
  return params;
}
