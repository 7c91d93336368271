import { DEVICE_TOKEN_HEADER, legacyRequester, type Requester } from '../auth/ownership.js';
import type { Viewer } from '../auth/viewer.js';
import type { Deps } from '../deps.js';
import { ForbiddenError, UnauthorizedError } from '../errors.js';
import type { Managers } from '../managers.types.js';
import { type ParsedBody, parseBody } from './body.js';
import { HttpError } from './http-errors.js';
import { assertNoNul, assertNoNulInPairs } from './input-guard.js';

export interface LegacyRequest {
  method: string;
  url: URL;
  params: Record<string, string>;
  headers: Headers;
  viewer: Viewer;
  /** The `gms_user` header: the end user's opaque identity in GMS. */
  gmsUser: string | null;
  /** Viewer, gms_user and the LEGACY_ACCESS ownership rules, as managers take them. */
  caller: Requester;
  /** Parsed once, on first call. */
  body(): Promise<ParsedBody>;
  raw: Request;
}

export interface LegacyContext {
  deps: Deps;
  managers: Managers;
}

export type LegacyHandler = (req: LegacyRequest, ctx: LegacyContext) => Promise<Response>;

interface Route {
  method: string;
  /** As registered, e.g. `/genesys/1/service/:id/storage` (the metrics route label). */
  pattern: string;
  segments: string[];
  handler: LegacyHandler;
  admin: boolean;
  rank: number[];
}

export interface RouteOptions {
  /** Needs an admin identity (HTTP Basic); otherwise anyone, with `gms_user` identifying the end user. */
  admin?: boolean;
}

/**
 * Routes for `/genesys/...`. Patterns use `:param` segments and a final `*rest`; a static segment
 * outranks a parameter, so `/service/callback/:name` wins over `/service/:id/:request`.
 */
export class LegacyRouter {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: LegacyHandler, options: RouteOptions = {}): this {
    const segments = pattern.split('/').filter(Boolean);
    const rank = segments.map((s) => (s.startsWith('*') ? 2 : s.startsWith(':') ? 1 : 0));
    this.routes.push({
      method: method.toUpperCase(),
      pattern: `/${segments.join('/')}`,
      segments,
      handler,
      admin: options.admin ?? false,
      rank,
    });
    this.routes.sort((a, b) => compareRank(a.rank, b.rank));
    return this;
  }

  /** Every registered route, in matching order (the fuzz suite walks them all). */
  list(): { method: string; pattern: string; admin: boolean }[] {
    return this.routes.map(({ method, pattern, admin }) => ({ method, pattern, admin }));
  }

  match(
    method: string,
    pathname: string,
  ): { route: Route; params: Record<string, string> } | 'method' | null {
    const parts = pathname.split('/').filter(Boolean).map(safeDecode);
    let pathMatched = false;
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      if (route.method !== method && !(route.method === 'GET' && method === 'HEAD')) {
        pathMatched = true;
        continue;
      }
      return { route, params };
    }
    return pathMatched ? 'method' : null;
  }

  async handle(
    request: Request,
    ctx: LegacyContext,
    authenticate: () => Promise<Viewer>,
  ): Promise<Response | null> {
    const url = new URL(request.url);
    const found = this.match(request.method.toUpperCase(), url.pathname);
    if (found === null) return null;
    if (found === 'method')
      throw new HttpError(405, 'http/method_not_allowed', `Method ${request.method} not allowed`);
    const viewer = await authenticate();
    if (found.route.admin && viewer.kind !== 'admin') {
      if (!request.headers.get('authorization')) throw new UnauthorizedError();
      throw new ForbiddenError();
    }
    // Before anything reaches a manager (and PostgreSQL, which refuses NUL in text): path ids,
    // query parameters and the gms_user header. The body is checked when it is parsed.
    assertNoNulInPairs(Object.entries(found.params), 'path parameter');
    assertNoNulInPairs(url.searchParams, 'query parameter');
    assertNoNul(request.headers.get('gms_user'), 'The gms_user header');
    let parsed: Promise<ParsedBody> | null = null;
    const limits = ctx.deps.config.limits;
    const gmsUser = request.headers.get('gms_user');
    const { requester, issued } = legacyRequester(viewer, gmsUser, ctx.deps.config);
    const req: LegacyRequest = {
      method: request.method.toUpperCase(),
      url,
      params: found.params,
      headers: request.headers,
      viewer,
      gmsUser,
      caller: requester,
      body: () => {
        parsed ??= parseBody(request, limits);
        return parsed;
      },
      raw: request,
    };
    const response = await found.route.handler(req, ctx);
    // Strict mode: the token what this request created is bound to (see auth/ownership.ts).
    if (issued) response.headers.set(DEVICE_TOKEN_HEADER, issued);
    return response;
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
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | null {
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const seg = pattern[i] as string;
    if (seg.startsWith('*')) {
      params[seg.slice(1)] = parts.slice(i).join('/');
      return params;
    }
    const part = parts[i];
    if (part === undefined) return null;
    if (seg.startsWith(':')) params[seg.slice(1)] = part;
    else if (seg !== part) return null;
  }
  return parts.length === pattern.length ? params : null;
}
