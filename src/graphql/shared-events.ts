import {
  createSourceEventStream,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  execute,
  type GraphQLError,
  type GraphQLFormattedError,
  getOperationAST,
  Kind,
} from 'graphql';
import type { WebSocket } from 'ws';
import { objectSlot } from '../object-slot.js';

/**
 * Subscription root fields whose per-event result is a function of the event alone: the field
 * resolves to the event itself and every field of its type (SessionEvent, DeviceEvent) reads only
 * the event (`message` presents it through the process-wide event store, the same for everyone),
 * never the viewer or anything else of the context (authorisation happens once, when the stream is
 * created). Their results can be computed once per event and shared by every subscriber that
 * sent the same operation.
 */
const SHARED_FIELDS = new Set(['deviceEvents', 'serviceSessionEvents']);

/** The root field of a subscription operation when it is one whose results can be shared. */
export function sharedSubscriptionField(document: DocumentNode, operationName?: string | null) {
  const operation = getOperationAST(document, operationName);
  if (operation?.operation !== 'subscription') return null;
  const [root, ...rest] = operation.selectionSet.selections;
  if (!root || rest.length > 0 || root.kind !== Kind.FIELD) return null;
  return SHARED_FIELDS.has(root.name.value) ? root.name.value : null;
}

/**
 * The JSON `payload` of each `next` message, per event and per (operation, variables): the event
 * objects are shared by every stream that read them together (EventStore's single-flight), so
 * 20,000 subscribers of one device sending the same operation cost one GraphQL execution and one
 * JSON serialisation per event instead of 20,000 of each. The operation id is not part of the key
 * (graphql-ws's own client gives every operation a new UUID): each subscriber only wraps the shared
 * payload in its own `{"id":…}` frame. Kept on the event object (object-slot.ts): it lives as long
 * as its event.
 */
const payloads = objectSlot<Map<string, Buffer | Promise<Buffer>>>('payloads');
/** The last event looked up, and its entry: the subscribers of one event come one after the other. */
let lastEvent: object | null = null;
let lastPerEvent: Map<string, Buffer | Promise<Buffer>> | undefined;

const isPromise = <T>(v: T | Promise<T>): v is Promise<T> =>
  typeof (v as { then?: unknown } | null)?.then === 'function';

/**
 * An event stream that can hand over its next event without a promise (the event module's
 * pollingStream `pull`): the next result when it is at hand; else null, having arranged for
 * `onWake` to be called once when something may have come; else a promise to await first.
 */
interface PullableStream {
  pull(onWake: () => void): IteratorResult<unknown> | Promise<void> | null;
}
const isPullable = (stream: object): stream is PullableStream =>
  typeof (stream as { pull?: unknown }).pull === 'function';

/** What `ws` frames onto: its TCP socket (the field is ws's own, not in its types). */
interface FramedSocket {
  _socket?: { write(chunk: Buffer, cb?: (err?: Error | null) => void): boolean } | null;
}

/**
 * One unmasked text frame (FIN, opcode 1: what ws sends for a string from a server), in one buffer:
 * the operation's own head, then the event's shared tail.
 */
function textFrame(head: Buffer, tail: Buffer): Buffer {
  const length = head.length + tail.length;
  const headerBytes = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerBytes + length);
  frame[0] = 0x81;
  if (headerBytes === 2) frame[1] = length;
  else if (headerBytes === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  head.copy(frame, headerBytes);
  tail.copy(frame, headerBytes + head.length);
  return frame;
}

export interface SharedStreamOptions {
  socket: WebSocket;
  /** The graphql-ws operation id. */
  id: string;
  /** What makes two subscriptions' results equal: the operation text, its name and variables. */
  key: string;
  args: ExecutionArgs;
  /** Masks an error of a per-event result as yoga does on the other paths. */
  formatError: (error: GraphQLError) => GraphQLFormattedError;
  /** Past this many bytes waiting in the socket, the stream waits for the socket to drain. */
  highWaterBytes: number;
}

/**
 * Runs a shareable subscription outside graphql-ws's per-subscriber loop (which executes the
 * operation, stringifies the message and awaits the socket once per subscriber per event): the
 * source stream is created once here (the field's own `subscribe`, authorisation included), and
 * each event's payload comes from `payloads`. Returns null when the source could not be created
 * (the caller then takes the ordinary path, which reports the error as usual), else the iterable
 * graphql-ws waits on: it yields nothing (messages go straight to the socket, in order, through
 * the same `ws` sender as graphql-ws's), ends when the source ends (graphql-ws then sends
 * `complete`), rejects when the source fails (graphql-ws sends `error`), and `return()` stops it.
 * Still pull-based: a socket with more than `highWaterBytes` unsent waits before the next read,
 * so a subscriber that stops reading holds at most one message more (and the keep-alive ends it).
 */
export async function runSharedSubscription(
  options: SharedStreamOptions,
): Promise<AsyncGenerator<ExecutionResult> | null> {
  const { socket, id, args } = options;
  const source = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in source)) return null;
  const events = source as AsyncGenerator<unknown>;
  const cacheKey = options.key;
  let stopped = false;
  let stop: () => void = () => {};
  // next() settles at once on return(), not when the source next wakes.
  const stoppedEarly = new Promise<void>((resolve) => {
    stop = () => {
      stopped = true;
      resolve();
    };
  });

  // The event's part of every subscriber's `next` message: `<payload JSON>}` (the `}` closes the
  // message that `head` opens).
  const encode = (result: ExecutionResult): Buffer => {
    const payload: { data?: unknown; errors?: GraphQLFormattedError[] } = { data: result.data };
    if (result.errors) payload.errors = result.errors.map(options.formatError);
    return Buffer.from(`${JSON.stringify(payload)}}`);
  };
  // Synchronous up to the cache write (no await before it): the subscribers woken by one event
  // all run between two turns, and must find the first one's entry, not each execute again.
  const payloadFor = (event: unknown): Buffer | Promise<Buffer> => {
    const cacheable = typeof event === 'object' && event !== null;
    let perEvent: Map<string, Buffer | Promise<Buffer>> | undefined;
    if (cacheable) {
      if (event === lastEvent) perEvent = lastPerEvent;
      else {
        perEvent = payloads.get(event);
        lastEvent = event;
        lastPerEvent = perEvent;
      }
    }
    const cached = perEvent?.get(cacheKey);
    if (cached) return cached;
    // The per-event execution graphql's own subscribe would run (rootValue: the event).
    const result = execute({ ...args, rootValue: event });
    const payload = isPromise(result) ? result.then(encode) : encode(result);
    if (cacheable) {
      if (!perEvent) {
        perEvent = new Map();
        payloads.set(event, perEvent);
        lastEvent = event;
        lastPerEvent = perEvent;
      }
      perEvent.set(cacheKey, payload);
    }
    return payload;
  };

  let resolveFinished: () => void = () => {};
  let rejectFinished: (err: unknown) => void = () => {};
  const finished = new Promise<void>((resolve, reject) => {
    resolveFinished = resolve;
    rejectFinished = reject;
  });
  // Reported through next() (graphql-ws turns a rejection into an `error` message); never unhandled.
  finished.catch(() => {});

  // Each message as one text frame, written straight to ws's TCP socket: built in one buffer from
  // the operation's head and the event's shared tail, one write (ws's send would take the frame
  // header and the message as two writes joined by cork/uncork, a writev, after copying the
  // message from a string). Only without extensions (no permessage-deflate, which the server
  // does not offer): then ws's sender writes every frame of its own at once, in call order, so
  // these frames and graphql-ws's (complete, error, pings) stay in order on the socket.
  const head = Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":`);
  const raw = socket.extensions === '' ? (socket as unknown as FramedSocket)._socket : null;
  const sendFrame = (tail: Buffer, cb?: (err?: Error | null) => void) => {
    if (raw) raw.write(textFrame(head, tail), cb);
    else socket.send(Buffer.concat([head, tail]), { binary: false }, cb);
  };
  // 'sent': go on; 'end': stopped or the socket gone (finished resolved); 'wait': the socket has
  // more than highWaterBytes unsent, and `resume` runs once this frame is out.
  const write = (tail: Buffer, resume: () => void): 'sent' | 'wait' | 'end' => {
    if (stopped || socket.readyState !== socket.OPEN) {
      resolveFinished();
      return 'end';
    }
    if (socket.bufferedAmount < options.highWaterBytes) {
      sendFrame(tail);
      return 'sent';
    }
    sendFrame(tail, (err) => (err ? rejectFinished(err) : resume()));
    return 'wait';
  };

  if (isPullable(events)) {
    // Delivery without a promise per event: woken by the poke itself, the event goes to the socket
    // in the same turn (a promise, a microtask and an iterator result per subscriber per event
    // were much of one event's fan-out to 20,000 subscribers, in CPU and in garbage).
    const run = (): void => {
      try {
        for (;;) {
          if (stopped) {
            resolveFinished();
            return;
          }
          const r = events.pull(run);
          if (r === null) return; // asleep: `run` is called again when something may have come
          if (r instanceof Promise) {
            r.then(run, rejectFinished);
            return;
          }
          if (r.done) {
            resolveFinished();
            return;
          }
          const shared = payloadFor(r.value);
          if (isPromise(shared)) {
            shared.then((payload) => {
              if (write(payload, run) === 'sent') run();
            }, rejectFinished);
            return;
          }
          if (write(shared, run) !== 'sent') return;
        }
      } catch (err) {
        rejectFinished(err);
      }
    };
    run();
  } else {
    const pump = async () => {
      for (;;) {
        const next = await events.next();
        if (next.done || stopped) return;
        const shared = payloadFor(next.value);
        const payload = isPromise(shared) ? await shared : shared;
        let resume: () => void = () => {};
        const drained = new Promise<void>((resolve) => {
          resume = resolve;
        });
        const sent = write(payload, resume);
        if (sent === 'end') return;
        if (sent === 'wait') await drained;
      }
    };
    pump().then(resolveFinished, rejectFinished);
  }

  const iterator: AsyncGenerator<ExecutionResult> = {
    next: () => Promise.race([finished, stoppedEarly]).then(() => ({ value: undefined, done: true })),
    async return() {
      stop();
      // Not awaited: an async generator finishes a return() only after its pending next(), i.e.
      // at the stream's next wake (a poke or the poll tick); graphql-ws need not wait for that.
      events.return(undefined).catch(() => {});
      return { value: undefined, done: true };
    },
    async throw(err?: unknown) {
      stop();
      events.return(undefined).catch(() => {});
      throw err;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
