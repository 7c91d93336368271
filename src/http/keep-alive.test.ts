import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { closeIfBodyUnread } from './keep-alive.js';

/** A plain Node server whose handler answers at once, without reading the request body. */
async function earlyAnswerServer(lingerMs: number): Promise<{ port: number; socket: Promise<Socket> }> {
  let accepted!: (s: Socket) => void;
  const socket = new Promise<Socket>((resolve) => {
    accepted = resolve;
  });
  server = createServer((req, res) => {
    closeIfBodyUnread(req, res, lingerMs);
    res.end('early');
  });
  server.on('connection', (s: Socket) => accepted(s));
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, socket };
}

let server: Server | null = null;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = null;
});

/** Sends the head of a 10-byte body and 2 bytes of it; resolves once the whole answer is in. */
function sendHalf(port: number): { client: Socket; answer: Promise<string> } {
  const client = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  let received = '';
  const answer = new Promise<string>((resolve) =>
    client.on('data', (d) => {
      received += d.toString('latin1');
      if (received.endsWith('early')) resolve(received);
    }),
  );
  client.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\na=');
  return { client, answer };
}

describe('closeIfBodyUnread', () => {
  it('half-closes after an early answer and reads on until the client closes (no reset)', async () => {
    const { port, socket } = await earlyAnswerServer(60_000);
    const { client, answer } = sendHalf(port);
    const serverSocket = await socket;
    const finished = new Promise<void>((resolve) => serverSocket.once('finish', () => resolve()));
    expect((await answer).toLowerCase()).toContain('connection: close');
    // Node's own close destroyed the socket as soon as the answer was flushed ('finish'): a client
    // still sending was reset and could lose the answer (fetch failed: EPIPE).
    await finished;
    await new Promise((resolve) => setImmediate(resolve));
    expect(serverSocket.destroyed).toBe(false);
    const errors: string[] = [];
    client.on('error', (err: NodeJS.ErrnoException) => errors.push(err.code ?? err.message));
    const serverClosed = new Promise<void>((resolve) => serverSocket.once('close', () => resolve()));
    client.end('12345678');
    // Closed by the client's FIN: the linger (60 s) is far longer than this test may take.
    await serverClosed;
    expect(errors).toEqual([]);
  });

  it('closes a client that keeps the connection open once the linger is over', async () => {
    const { port, socket } = await earlyAnswerServer(50);
    const { client, answer } = sendHalf(port);
    const serverSocket = await socket;
    const serverClosed = new Promise<void>((resolve) => serverSocket.once('close', () => resolve()));
    client.on('error', () => {});
    await answer;
    await serverClosed;
    client.destroy();
  });
});
