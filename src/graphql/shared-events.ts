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
 * payload in its own `{"id":…}` frame. Weak: an entry lives as long as its event.
 */
const payloads = new WeakMap<object, Map<string, string | Promise<string>>>();

const isPromise = <T>(v: T | Promise<T>): v is Promise<T> =>
  typeof (v as { then?: unknown } | null)?.then === 'function';

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
  const prefix = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
  let stopped = false;
  let stop: () => void = () => {};
  // next() settles at once on return(), not when the source next wakes.
  const stoppedEarly = new Promise<void>((resolve) => {
    stop = () => {
      stopped = true;
      resolve();
    };
  });

  const encode = (result: ExecutionResult): string => {
    const payload: { data?: unknown; errors?: GraphQLFormattedError[] } = { data: result.data };
    if (result.errors) payload.errors = result.errors.map(options.formatError);
    return JSON.stringify(payload);
  };
  // Synchronous up to the cache write (no await before it): the subscribers woken by one event
  // all run between two turns, and must find the first one's entry, not each execute again.
  const payloadFor = (event: unknown): string | Promise<string> => {
    const cacheable = typeof event === 'object' && event !== null;
    let perEvent = cacheable ? payloads.get(event) : undefined;
    const cached = perEvent?.get(cacheKey);
    if (cached) return cached;
    // The per-event execution graphql's own subscribe would run (rootValue: the event).
    const result = execute({ ...args, rootValue: event });
    const payload = isPromise(result) ? result.then(encode) : encode(result);
    if (cacheable) {
      if (!perEvent) {
        perEvent = new Map();
        payloads.set(event, perEvent);
      }
      perEvent.set(cacheKey, payload);
    }
    return payload;
  };

  // A string goes out as a text frame, as graphql-ws's own messages do.
  const send = (frame: string) =>
    new Promise<void>((resolve, reject) => socket.send(frame, (err) => (err ? reject(err) : resolve())));

  const pump = async () => {
    for (;;) {
      const next = await events.next();
      if (next.done || stopped) return;
      const shared = payloadFor(next.value);
      const payload = isPromise(shared) ? await shared : shared;
      if (stopped || socket.readyState !== socket.OPEN) return;
      const frame = `${prefix}${payload}}`;
      if (socket.bufferedAmount < options.highWaterBytes) socket.send(frame);
      else await send(frame);
    }
  };
  const finished = pump();
  // Reported through next() (graphql-ws turns a rejection into an `error` message); never unhandled.
  finished.catch(() => {});

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
