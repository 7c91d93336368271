import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import faye, { type BayeuxMessage, type Extension } from 'faye';
import type { Deps } from '../../deps.js';
import type { Managers } from '../../managers.types.js';
import type { CometPush } from './comet.manager.js';

export const COMETD_PATH = '/genesys/cometd';
/** The one channel legacy clients subscribe to. */
export const GENESYS_CHANNEL = '/_genesys';
const USER_PREFIX = `${GENESYS_CHANNEL}/u/`;
/** Pushes published but not yet written to a client, remembered at most (oldest forgotten first). */
const MAX_IN_FLIGHT = 10_000;

/** The per-device channel a `/_genesys` subscription is mapped to (never shown to clients). */
export const userChannel = (gmsUser: string) =>
  `${USER_PREFIX}${createHash('sha256').update(gmsUser).digest('hex').slice(0, 40)}`;

const header = (request: IncomingMessage | null, name: string): string | null => {
  const v = request?.headers[name];
  return typeof v === 'string' && v ? v : null;
};

const extUser = (message: BayeuxMessage): string | null => {
  const ext = message.ext;
  for (const key of ['gms_user', 'gmsUser']) {
    const v = ext?.[key];
    if (typeof v === 'string' && v) return v;
  }
  return null;
};

const subscriptions = (message: BayeuxMessage) =>
  message.subscription === undefined ? [] : ([] as string[]).concat(message.subscription);

/**
 * CometD (Bayeux) for legacy clients at `/genesys/cometd`, long-polling and WebSocket, served by
 * faye. A client handshakes (its `gms_user` in the HTTP header, as GMS clients send it, or in the
 * handshake/subscribe `ext`), subscribes to `/_genesys` and receives `{ id, message, tag }` for its
 * own gms_user only: an incoming extension maps its `/_genesys` subscription to a per-device
 * channel, an outgoing one shows deliveries and replies as `/_genesys` again. Clients cannot
 * publish and cannot subscribe to anything else. Deliveries come from the durable event store
 * (CometManager), not from faye's in-memory engine, so nothing persisted is lost; faye's client
 * state is per instance, so a load balancer must keep a CometD client on one instance (sticky).
 */
export function createCometd(deps: Deps, managers: Managers) {
  const bayeux = new faye.NodeAdapter({ mount: COMETD_PATH, timeout: deps.config.push.cometdTimeoutSeconds });
  const server = bayeux.getClient();
  const clientUsers = new Map<string, string>();
  const channelUsers = new Map<string, string>();
  const handshakeUsers = new WeakMap<object, string>();
  // Push id → the session event it carries, from publish until faye writes it to a client (the
  // delivery hooks then run: push.onDelivered).
  const inFlight = new Map<string, { sessionId: string; seq: number }>();
  const written = (message: BayeuxMessage) => {
    const data = message.data as Partial<CometPush> | undefined;
    const event = typeof data?.id === 'string' ? inFlight.get(data.id) : undefined;
    if (!data?.id || !event) return;
    inFlight.delete(data.id);
    void managers.push.delivered(event.sessionId, event.seq);
  };

  const userOf = (message: BayeuxMessage, request: IncomingMessage | null) =>
    extUser(message) ??
    header(request, 'gms_user') ??
    (message.clientId ? clientUsers.get(message.clientId) : null) ??
    null;

  const guard: Extension = {
    incoming(message, request, callback) {
      if (request === null) return callback(message); // the server's own publisher
      const channel = message.channel;
      if (channel === '/meta/handshake') {
        const user = userOf(message, request);
        if (user) handshakeUsers.set(request, user);
        return callback(message);
      }
      if (channel === '/meta/subscribe' || channel === '/meta/unsubscribe') {
        const user = userOf(message, request);
        const mapped: string[] = [];
        for (const sub of subscriptions(message)) {
          if (sub !== GENESYS_CHANNEL) {
            message.error = `403:${sub}:Only ${GENESYS_CHANNEL} may be subscribed to`;
            return callback(message);
          }
          if (!user) {
            message.error = `403:${sub}:Send your gms_user header (or ext.gms_user) to subscribe`;
            return callback(message);
          }
          const target = userChannel(user);
          channelUsers.set(target, user);
          mapped.push(target);
        }
        message.subscription = Array.isArray(message.subscription) ? mapped : mapped[0];
        return callback(message);
      }
      if (!channel.startsWith('/meta/')) {
        message.error = `403:${channel}:Publishing is not allowed`;
        return callback(message);
      }
      callback(message);
    },
    outgoing(message, request, callback) {
      if (message.channel === '/meta/handshake' && message.clientId && request) {
        const user = handshakeUsers.get(request);
        if (user) clientUsers.set(message.clientId, user);
      }
      if (request === null) return callback(message); // replies to the server's own publisher
      if (message.channel.startsWith(USER_PREFIX)) {
        // A delivery: the id is the server publisher's own message counter, which a client could
        // confuse with the id of its pending /meta/connect (CometD does).
        message.channel = GENESYS_CHANNEL;
        delete message.id;
        // faye runs outgoing extensions as it writes to the client's long-poll response or socket.
        written(message);
      }
      if (message.subscription !== undefined) {
        const shown = subscriptions(message).map((s) => (s.startsWith(USER_PREFIX) ? GENESYS_CHANNEL : s));
        message.subscription = Array.isArray(message.subscription) ? shown : shown[0];
      }
      callback(message);
    },
  };
  bayeux.addExtension(guard);

  const publish = (channel: string, push: CometPush) =>
    new Promise<void>((resolve, reject) => server.publish(channel, push).then(resolve, reject));

  bayeux.on('subscribe', (_clientId, channel) => {
    const user = channelUsers.get(channel);
    if (user)
      managers.comet.acquire(user, (push, event) => {
        inFlight.set(push.id, { sessionId: event.sessionId, seq: event.seq });
        if (inFlight.size > MAX_IN_FLIGHT) inFlight.delete(inFlight.keys().next().value as string);
        return publish(channel, push);
      });
  });
  bayeux.on('unsubscribe', (_clientId, channel) => {
    const user = channelUsers.get(channel);
    if (user) void managers.comet.release(user);
  });
  bayeux.on('disconnect', (clientId) => {
    clientUsers.delete(clientId);
  });

  const originAllowed = (origin: string | undefined) =>
    deps.config.allowedOrigins === '*' || origin === undefined || deps.config.allowedOrigins.includes(origin);

  // Held long-polls, so that shutting down does not wait for them to time out.
  const held = new Set<ServerResponse>();

  return {
    handle(request: IncomingMessage, response: ServerResponse): void {
      held.add(response);
      response.once('close', () => held.delete(response));
      bayeux.handle(request, response);
    },
    handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
      if (!originAllowed(request.headers.origin)) {
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      bayeux.handleUpgrade(request, socket, head);
    },
    async close(): Promise<void> {
      await managers.comet.close();
      server.disconnect();
      bayeux.close();
      for (const response of held) response.socket?.destroy();
      held.clear();
    },
  };
}
