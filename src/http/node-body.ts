import type { Readable } from 'node:stream';
import { objectSlot } from '../object-slot.js';

/**
 * The Node stream a request's body arrives on, when the Node server made the request (app.ts hands
 * it over from the server adapter's context). Body parsing reads it directly: through the fetch
 * API's `request.body` every chunk went through a WHATWG stream reader, an async generator and a
 * `Readable.from` before busboy saw it, a tenth of the server's CPU on a multipart
 * request-interaction (BENCHMARKS.md, issue 18). A request built by `app.fetch` callers (tests) has
 * none, and its body is read through `request.body` as before.
 */
const sources = objectSlot<Readable>('node body');

export function attachNodeBody(request: Request, body: Readable): void {
  sources.set(request, body);
}

/** The Node stream of `request`'s body, unless something has already read the body another way. */
export function nodeBodyOf(request: Request): Readable | null {
  if (request.bodyUsed) return null;
  return sources.get(request) ?? null;
}
