import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ExecutionArgs } from 'graphql';
import { handleProtocols, makeServer, type OperationResult } from 'graphql-ws';
import type { YogaServerInstance } from 'graphql-yoga';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Viewer } from '../auth/viewer.js';
import type { Deps } from '../deps.js';
import { DomainError } from '../errors.js';
import type { GraphQLContext } from './context.js';
import type { YogaServerContext } from './yoga.js';

/** Close code for a subscriber that stopped reading and overflowed its buffer. */
export const CLOSE_SLOW_CONSUMER = 4499;
/** Close code when a socket asks for more subscriptions than allowed. */
export const CLOSE_TOO_MANY_SUBSCRIPTIONS = 4413;

interface SocketState {
  viewer: Viewer | null;
  subscriptions: Set<string>;
  socket: WebSocket;
}

type RootValue = {
  execute: (a: ExecutionArgs) => OperationResult;
  subscribe: (a: ExecutionArgs) => OperationResult;
};

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

/**
 * graphql-ws on the /graphql path, run through `yoga.getEnveloped` so WebSocket operations get
 * the same context, auth and validation rules (armor limits included) as HTTP. Hardened: auth in
 * connection_init, init timeout, maxPayload, Origin allow-list, per-socket subscription cap, and
 * slow consumers are dropped instead of buffering without bound.
 */
export function createGraphQLWebSocket(
  deps: Deps,
  yoga: YogaServerInstance<YogaServerContext, GraphQLContext>,
  authenticate: (credentials: { authorization: string | null; gmsUser: string | null }) => Promise<Viewer>,
) {
  const { config, logger } = deps;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: config.ws.maxPayloadBytes,
    handleProtocols: (protocols) => handleProtocols(protocols),
  });

  const server = makeServer<Record<string, unknown>, { state: SocketState; request: IncomingMessage }>({
    connectionInitWaitTimeout: config.ws.initTimeoutMs,
    execute: (args) => (args.rootValue as RootValue).execute(args),
    subscribe: (args) => (args.rootValue as RootValue).subscribe(args),
    onConnect: async (ctx) => {
      try {
        ctx.extra.state.viewer = await authenticate(credentialsFrom(ctx.connectionParams));
        return true;
      } catch (err) {
        if (!(err instanceof DomainError)) logger.error('websocket auth failed', { err });
        return false; // 4403 Forbidden
      }
    },
    onSubscribe: async (ctx, id, payload) => {
      const state = ctx.extra.state;
      if (state.subscriptions.size >= config.ws.maxSubscriptions) {
        state.socket.close(CLOSE_TOO_MANY_SUBSCRIPTIONS, 'Too many subscriptions on this socket');
        return [];
      }
      const socket = state.socket;
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
            state.socket.close(4403, 'Forbidden');
            return [];
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
      } catch (err) {
        return [err as import('graphql').GraphQLError];
      }
      const errors = validate(schema, document);
      if (errors.length > 0) return errors;
      state.subscriptions.add(id);
      return {
        schema,
        operationName: payload.operationName,
        document,
        variableValues: payload.variables,
        contextValue: await contextFactory(),
        rootValue: { execute, subscribe },
      };
    },
    onComplete: (ctx, id) => {
      ctx.extra.state.subscriptions.delete(id);
    },
  });

  function dropSocket(socket: WebSocket) {
    logger.warn('dropping slow websocket subscriber');
    socket.close(CLOSE_SLOW_CONSUMER, 'Subscriber too slow');
    // A peer that stopped reading never completes the close handshake.
    setTimeout(() => socket.terminate(), 1_000).unref();
  }

  const states = new Set<SocketState>();

  wss.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    const state: SocketState = { viewer: null, subscriptions: new Set(), socket };
    states.add(state);
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            socket.send(data, (err) => (err ? reject(err) : resolve()));
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (cb) =>
          socket.on('message', async (event) => {
            try {
              await cb(String(event));
            } catch (err) {
              logger.error('websocket message failed', { err });
              socket.close(4500, 'Internal error');
            }
          }),
      },
      { state, request },
    );
    // graphql-ws/use/ws keeps the same ping/pong liveness check.
    let alive = true;
    const pinger = setInterval(() => {
      if (!alive) return socket.terminate();
      alive = false;
      socket.ping();
    }, 12_000);
    pinger.unref();
    socket.on('pong', () => {
      alive = true;
    });
    socket.once('close', (code, reason) => {
      clearInterval(pinger);
      states.delete(state);
      void closed(code, String(reason));
    });
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
      wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
    },
    clientCount: () => wss.clients.size,
    /** Operations running over all sockets: subscriptions, and queries still executing. */
    operationCount: () => {
      let n = 0;
      for (const s of states) n += s.subscriptions.size;
      return n;
    },
    async close() {
      for (const ws of wss.clients) ws.close(1001, 'Server shutting down');
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          for (const ws of wss.clients) ws.terminate();
          resolve();
        }, 2_000);
        t.unref();
        wss.close(() => {
          clearTimeout(t);
          resolve();
        });
      });
    },
  };
}
