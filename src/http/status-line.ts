import { ServerResponse, STATUS_CODES } from 'node:http';

/**
 * The server's responses (`createServer({ ServerResponse: ReasonPhraseResponse })`). The server
 * adapter writes a Response's `statusText` as the reason phrase, and a WHATWG Response built without
 * one (`new Response(null, { status: 200 })`: `GET /genesys/1/node`, stored files) has ''. Node then
 * sends "HTTP/1.1 200 " with an empty phrase. Jetty (GMS) always sends the standard one: an empty
 * phrase becomes it; a phrase a handler chose is kept.
 */
export class ReasonPhraseResponse extends ServerResponse {}

const writeHead = ServerResponse.prototype.writeHead as (
  this: ServerResponse,
  ...args: unknown[]
) => ServerResponse;
// Set on the prototype once (not per response): writeHead's overloads cannot be overridden as a method.
ReasonPhraseResponse.prototype.writeHead = function (this: ServerResponse, ...args: unknown[]) {
  if (args[1] === '' && typeof args[0] === 'number') args[1] = STATUS_CODES[args[0]] ?? '';
  return writeHead.apply(this, args);
} as ServerResponse['writeHead'];
