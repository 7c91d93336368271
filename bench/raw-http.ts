import { connect, type Socket } from 'node:net';

/**
 * A minimal HTTP/1.1 keep-alive client for a bench's load generator: requests written as one
 * prebuilt buffer, answers read by Content-Length, one request in flight per connection, queued
 * when all are busy. It exists because the push bench's publisher shares two cores with the
 * servers under test: undici's Pool spent ~0.2 ms of CPU a request there, a fifth of a core at
 * 1,000 publishes/s taken from the servers. Only what the servers here answer is understood: a
 * status line, headers with a Content-Length (no chunked bodies, no 1xx), and keep-alive.
 */
export interface RawRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

interface Pending {
  bytes: Buffer;
  resolve: (status: number) => void;
  reject: (err: Error) => void;
}

interface Connection {
  socket: Socket;
  current: Pending | null;
  buffered: Buffer;
}

const HEADER_END = Buffer.from('\r\n\r\n');

export class RawHttpPool {
  private readonly idle: Connection[] = [];
  private readonly all: Connection[] = [];
  private readonly queue: Pending[] = [];
  private readonly host: string;
  private readonly port: number;
  private closed = false;

  constructor(
    url: string,
    private readonly connections: number,
  ) {
    const u = new URL(url);
    this.host = u.hostname;
    this.port = Number(u.port || 80);
  }

  /** Resolves with the answer's status code once its whole body has arrived. */
  request(req: RawRequest): Promise<number> {
    const body = Buffer.from(req.body);
    let head = `${req.method} ${req.path} HTTP/1.1\r\nhost: ${this.host}:${this.port}\r\ncontent-length: ${body.length}\r\n`;
    for (const [name, value] of Object.entries(req.headers)) head += `${name}: ${value}\r\n`;
    const bytes = Buffer.concat([Buffer.from(`${head}\r\n`), body]);
    return new Promise((resolve, reject) => {
      const pending = { bytes, resolve, reject };
      const conn = this.idle.pop() ?? (this.all.length < this.connections ? this.open() : null);
      if (conn) this.send(conn, pending);
      else this.queue.push(pending);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const c of this.all) c.socket.end();
  }

  private open(): Connection {
    const socket = connect({ host: this.host, port: this.port, noDelay: true });
    const conn: Connection = { socket, current: null, buffered: Buffer.alloc(0) };
    this.all.push(conn);
    socket.on('data', (chunk: Buffer) => this.onData(conn, chunk));
    let failed = false;
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      const i = this.all.indexOf(conn);
      if (i >= 0) this.all.splice(i, 1);
      const j = this.idle.indexOf(conn);
      if (j >= 0) this.idle.splice(j, 1);
      conn.current?.reject(err);
      conn.current = null;
      // The queue moves on over a new connection.
      const next = this.queue.shift();
      if (next && !this.closed) this.send(this.open(), next);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
    return conn;
  }

  private send(conn: Connection, pending: Pending) {
    conn.current = pending;
    conn.socket.write(pending.bytes);
  }

  private onData(conn: Connection, chunk: Buffer) {
    conn.buffered = conn.buffered.length ? Buffer.concat([conn.buffered, chunk]) : chunk;
    const end = conn.buffered.indexOf(HEADER_END);
    if (end < 0) return;
    const head = conn.buffered.toString('latin1', 0, end);
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (!length) {
      conn.socket.destroy(new Error(`answer without a Content-Length: ${head.split('\r\n')[0]}`));
      return;
    }
    const total = end + HEADER_END.length + Number(length[1]);
    if (conn.buffered.length < total) return;
    // One request in flight per connection: nothing beyond this answer is expected.
    conn.buffered = conn.buffered.subarray(total);
    const done = conn.current;
    conn.current = null;
    const next = this.queue.shift();
    if (next) this.send(conn, next);
    else this.idle.push(conn);
    done?.resolve(status);
  }
}
