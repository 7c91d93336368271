/** The part of faye 1.4 (a Bayeux server; it ships no types) that the CometD adapter uses. */
declare module 'faye' {
  import type { IncomingMessage, ServerResponse } from 'node:http';
  import type { Duplex } from 'node:stream';

  export interface BayeuxMessage {
    channel: string;
    clientId?: string;
    id?: string;
    subscription?: string | string[];
    data?: unknown;
    ext?: Record<string, unknown>;
    error?: string;
    successful?: boolean;
    connectionType?: string;
    [key: string]: unknown;
  }

  /** `request` is null for messages of the server-side client (`getClient()`). */
  export interface Extension {
    incoming?(
      message: BayeuxMessage,
      request: IncomingMessage | null,
      callback: (message: BayeuxMessage) => void,
    ): void;
    outgoing?(
      message: BayeuxMessage,
      request: IncomingMessage | null,
      callback: (message: BayeuxMessage) => void,
    ): void;
  }

  export interface Publication {
    then(onSuccess: () => void, onError: (error: unknown) => void): void;
  }

  export interface Client {
    publish(channel: string, data: unknown): Publication;
    disconnect(): void;
  }

  export interface NodeAdapterOptions {
    mount: string;
    /** Seconds a long-poll is held open. */
    timeout?: number;
    /** Seconds between WebSocket pings. */
    ping?: number;
  }

  export class NodeAdapter {
    constructor(options: NodeAdapterOptions);
    handle(request: IncomingMessage, response: ServerResponse): void;
    handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
    addExtension(extension: Extension): void;
    getClient(): Client;
    on(event: 'subscribe' | 'unsubscribe', listener: (clientId: string, channel: string) => void): void;
    on(event: 'handshake' | 'disconnect', listener: (clientId: string) => void): void;
    close(): void;
  }

  const faye: { NodeAdapter: typeof NodeAdapter };
  export default faye;
}
