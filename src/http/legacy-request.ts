import { DEVICE_TOKEN_HEADER, legacyRequester, type Requester } from '../auth/ownership.js';
import type { Viewer } from '../auth/viewer.js';
import type { Deps } from '../deps.js';
import { ForbiddenError, UnauthorizedError } from '../errors.js';
import type { Managers } from '../managers.types.js';
import { type ParsedBody, parseBody } from './body.js';
import { crossSiteBrowserRequest } from './csrf.js';
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

/**
 * Runs a legacy route: the admin check, NUL checks, the `LegacyRequest` (lazily parsed body, the
 * caller's ownership rules) and the device token header. Errors are mapped by the dispatcher.
 */
export async function handleLegacy(
  route: { handler: LegacyHandler; admin: boolean },
  params: Record<string, string>,
  request: Request,
  ctx: LegacyContext,
  authenticate: () => Promise<Viewer>,
): Promise<Response> {
  const url = new URL(request.url);
  const viewer = await authenticate();
  if (route.admin && viewer.kind !== 'admin') {
    if (!request.headers.get('authorization')) throw new UnauthorizedError();
    throw new ForbiddenError();
  }
  if (route.admin && crossSiteBrowserRequest(request, ctx.deps.config.allowedOrigins))
    throw new ForbiddenError('An admin route does not take requests a browser sends from another site');
  // Before anything reaches a manager (and PostgreSQL, which refuses NUL in text): path ids,
  // query parameters and the gms_user header. The body is checked when it is parsed.
  assertNoNulInPairs(Object.entries(params), 'path parameter');
  assertNoNulInPairs(url.searchParams, 'query parameter');
  assertNoNul(request.headers.get('gms_user'), 'The gms_user header');
  let parsed: Promise<ParsedBody> | null = null;
  const limits = ctx.deps.config.limits;
  const gmsUser = request.headers.get('gms_user');
  const { requester, issued } = legacyRequester(viewer, gmsUser, ctx.deps.config);
  const req: LegacyRequest = {
    method: request.method.toUpperCase(),
    url,
    params,
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
  const response = await route.handler(req, ctx);
  // Strict mode: the token what this request created is bound to (see auth/ownership.ts).
  if (issued) response.headers.set(DEVICE_TOKEN_HEADER, issued);
  return response;
}
