/** The event store's vocabulary (EventStore, EventAppender), re-exported by event.manager.ts. */

export interface SessionEvent {
  sessionId: string;
  seq: number;
  tag: string;
  /** The push's `id`. */
  deliveryId: string;
  /** A typed event's kind (see SessionEventKinds); null: `message` is the push as delivered. */
  kind: string | null;
  /** The kind's value, or the push itself (no kind). What leaves the process is `wire(event)`. */
  message: unknown;
  gmsUser: string | null;
  createdAt: Date;
}

/** A position in a device's (gms_user's) stream: the last seq seen per session. */
export type UserCursor = Record<string, number>;

/** An event of a device's stream, with the cursor to resume after it. */
export type DeviceEvent = SessionEvent & { cursor: string };

/**
 * Typed domain events the store holds, by kind, declared by the module that appends them
 * (declaration merging, as TopicMap):
 *
 *   declare module '../event/event.types.js' {
 *     interface SessionEventKinds { 'chat.transcript': ChatTranscriptChange }
 *   }
 *
 * The value is stored as JSON (so: JSON-safe, dates as ISO strings) and becomes GMS JSON only where
 * it leaves the process (CometD, the push outbox, GraphQL), through `wire` and the presenter the
 * module's legacy edge registered with `presentAs`.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging in modules
export interface SessionEventKinds {}
export type SessionEventKind = keyof SessionEventKinds & string;

/** What an event holds: a kind and its typed value, or (no kind) the push exactly as delivered. */
export type EventBody =
  | { kind?: undefined; message: unknown }
  | { [K in SessionEventKind]: { kind: K; message: SessionEventKinds[K] } }[SessionEventKind];

export type AppendInput = EventBody & {
  sessionId: string;
  gmsUser: string | null;
  tag: string;
  /** Events live as long as their session (its TTL). */
  expiresAt: Date;
};
