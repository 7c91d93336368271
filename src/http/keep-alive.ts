import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * A response sent before its request body was read to the end (413 for an oversized chunked
 * body, 400 for a malformed multipart one, 401/403 before a body is looked at) leaves the rest
 * of that body on the socket: Node neither reads it for the next request nor closes, so the next
 * request on the keep-alive connection stalled until a timeout (issue 16 finding 11). Such a
 * response says `Connection: close` and the socket ends after it (Node's `shouldKeepAlive`),
 * instead of the server reading an unbounded body only to throw it away. What the client still
 * sends meanwhile is read and dropped for a short while, so closing does not reset the
 * connection before the client has read the answer.
 */
export function closeIfBodyUnread(req: IncomingMessage, res: ServerResponse, lingerMs = 2_000): void {
  const socket = req.socket; // detached from req/res once the response is done
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    if (!req.complete) this.shouldKeepAlive = false;
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['writeHead'];
  res.once('finish', () => {
    if (req.complete || res.shouldKeepAlive || socket.destroyed) return;
    socket.on('data', () => {}); // discard: nothing more is parsed on this connection
    socket.resume();
    const timer = setTimeout(() => socket.destroy(), lingerMs);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  });
}

/**
 * How often Node looks for connections over headersTimeout / requestTimeout: a tenth of the
 * headers timeout, between 100 ms and 1 s, so a timeout fires within ~10% of its setting
 * (the check walks the open connections: cheap at this rate).
 */
export function connectionsCheckingInterval(headersTimeoutMs: number): number {
  return Math.min(1_000, Math.max(100, Math.floor(headersTimeoutMs / 10)));
}
