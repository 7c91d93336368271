import type { IncomingMessage } from 'node:http';

/** The highest seq per session that one batch (or several, merged) carried to a device. */
export interface Acknowledged {
  gmsUser: string;
  sessionId: string;
  seq: number;
}

interface AckClient {
  gmsUser: string | null;
  /** The last batch id sent in a /meta/connect reply (0: none yet, as the client starts). */
  sent: number;
  /** Written since the last /meta/connect reply (WebSocket deliveries): closed by the next one. */
  open: Map<string, number>;
  /** Closed batches not yet acknowledged: batch id → session → highest seq. */
  batches: Map<number, Map<string, number>>;
}

/**
 * A client that never acknowledges (but keeps connecting) must not grow the server's memory: past
 * this many unacknowledged batches the oldest is forgotten. Safe: its pushes are then only
 * acknowledged by a later batch of the same session, or re-delivered from the event store when the
 * device comes back (at least once).
 */
const MAX_PENDING_BATCHES = 64;

const merge = (into: Map<string, number>, sessionId: string, seq: number) =>
  into.set(sessionId, Math.max(into.get(sessionId) ?? 0, seq));

/**
 * Server side of the Bayeux acknowledgement extension (the official client's `AckExtension`): a
 * client that asks for it in its handshake (`ext.ack: true`) is answered `ext.ack: true`; every
 * /meta/connect reply carries a batch id in `ext.ack`, and the client's next /meta/connect carries
 * the last batch id it received. A batch is what was written to the client up to and including
 * that connect reply: the deliveries of the same long-poll response (faye puts them after the
 * reply, and its outgoing extension sees the reply first), or, over a WebSocket, what was sent on
 * the socket before the reply. Only an acknowledged batch counts as delivered (the adapter
 * advances the device's position then), so a batch the client never received comes again from
 * the event store when it reconnects, on any instance.
 */
export class CometAcks {
  private readonly clients = new Map<string, AckClient>();
  // The batch a long-poll's connect reply closed: deliveries written to the same response join it.
  private readonly polls = new WeakMap<IncomingMessage, { clientId: string; batch: number }>();

  /** The handshake of `clientId` negotiated acknowledgements. */
  negotiated(clientId: string): void {
    this.clients.set(clientId, { gmsUser: null, sent: 0, open: new Map(), batches: new Map() });
  }

  has(clientId: string): boolean {
    return this.clients.has(clientId);
  }

  /** A successful /meta/connect reply goes to `clientId`: closes a batch; returns its id for `ext.ack`. */
  connectReply(clientId: string, request: IncomingMessage, overWebSocket: boolean): number | null {
    const client = this.clients.get(clientId);
    if (!client) return null;
    const batch = ++client.sent;
    const carried = new Map(client.open);
    client.open.clear();
    client.batches.set(batch, carried);
    if (!overWebSocket) this.polls.set(request, { clientId, batch });
    while (client.batches.size > MAX_PENDING_BATCHES) {
      const oldest = client.batches.keys().next().value;
      if (oldest === undefined) break;
      client.batches.delete(oldest);
    }
    return batch;
  }

  /**
   * A push of `sessionId`/`seq` was written to `clientId` (with `request`): it joins a batch. Returns
   * the batch (`open`: the one the next /meta/connect reply closes), for the traffic log.
   */
  written(
    clientId: string,
    request: IncomingMessage,
    gmsUser: string,
    sessionId: string,
    seq: number,
  ): number | 'open' | null {
    const client = this.clients.get(clientId);
    if (!client) return null;
    client.gmsUser = gmsUser;
    const poll = this.polls.get(request);
    const batch = poll?.clientId === clientId ? client.batches.get(poll.batch) : undefined;
    merge(batch ?? client.open, sessionId, seq);
    return batch && poll ? poll.batch : 'open';
  }

  /** Batches with pushes written to `clientId` and not acknowledged yet (0 without acknowledgements). */
  pending(clientId: string): number {
    const client = this.clients.get(clientId);
    if (!client) return 0;
    let n = client.open.size > 0 ? 1 : 0;
    for (const batch of client.batches.values()) if (batch.size > 0) n++;
    return n;
  }

  /** `clientId` acknowledged every batch up to `ack`: what they carried, per session. */
  acknowledge(clientId: string, ack: number): Acknowledged[] {
    const client = this.clients.get(clientId);
    if (!client?.gmsUser) return [];
    const merged = new Map<string, number>();
    for (const [id, batch] of client.batches) {
      if (id > ack) continue;
      for (const [sessionId, seq] of batch) merge(merged, sessionId, seq);
      client.batches.delete(id);
    }
    const gmsUser = client.gmsUser;
    return [...merged].map(([sessionId, seq]) => ({ gmsUser, sessionId, seq }));
  }

  /** The client left: what it never acknowledged is not delivered (the event store still has it). */
  forget(clientId: string): void {
    this.clients.delete(clientId);
  }
}
