import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * A response sent before its request body was read to the end (413 for an oversized chunked
 * body, 400 for a malformed multipart one, 401/403 before a body is looked at) leaves the rest
 * of that body on the socket: Node neither reads it for the next request nor closes, so the next
 * request on the keep-alive connection stalled until a timeout (issue 16 finding 11). Such a
 * response says `Connection: close` and the socket ends after it (Node's `shouldKeepAlive`),
 * instead of the server reading an unbounded body only to throw it away. What the client still
 * sends meanwhile is read and dropped for a short while (`lingerMs`), so closing does not reset
 * the connection before the client has read the answer.
 */
export function closeIfBodyUnread(req: IncomingMessage, res: ServerResponse, lingerMs = 2_000): void {
  const socket = req.socket; // req.socket may be gone by the time the answer is written
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    if (!req.complete) {
      this.shouldKeepAlive = false;
      lingerOnClose(socket, lingerMs);
    }
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['writeHead'];
}

/**
 * Node closes the socket of a `Connection: close` answer with `destroySoon()`: FIN, then destroy as
 * soon as the answer is flushed. A client still sending its body then writes into a closed socket
 * and is reset, and may lose the answer it had not read yet (fetch failed with EPIPE while stop()
 * let such a request finish). Instead the server half-closes (FIN after the answer), keeps reading
 * and dropping, and the socket closes when the client closes its side, or after `lingerMs`.
 */
function lingerOnClose(socket: Socket, lingerMs: number): void {
  socket.destroySoon = function (this: Socket) {
    if (this.writable) this.end(); // the http server's sockets allow half-open: reading goes on
    this.on('data', () => {}); // discard: nothing more is parsed on this connection
    this.resume();
    const timer = setTimeout(() => this.destroy(), lingerMs);
    timer.unref();
    this.once('close', () => clearTimeout(timer));
  };
}

/**
 * How often Node looks for connections over headersTimeout / requestTimeout: a tenth of the
 * headers timeout, between 100 ms and 1 s, so a timeout fires within ~10% of its setting
 * (the check walks the open connections: cheap at this rate).
 */
export function connectionsCheckingInterval(headersTimeoutMs: number): number {
  return Math.min(1_000, Math.max(100, Math.floor(headersTimeoutMs / 10)));
}
