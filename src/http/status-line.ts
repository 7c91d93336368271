import { type ServerResponse, STATUS_CODES } from 'node:http';

/**
 * The server adapter writes a Response's `statusText` as the reason phrase, and a WHATWG Response
 * built without one (`new Response(null, { status: 200 })`: `GET /genesys/1/node`, stored files)
 * has ''. Node then sends "HTTP/1.1 200 " with an empty phrase. Jetty (GMS) always sends the
 * standard one: an empty phrase becomes it; a phrase a handler chose is kept.
 */
export function standardReasonPhrase(res: ServerResponse): void {
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    if (args[1] === '' && typeof args[0] === 'number') args[1] = STATUS_CODES[args[0]] ?? '';
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['writeHead'];
}
