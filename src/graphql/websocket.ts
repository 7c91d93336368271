import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type ExecutionArgs, GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { OperationResult } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { YogaServerInstance } from 'graphql-yoga';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Viewer } from '../auth/viewer.js';
import type { Deps } from '../deps.js';
import { DomainError } from '../errors.js';
import type { GraphQLContext } from './context.js';
import { variablesProblem } from './input-guard.plugin.js';
import { runSharedSubscription, sharedSubscriptionField } from './shared-events.js';
import { graphQLErrorMask, type YogaServerContext } from './yoga.js';

/** Close code for a subscriber that stopped reading and overflowed its buffer. */
export const CLOSE_SLOW_CONSUMER = 4499;
/** Close code when a socket asks for more subscriptions than allowed. */
export const CLOSE_TOO_MANY_SUBSCRIPTIONS = 4413;
/** The keep-alive pass over every socket is spread over at least this many ticks of one timer… */
const KEEP_ALIVE_SLICES = 12;
/** …and more when there are many sockets: at most this many pings per tick. */
const KEEP_ALIVE_SLICE_MAX = 100;
/** A shared-result subscription waits for its socket past this many unsent bytes. */
const SHARED_HIGH_WATER_BYTES = 64 * 1024;

interface SocketState {
  viewer: Viewer | null;
  subscriptions: Set<string>;
}

type RootValue = {
  execute: (a: ExecutionArgs) => OperationResult;
  subscribe: (a: ExecutionArgs) => OperationResult;
  /** Set when the operation's results can be shared between subscribers (shared-events.ts). */
  shared?: { socket: WebSocket; id: string; key: string };
};

/**
 * Pings every socket once per `periodMs` from one timer, a slice of the sockets per tick, and
 * terminates one that has not answered the previous ping. (useServer's keep-alive holds an interval
 * per socket plus a timeout and a listener per ping: at 20,000 sockets, 20,000 timers.) A slice is
 * at most KEEP_ALIVE_SLICE_MAX sockets: each ping is a socket write, and 12 slices of 19,950 sockets
 * held the event loop ~1,700 writes long once a second, which every delivery meanwhile waited for.
 */
function keepAlive(wss: WebSocketServer, periodMs: number): () => void {
  const answered = new WeakSet<WebSocket>();
  function onPong(this: WebSocket) {
    answered.add(this);
  }
  wss.on('connection', (socket: WebSocket) => {
    answered.add(socket);
    socket.on('pong', onPong);
  });
  // A pass starts every `periodMs` and visits the sockets open at its start, a slice per tick (a
  // live iterator: sockets that close are skipped, sockets that open meanwhile are visited too).
  let pass: Iterator<WebSocket> | null = null;
  let perTick = 0;
  let ticksLeft = 0;
  let tickMs = periodMs / KEEP_ALIVE_SLICES;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    if (ticksLeft === 0) {
      const slices = Math.max(KEEP_ALIVE_SLICES, Math.ceil(wss.clients.size / KEEP_ALIVE_SLICE_MAX));
      pass = wss.clients.values();
      perTick = Math.ceil(wss.clients.size / slices);
      ticksLeft = slices;
      tickMs = periodMs / slices;
    }
    ticksLeft--;
    for (let i = 0; pass && i < perTick; i++) {
      const next = pass.next();
      if (next.done) {
        pass = null;
        break;
      }
      const socket = next.value;
      if (socket.readyState !== socket.OPEN) continue;
      if (!answered.has(socket)) {
        socket.terminate();
        continue;
      }
      answered.delete(socket);
      socket.ping();
    }
    timer = setTimeout(tick, tickMs);
    timer.unref();
  };
  timer = setTimeout(tick, tickMs);
  timer.unref();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}

function credentialsFrom(params: Record<string, unknown> | undefined) {
  const headers = (params?.headers ?? {}) as Record<string, unknown>;
  const pick = (...keys: string[]) => {
    for (const k of keys) {
      const v = params?.[k] ?? headers[k];
      if (typeof v === 'string' && v) return v;
    }
    return null;
  };
  return {
    authorization: pick('authorization', 'Authorization'),
    gmsUser: pick('gms_user', 'gmsUser'),
    deviceToken: pick('x-gms-device-token', 'deviceToken'),
  };
}

/** What armor's validation rules throw (they reject by throwing): the caller's error, not ours. */
function asErrors(err: unknown): readonly GraphQLError[] {
  if (err instanceof GraphQLError) return [err];
  if (Array.isArray(err) && err.every((e) => e instanceof GraphQLError)) return err;
  throw err;
}

/**
 * graphql-ws's own server (`useServer` from graphql-ws/use/ws: protocol, init timeout 4408,
 * bad messages 4400, unauthenticated subscribe 4401, duplicate ids 4409, ping/pong) on /graphql,
 * run through `yoga.getEnveloped` so WebSocket operations get the same context, auth and
 * validation rules (armor limits included) as HTTP. What this project adds: auth in
 * connection_init (4403), the Origin allow-list on the upgrade, maxPayload (1009), a per-socket
 * subscription cap (4413), slow consumers dropped (4499), and operations over the armor limits
 * answered with an error message instead of a closed socket.
 */
export function createGraphQLWebSocket(
  deps: Deps,
  yoga: YogaServerInstance<YogaServerContext, GraphQLContext>,
  authenticate: (credentials: { authorization: string | null; gmsUser: string | null }) => Promise<Viewer>,
) {
  const { config, logger } = deps;
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.ws.maxPayloadBytes });
  const states = new Map<WebSocket, SocketState>();
  const stateOf = (socket: WebSocket): SocketState => {
    let state = states.get(socket);
    if (!state) {
      state = { viewer: null, subscriptions: new Set() };
      states.set(socket, state);
    }
    return state;
  };

  // Ours before useServer's: the state exists before the first message, and goes with the socket.
  wss.on('connection', (socket: WebSocket) => {
    stateOf(socket);
    socket.once('close', () => states.delete(socket));
  });

  const mask = graphQLErrorMask(deps);
  const isDev = config.env === 'development';
  const formatError = (error: GraphQLError): GraphQLFormattedError => {
    const masked = mask(error, 'Unexpected error.', isDev);
    return masked instanceof GraphQLError ? masked.toJSON() : { message: masked.message };
  };

  function dropSocket(socket: WebSocket) {
    logger.warn('dropping slow websocket subscriber');
    socket.close(CLOSE_SLOW_CONSUMER, 'Subscriber too slow');
    // A peer that stopped reading never completes the close handshake.
    setTimeout(() => socket.terminate(), 1_000).unref();
  }

  const server = useServer<Record<string, unknown>>(
    {
      isProd: config.env === 'production',
      connectionInitWaitTimeout: config.ws.initTimeoutMs,
      execute: (args) => (args.rootValue as RootValue).execute(args),
      subscribe: async (args) => {
        const root = args.rootValue as RootValue;
        if (root.shared) {
          const stream = await runSharedSubscription({
            ...root.shared,
            args: { ...args, rootValue: undefined },
            formatError,
            highWaterBytes: SHARED_HIGH_WATER_BYTES,
          });
          if (stream) return stream;
        }
        // Not shareable, or the stream could not be created: the ordinary path (which reports it).
        return root.subscribe(args);
      },
      onConnect: async (ctx) => {
        try {
          stateOf(ctx.extra.socket).viewer = await authenticate(credentialsFrom(ctx.connectionParams));
          return true;
        } catch (err) {
          if (!(err instanceof DomainError)) logger.error('websocket auth failed', { err });
          return false; // 4403 Forbidden
        }
      },
      onSubscribe: async (ctx, id, payload) => {
        const socket = ctx.extra.socket;
        const state = stateOf(socket);
        if (state.subscriptions.size >= config.ws.maxSubscriptions) {
          socket.close(CLOSE_TOO_MANY_SUBSCRIPTIONS, 'Too many subscriptions on this socket');
          // graphql-ws wants a non-empty error list (an empty one is its internal error, 4500).
          return [new GraphQLError('Too many subscriptions on this socket')];
        }
        // GraphiQL sends its header editor's contents in each operation's extensions.
        let viewer = state.viewer;
        const operationHeaders = payload.extensions?.headers;
        if (operationHeaders && typeof operationHeaders === 'object') {
          const credentials = credentialsFrom(operationHeaders as Record<string, unknown>);
          if (credentials.authorization) {
            try {
              viewer = await authenticate({
                ...credentials,
                gmsUser: credentials.gmsUser ?? viewer?.gmsUser ?? null,
              });
            } catch {
              socket.close(4403, 'Forbidden');
              return [new GraphQLError('Forbidden')];
            }
          }
        }
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          viewer: viewer ?? undefined,
          dropSlowSubscriber: () => dropSocket(socket),
          params: payload,
        } as YogaServerContext);
        let document: ReturnType<typeof parse>;
        try {
          document = parse(payload.query);
          const errors = validate(schema, document);
          if (errors.length > 0) return errors;
        } catch (err) {
          // Syntax errors, and armor's depth/alias/directive/token limits, which throw.
          return asErrors(err);
        }
        state.subscriptions.add(id);
        // The envelop plugins that act on a subscription itself (the variables guard, masking) are
        // applied by the shared path's own means; a guard refusal takes the ordinary path.
        const shared =
          sharedSubscriptionField(document, payload.operationName) && !variablesProblem(payload.variables)
            ? {
                socket,
                id,
                key: JSON.stringify([
                  payload.query,
                  payload.operationName ?? null,
                  payload.variables ?? null,
                ]),
              }
            : undefined;
        return {
          schema,
          operationName: payload.operationName,
          document,
          variableValues: payload.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe, shared } satisfies RootValue,
        };
      },
      onComplete: (ctx, id) => {
        states.get(ctx.extra.socket)?.subscriptions.delete(id);
      },
    },
    wss,
    0, // keepAlive() below instead
  );
  const stopKeepAlive = keepAlive(wss, config.ws.keepAliveMs);

  // After useServer's: a socket error is the peer's (a message over maxPayload, a reset), and ws
  // has already closed the socket with the right code (1009). useServer would print it with
  // console.error as an internal error; it goes to the log at debug level instead.
  wss.on('connection', (socket: WebSocket) => {
    socket.removeAllListeners('error');
    socket.on('error', (err) => logger.debug('websocket error', { err }));
  });

  const originAllowed = (origin: string | undefined) =>
    config.allowedOrigins === '*' || origin === undefined || config.allowedOrigins.includes(origin);

  return {
    handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer) {
      if (!originAllowed(request.headers.origin)) {
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      // Without the request: graphql-ws would keep it (headers, streams: ~1 KB) for the socket's
      // life in its context, and nothing here reads it after the upgrade.
      wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws));
    },
    clientCount: () => wss.clients.size,
    /** Operations running over all sockets: subscriptions, and queries still executing. */
    operationCount: () => {
      let n = 0;
      for (const s of states.values()) n += s.subscriptions.size;
      return n;
    },
    async close() {
      stopKeepAlive();
      // useServer's dispose closes every client with 1001 and waits for the server to close;
      // a peer that never answers the close handshake is terminated after 2 s.
      const t = setTimeout(() => {
        for (const ws of wss.clients) ws.terminate();
      }, 2_000);
      t.unref();
      await Promise.resolve(server.dispose()).catch(() => {});
      clearTimeout(t);
    },
  };
}
