import net from 'node:net';
import { databaseKnownDown } from './availability.js';

/** What postgres.js passes its `socket` option (its parsed connection options). */
interface SocketOptions {
  host: string[];
  port: number[];
  path: string | false;
}

/**
 * Sockets for the postgres.js pool that never wait on a database known to be gone.
 *
 * While PostgreSQL shuts down its postmaster stops accepting: a connection attempt completes in the
 * kernel (the listen backlog) and then hears nothing until the postmaster exits, after its shutdown
 * checkpoint (0.3–1.4 s measured under load) — and a query queued behind a pool connection that
 * had just died waited that long for its 503. So an attempt the server has not answered yet is cut
 * off as soon as the database is known down, and while it is known down an attempt fails at once
 * (settling the one query it was made for). Connections that are open are left alone, and the
 * availability probe has a client of its own, so recovery is seen as before.
 */
export class PoolSockets {
  private readonly unanswered = new Set<net.Socket>();

  constructor(private readonly isDown: () => boolean) {}

  /** postgres.js `socket` option: a socket connecting to the (single) host. */
  readonly open = (options: SocketOptions): net.Socket => {
    const host = options.host[0] ?? 'localhost';
    const port = options.port[0] ?? 5432;
    const socket = options.path ? net.connect(options.path) : net.connect(port, host);
    // What postgres.js sets on sockets of its own: the TLS server name (certificate host check) and
    // its connection error messages read them.
    Object.assign(socket, { host, port });
    if (this.isDown()) {
      setImmediate(() => socket.destroy(databaseKnownDown()));
      return socket;
    }
    this.unanswered.add(socket);
    const answered = () => this.unanswered.delete(socket);
    // Registered before postgres.js's own listeners, so this runs first on the server's first bytes.
    socket.once('data', answered);
    socket.once('close', answered);
    return socket;
  };

  /** The database was found gone: attempts it has not answered never will be. */
  down(): void {
    for (const socket of this.unanswered) socket.destroy(databaseKnownDown());
    this.unanswered.clear();
  }

  /** Whether the pool may use these sockets: postgres.js rotates between several hosts itself. */
  static usable(url: string): boolean {
    const authority = url.slice(url.indexOf('://') + 3).split(/[/?]/)[0] ?? '';
    return !authority.includes(',');
  }
}
