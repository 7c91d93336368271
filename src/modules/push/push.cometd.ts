import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import faye, { type BayeuxMessage, type Extension } from 'faye';
import { DEVICE_TOKEN_HEADER } from '../../auth/ownership.js';
import type { Deps } from '../../deps.js';
import type { Managers } from '../../managers.types.js';
import type { SessionEvent } from '../event/event.manager.js';
import { CometAcks } from './push.cometd-ack.js';

export const COMETD_PATH = '/genesys/cometd';
/** The one channel legacy clients subscribe to. */
export const GENESYS_CHANNEL = '/_genesys';
const USER_PREFIX = `${GENESYS_CHANNEL}/u/`;

/** What a CometD client receives on `/_genesys` (the seed's "Push notification data"). */
export interface CometPush {
  id: string;
  message: unknown;
  tag: string;
}

/** A stored event as the push a client receives: `message` as presented for the wire. */
export const toCometPush = (e: SessionEvent, managers: Pick<Managers, 'events'>): CometPush => ({
  id: e.deliveryId,
  message: managers.events.wire(e),
  tag: e.tag,
});

/** The per-device channel a `/_genesys` subscription is mapped to (never shown to clients). */
export const userChannel = (gmsUser: string) =>
  `${USER_PREFIX}${createHash('sha256').update(gmsUser).digest('hex').slice(0, 40)}`;

const header = (request: IncomingMessage | null, name: string): string | null => {
  const v = request?.headers[name];
  return typeof v === 'string' && v ? v : null;
};

const extValue = (message: BayeuxMessage, keys: string[]): string | null => {
  const ext = message.ext;
  for (const key of keys) {
    const v = ext?.[key];
    if (typeof v === 'string' && v) return v;
  }
  return null;
};
const extUser = (message: BayeuxMessage) => extValue(message, ['gms_user', 'gmsUser']);
const extToken = (message: BayeuxMessage) =>
  extValue(message, ['gms_device_token', 'deviceToken', DEVICE_TOKEN_HEADER]);

/** A message that came over a WebSocket (faye passes the upgrade request along with each). */
const overWebSocket = (request: IncomingMessage) => request.headers.upgrade?.toLowerCase() === 'websocket';

/**
 * How a device appears in the CometD traffic log: a short hash of its gms_user (stable, so one
 * device's lines can be followed across instances; `userChannel`'s hash starts the same), never
 * the gms_user itself.
 */
export const deviceTag = (gmsUser: string | null) =>
  gmsUser ? createHash('sha256').update(gmsUser).digest('hex').slice(0, 12) : null;

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
 *
 * Identity over WebSocket: a browser-style WebSocket cannot send headers, so the official CometD
 * client configured with `requestHeaders: { gms_user }` (its default transports: websocket first)
 * handshakes over a socket that names nobody. Such a handshake is answered with the connection
 * types minus `websocket` (Bayeux transport negotiation), so the client carries on over
 * long-polling, where its headers are sent; a client that names itself in `ext.gms_user` keeps
 * its socket. The gms_user (and device token) a handshake named is remembered for its clientId.
 * In LEGACY_ACCESS=strict, subscribing needs the device token (PushManager.cometAccess).
 */
export function createCometd(deps: Deps, managers: Managers) {
  const bayeux = new faye.NodeAdapter({ mount: COMETD_PATH, timeout: deps.config.push.cometdTimeoutSeconds });
  // The traffic log (COMETD_LOG_LEVEL=debug): one line per handshake, connect and its reply,
  // subscribe, delivery and acknowledgement, by clientId and device hash; never message contents.
  const traffic = deps.logger.child({ component: 'cometd' }, deps.config.push.cometdLogLevel ?? undefined);
  const transportOf = (request: IncomingMessage) => (overWebSocket(request) ? 'websocket' : 'long-polling');
  // The clientId a /meta/connect named, for its reply (faye drops the clientId from a failed one).
  const connectClients = new WeakMap<IncomingMessage, string>();
  const server = bayeux.getClient();
  const clientUsers = new Map<string, { user: string | null; token: string | null }>();
  const channelUsers = new Map<string, string>();
  const handshakeUsers = new WeakMap<object, { user: string | null; token: string | null }>();
  // Upgrade requests whose socket handshook without naming a gms_user (their reply drops websocket).
  const anonymousSockets = new WeakSet<object>();
  // Per client (faye clientId), push id → the session event it carries, from hand-off until faye
  // writes it to the client's transport (then the position advances and the delivery hooks run:
  // push.onDelivered). Bounded by the pump's window (COMET_WINDOW); dropped when the client goes.
  const inFlight = new Map<string, Map<string, { gmsUser: string; sessionId: string; seq: number }>>();
  // Clients that negotiated the acknowledgement extension (COMETD_ACK): written is not delivered.
  const acks = new CometAcks();
  const askedForAck = new WeakSet<object>();
  // Over a WebSocket faye writes deliveries straight to the socket and answers the held
  // /meta/connect only at its timeout (COMETD_TIMEOUT_SECONDS), and only that answer closes a
  // batch the client can acknowledge. So for a client of the acknowledgement extension the held
  // connect is answered as soon as something was written to its socket (as a CometD server with
  // the extension delivers on /meta/connect): it acks within a round trip, instead of the position
  // lagging a whole timeout behind and a client that dies meanwhile getting all of it again.
  // faye 1.4's engine has no public way to do this: `connection(id).flush()` is what its own
  // timeout calls (without it, acknowledgements fall back to the timeout).
  type FayeEngine = { connection?(clientId: string, create: boolean): { flush(): void } | undefined };
  const engine = (bayeux as unknown as { _server?: { _engine?: FayeEngine } })._server?._engine;
  const heldOverSocket = new Set<string>(); // a /meta/connect of the client is held on its socket
  const unclosed = new Set<string>(); // written on its socket since its last /meta/connect reply
  const answerSoon = (clientId: string) =>
    setImmediate(() => {
      if (heldOverSocket.has(clientId) && unclosed.has(clientId))
        engine?.connection?.(clientId, false)?.flush();
    });
  const clientOfChannel = (channel: string) => channel.slice(channel.lastIndexOf('/') + 1);
  const written = (channel: string, message: BayeuxMessage, request: IncomingMessage) => {
    const data = message.data as Partial<CometPush> | undefined;
    const clientId = clientOfChannel(channel);
    const pending = inFlight.get(clientId);
    const event = typeof data?.id === 'string' ? pending?.get(data.id) : undefined;
    if (!data?.id || !pending || !event) {
      traffic.debug('cometd deliver untracked', { clientId, push: data?.id, known: Boolean(pending) });
      return;
    }
    pending.delete(data.id);
    const line = { clientId, push: data.id, session: event.sessionId, seq: event.seq };
    // The long-poll or socket it goes to is already gone: not delivered; the pump re-reads it.
    if (request.socket?.destroyed) {
      traffic.debug('cometd deliver lost', { ...line, transport: transportOf(request) });
      return managers.comet.lost(clientId);
    }
    managers.comet.written(clientId);
    // A client of the acknowledgement extension has it once it acks the batch (acknowledged).
    if (acks.has(clientId)) {
      const batch = acks.written(clientId, request, event.gmsUser, event.sessionId, event.seq);
      if (batch === 'open' && overWebSocket(request)) {
        unclosed.add(clientId);
        answerSoon(clientId);
      }
      traffic.debug('cometd deliver', { ...line, transport: transportOf(request), batch });
      return;
    }
    traffic.debug('cometd deliver', { ...line, transport: transportOf(request), batch: null });
    void managers.comet.advance(event.gmsUser, event.sessionId, event.seq);
    void managers.push.delivered(event.sessionId, event.seq);
  };
  const acknowledged = (message: BayeuxMessage) => {
    const ack = message.ext?.ack;
    if (!message.clientId || typeof ack !== 'number') return;
    if (!acks.has(message.clientId)) {
      traffic.debug('cometd ack ignored', { clientId: message.clientId, ack, reason: 'not negotiated here' });
      return;
    }
    const advanced = acks.acknowledge(message.clientId, ack);
    traffic.debug('cometd ack', {
      clientId: message.clientId,
      ack,
      positions: advanced.map(({ sessionId, seq }) => `${sessionId}:${seq}`),
    });
    for (const { gmsUser, sessionId, seq } of advanced) {
      void managers.comet.advance(gmsUser, sessionId, seq);
      void managers.push.delivered(sessionId, seq);
    }
  };

  const remembered = (message: BayeuxMessage) =>
    message.clientId ? clientUsers.get(message.clientId) : undefined;
  const userOf = (message: BayeuxMessage, request: IncomingMessage | null) =>
    extUser(message) ?? header(request, 'gms_user') ?? remembered(message)?.user ?? null;
  const tokenOf = (message: BayeuxMessage, request: IncomingMessage | null) =>
    extToken(message) ?? header(request, DEVICE_TOKEN_HEADER) ?? remembered(message)?.token ?? null;

  const guard: Extension = {
    async incoming(message, request, callback) {
      if (request === null) return callback(message); // the server's own publisher
      const channel = message.channel;
      if (channel === '/meta/handshake') {
        const user = userOf(message, request);
        handshakeUsers.set(request, { user, token: tokenOf(message, request) });
        if (deps.config.push.cometdAck && message.ext?.ack === true) askedForAck.add(request);
        else askedForAck.delete(request);
        const types = message.supportedConnectionTypes;
        if (!user && overWebSocket(request) && Array.isArray(types) && types.includes('long-polling'))
          anonymousSockets.add(request);
        return callback(message);
      }
      if (channel === '/meta/connect') {
        if (message.clientId) connectClients.set(request, message.clientId);
        traffic.debug('cometd connect', {
          clientId: message.clientId,
          transport: transportOf(request),
          ack: message.ext?.ack,
        });
        acknowledged(message);
        if (message.clientId && overWebSocket(request) && acks.has(message.clientId)) {
          heldOverSocket.add(message.clientId);
          // Written while no connect was held: answer this one as soon as faye holds it.
          if (unclosed.has(message.clientId)) answerSoon(message.clientId);
        }
        return callback(message);
      }
      if (channel === '/meta/disconnect')
        traffic.debug('cometd disconnect', { clientId: message.clientId, transport: transportOf(request) });
      if (channel === '/meta/subscribe' || channel === '/meta/unsubscribe') {
        const user = userOf(message, request);
        if (user && channel === '/meta/subscribe') {
          const refused = await managers.push
            .cometAccess(user, tokenOf(message, request))
            .catch(() => 'Storage is unavailable, try again');
          if (refused) {
            message.error = `403:${GENESYS_CHANNEL}:${refused}`;
            return callback(message);
          }
        }
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
          // One channel per client: each has its own pump, position and window.
          const target = `${userChannel(user)}/${message.clientId ?? ''}`;
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
      if (message.channel === '/meta/handshake' && request) {
        const named = handshakeUsers.get(request);
        if (named && message.clientId) clientUsers.set(message.clientId, named);
        const ack = askedForAck.has(request) && message.successful === true && Boolean(message.clientId);
        if (ack && message.clientId) {
          acks.negotiated(message.clientId);
          message.ext = { ...message.ext, ack: true };
        }
        traffic.debug('cometd handshake', {
          clientId: message.clientId,
          transport: transportOf(request),
          device: deviceTag(named?.user ?? null),
          ack,
          steered: anonymousSockets.has(request),
          successful: message.successful,
          error: message.error,
        });
        if (anonymousSockets.has(request) && Array.isArray(message.supportedConnectionTypes)) {
          anonymousSockets.delete(request);
          message.supportedConnectionTypes = message.supportedConnectionTypes.filter(
            (t) => t !== 'websocket',
          );
          // The client carries on over long-polling and never uses this socket again: close it once
          // the reply is out rather than keep an idle socket per client.
          const socket = request.socket;
          setTimeout(() => socket.end(), 1_000).unref();
        }
      }
      if (request === null) return callback(message); // replies to the server's own publisher
      let batch: number | null = null;
      if (message.channel === '/meta/connect' && message.successful && message.clientId) {
        batch = acks.connectReply(message.clientId, request, overWebSocket(request));
        if (batch !== null) message.ext = { ...message.ext, ack: batch };
      }
      if (message.channel === '/meta/connect') {
        const clientId = message.clientId ?? connectClients.get(request);
        if (clientId) {
          // This reply closed what was written on the socket (connectReply above).
          heldOverSocket.delete(clientId);
          unclosed.delete(clientId);
        }
        traffic.debug('cometd connect reply', {
          clientId,
          transport: transportOf(request),
          successful: message.successful,
          error: message.error,
          batch,
        });
      }
      if (message.channel === '/meta/subscribe')
        traffic.debug('cometd subscribe', {
          clientId: message.clientId,
          transport: transportOf(request),
          successful: message.successful,
          error: message.error,
        });
      if (message.channel.startsWith(USER_PREFIX)) {
        // A delivery: the id is the server publisher's own message counter, which a client could
        // confuse with the id of its pending /meta/connect (CometD does).
        const channel = message.channel;
        message.channel = GENESYS_CHANNEL;
        delete message.id;
        // faye runs outgoing extensions as it writes to the client's long-poll response or socket.
        written(channel, message, request);
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

  bayeux.on('subscribe', (clientId, channel) => {
    const user = channelUsers.get(channel);
    if (!user) return;
    traffic.debug('cometd pump start', { clientId, device: deviceTag(user) });
    const pending = new Map<string, { gmsUser: string; sessionId: string; seq: number }>();
    inFlight.set(clientId, pending);
    managers.comet.acquire(clientId, user, (event) => {
      const push = toCometPush(event, managers);
      pending.set(push.id, { gmsUser: user, sessionId: event.sessionId, seq: event.seq });
      return publish(channel, push);
    });
  });
  const leave = (clientId: string, channel?: string) => {
    if (channel) channelUsers.delete(channel);
    inFlight.delete(clientId);
    void managers.comet.release(clientId);
  };
  bayeux.on('unsubscribe', (clientId, channel) => leave(clientId, channel));
  bayeux.on('disconnect', (clientId) => {
    heldOverSocket.delete(clientId);
    unclosed.delete(clientId);
    // An explicit /meta/disconnect, or faye dropping a client silent for 2 × COMETD_TIMEOUT_SECONDS.
    traffic.debug('cometd client gone', { clientId, unacknowledgedBatches: acks.pending(clientId) });
    clientUsers.delete(clientId);
    acks.forget(clientId);
    leave(clientId);
  });

  const originAllowed = (origin: string | undefined) =>
    deps.config.allowedOrigins === '*' || origin === undefined || deps.config.allowedOrigins.includes(origin);

  // Held long-polls and open sockets, so that shutting down does not wait for them to time out
  // (an upgraded socket is no longer the HTTP server's to close).
  const held = new Set<ServerResponse>();
  const sockets = new Set<Duplex>();

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
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      bayeux.handleUpgrade(request, socket, head);
    },
    async close(): Promise<void> {
      await managers.comet.close();
      server.disconnect();
      bayeux.close();
      for (const response of held) response.socket?.destroy();
      held.clear();
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
  };
}
