import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Deps } from '../../deps.js';
import type { Managers } from '../../managers.types.js';
import type { createCometd } from './push.cometd.js';

type Cometd = ReturnType<typeof createCometd>;

/**
 * The CometD endpoint (push.cometd.ts) with faye and its dependencies (~2.5 MB of an idle server's
 * heap) loaded by the first request to /genesys/cometd: an instance that no legacy push client
 * talks to never loads them. That request waits for the load; its body, and an upgraded socket's
 * first bytes, stay buffered in the paused streams meanwhile.
 */
export function lazyCometd(deps: Deps, managers: Managers) {
  let loading: Promise<Cometd> | null = null;
  let closed = false;
  const load = () => {
    loading ??= import('./push.cometd.js').then((m) => m.createCometd(deps, managers));
    return loading;
  };
  const failed = (err: unknown) => deps.logger.error('cometd could not be loaded', { err });
  return {
    handle(request: IncomingMessage, response: ServerResponse): void {
      if (closed) {
        response.writeHead(503, { connection: 'close' }).end();
        return;
      }
      load().then(
        (cometd) => cometd.handle(request, response),
        (err: unknown) => {
          failed(err);
          response.writeHead(503).end();
        },
      );
    },
    handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
      if (closed) {
        socket.destroy();
        return;
      }
      // Node removes its own error listener from an upgraded socket: until faye has attached its
      // own, an error (a client resetting the connection) must not go unhandled.
      const onError = () => socket.destroy();
      socket.on('error', onError);
      load().then(
        (cometd) => {
          socket.off('error', onError);
          if (!socket.destroyed) cometd.handleUpgrade(request, socket, head);
        },
        (err: unknown) => {
          failed(err);
          socket.destroy();
        },
      );
    },
    async close(): Promise<void> {
      closed = true;
      if (loading) await (await loading).close();
      else await managers.comet.close();
    },
  };
}
