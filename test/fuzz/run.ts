import fc from 'fast-check';
import type { App } from '../../src/app.js';
import { schema } from '../../src/graphql/schema.js';
import {
  ADMIN_AUTH,
  type FuzzLimits,
  type FuzzPools,
  type FuzzRequest,
  graphqlRequestArb,
  legacyRequestArb,
} from './generators.js';

/**
 * Sends the generated requests to a running server over real HTTP (where the multipart crash of
 * issue 16 finding 1 happened) and checks each answer: never a 5xx; a legacy error is GMS's JSON
 * `{ message, exception, code, phrase }` with `code` equal to the status; a GraphQL answer is JSON
 * and never a masked "Unexpected error." (an exception nobody expected).
 */

export interface FuzzOptions {
  seed: number;
  /** Requests per legacy route. */
  runsPerRoute: number;
  /** GraphQL requests in all (spread over every query and mutation field). */
  graphqlRuns: number;
  limits: FuzzLimits;
  /** Requests in flight at once. */
  concurrency?: number;
}

export interface FuzzFailure {
  label: string;
  status: number | 'network error';
  detail: string;
  method: string;
  path: string;
  body: string;
}

export interface FuzzResult {
  seed: number;
  routes: number;
  requests: number;
  byStatus: Record<string, number>;
  failures: FuzzFailure[];
  /** Requests that got no answer (the server closed the connection first). */
  networkErrors: number;
  /** 503 + Retry-After from the database gate, sent again once after the delay. */
  unavailableRetries: number;
  maxMs: number;
  p99Ms: number;
  over2s: number;
  wallMs: number;
}

/** Something for the generators to find: a callback service and a storage area. */
export async function prepareFuzzTargets(app: App): Promise<FuzzPools> {
  await app.managers.services.create({
    name: 'cb-fuzz',
    template: 'callback',
    preset: 'User-Originated-Immediate',
    options: [
      { name: '_target', value: 'Billing@StatServer.GA' },
      { name: '_urs_virtual_queue', value: 'VQ_Fuzz' },
    ],
  });
  const res = await app.fetch(
    new Request('http://fuzz.test/genesys/1/storage/3600', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', gms_user: 'device-1' },
      body: 'k=v',
    }),
  );
  const { id } = (await res.json()) as { id: string };
  return { ids: [id, '1', 'custom-1'], names: ['cb-fuzz', 'callback', 'request-interaction'] };
}

async function check(request: FuzzRequest, response: Response): Promise<string | null> {
  const text = await response.text();
  if (response.status >= 500) return `${response.status}: ${text.slice(0, 300)}`;
  const isJson = (response.headers.get('content-type') ?? '').includes('json');
  if (request.path.startsWith('/graphql')) {
    // yoga's 406 (an Accept that allows no GraphQL response type) and 415 come without a body,
    // as GraphQL over HTTP allows.
    if (!isJson && (response.status === 406 || response.status === 415) && text === '') return null;
    if (!isJson) return `not JSON (${response.headers.get('content-type')}): ${text.slice(0, 200)}`;
    const body = JSON.parse(text) as { errors?: { message: string }[] };
    const unexpected = body.errors?.find((e) => e.message === 'Unexpected error.');
    if (unexpected) return `masked unexpected error: ${text.slice(0, 300)}`;
    return null;
  }
  if (response.status >= 400) {
    if (!isJson) return `a ${response.status} that is not JSON: ${text.slice(0, 200)}`;
    const body = JSON.parse(text) as Record<string, unknown>;
    if (
      body.code !== response.status ||
      typeof body.message !== 'string' ||
      typeof body.exception !== 'string'
    )
      return `a ${response.status} not in GMS's error shape: ${text.slice(0, 200)}`;
  }
  return null;
}

const shown = (body: Uint8Array | null) =>
  body === null ? '' : JSON.stringify(Buffer.from(body).toString('utf8').slice(0, 300));

/** Generates and sends the requests; resolves with the counts (the caller asserts). */
export async function runFuzz(
  baseUrl: string,
  app: App,
  pools: FuzzPools,
  options: FuzzOptions,
): Promise<FuzzResult> {
  const routes = app.routes.list();
  const requests: FuzzRequest[] = [];
  routes.forEach((route, i) => {
    requests.push(
      ...fc.sample(legacyRequestArb(route, pools, options.limits), {
        numRuns: options.runsPerRoute,
        seed: options.seed + i,
      }),
    );
  });
  requests.push(
    ...fc.sample(graphqlRequestArb(schema, pools, options.limits), {
      numRuns: options.graphqlRuns,
      seed: options.seed - 1,
    }),
  );

  const byStatus: Record<string, number> = {};
  const failures: FuzzFailure[] = [];
  const durations: number[] = [];
  let networkErrors = 0;
  let unavailableRetries = 0;
  const started = performance.now();
  let next = 0;
  async function worker() {
    for (;;) {
      const request = requests[next++];
      if (!request) return;
      const t0 = performance.now();
      try {
        const send = () =>
          fetch(`${baseUrl}${request.path}`, {
            method: request.method,
            headers: request.headers,
            body: request.body as Uint8Array<ArrayBuffer> | null,
            redirect: 'manual',
          });
        let response = await send();
        // 503 + Retry-After is the database gate (src/http/database-gate.ts): the database did not
        // answer its probe in time (a loaded machine), not this input. Honour it once; a second
        // 503 is a failure like any 5xx.
        const retryAfter = Number(response.headers.get('retry-after'));
        if (response.status === 503 && retryAfter > 0) {
          await response.arrayBuffer();
          unavailableRetries++;
          await new Promise((r) => setTimeout(r, Math.min(retryAfter, 2) * 1_000));
          response = await send();
        }
        const problem = await check(request, response);
        durations.push(performance.now() - t0);
        byStatus[response.status] = (byStatus[response.status] ?? 0) + 1;
        if (problem)
          failures.push({
            label: request.label,
            status: response.status,
            detail: problem,
            method: request.method,
            path: request.path,
            body: shown(request.body),
          });
      } catch (err) {
        durations.push(performance.now() - t0);
        networkErrors++;
        // An oversized body may be cut off mid-upload (413 and close): the server is fine if it
        // still answers. Anything else without an answer is a failure.
        const alive = await fetch(`${baseUrl}/healthz`).then(
          (r) => r.ok,
          () => false,
        );
        if (!alive || !request.label.includes('[oversized]'))
          failures.push({
            label: request.label,
            status: 'network error',
            detail: `${(err as Error).message} ${String((err as Error).cause ?? '')}; server alive: ${alive}`,
            method: request.method,
            path: request.path,
            body: shown(request.body),
          });
      }
    }
  }
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  const wallMs = performance.now() - started;
  durations.sort((a, b) => a - b);
  return {
    seed: options.seed,
    routes: routes.length,
    requests: requests.length,
    byStatus,
    failures,
    networkErrors,
    unavailableRetries,
    maxMs: Math.round(durations.at(-1) ?? 0),
    p99Ms: Math.round(durations[Math.floor(durations.length * 0.99)] ?? 0),
    over2s: durations.filter((d) => d > 2_000).length,
    wallMs: Math.round(wallMs),
  };
}

export { ADMIN_AUTH };
