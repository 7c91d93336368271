import type { ChatRow, ChatStatus, TranscriptRow } from './chat.tables.js';

/**
 * The chat module's vocabulary: what a chat and a transcript event look like outside the tables,
 * the options and constants of the Chat API, and the `chat:transcript` poke. No rules live here.
 */

export type ChatEventType =
  | 'Message.Text'
  | 'Notice.Joined'
  | 'Notice.Left'
  | 'Notice.TypingStarted'
  | 'Notice.TypingStopped';
export type ChatPartyType = 'CLIENT' | 'AGENT';

export interface TranscriptEvent {
  chatId: string;
  /** 1-based, dense per chat. */
  position: number;
  eventType: ChatEventType;
  nickname: string;
  text: string;
  partyId: string;
  partyType: ChatPartyType;
  at: Date;
}

export interface ChatView {
  id: string;
  sessionId: string;
  serviceName: string;
  serviceType: string;
  gmsUser: string | null;
  /** The device-token hash of the session that started it (auth/ownership.ts). */
  ownerTokenHash: string | null;
  status: ChatStatus;
  nickname: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  subject: string | null;
  notifyBy: string | null;
  details: Record<string, string>;
  routingRequestId: string | null;
  virtualQueue: string | null;
  target: string | null;
  reservationId: number | null;
  agentId: string | null;
  agentNickname: string | null;
  lastPosition: number;
  clientPosition: number;
  endedBy: string | null;
  startedAt: Date;
  endedAt: Date | null;
  sessionExpiresAt: Date;
}

export interface StartChatInput {
  firstName?: string | null;
  lastName?: string | null;
  /** `userDisplayName` / `nickname`: wins over first and last name. */
  nickname?: string | null;
  email?: string | null;
  subject?: string | null;
  notifyBy?: string | null;
  /** Any other parameters (push_notification_*, subscriptionID …), kept with the chat. */
  details?: Record<string, string>;
}

/** Where the chat is routed: the session's merged control parameters. */
export interface ChatRouting {
  target: string | null;
  virtualQueue: string | null;
  /** GMS `_chat_endpoint`: without `_target` the chat goes to this endpoint's default target. */
  endpoint?: string | null;
}

/**
 * GMS's default chat endpoint (`_chat_endpoint`, "the environment's default chat routing"). Here an
 * endpoint is a virtual queue whose default target routes the chat; this one is provisioned at
 * start-up (`provisionDefaultEndpoint`) so that a request-chat service works as shipped.
 */
export const DEFAULT_CHAT_ENDPOINT = 'gms_builtin';
export const DEFAULT_CHAT_TARGET = 'Chat@StatServer.GA';

/** Told about each new chat before it is routed. */
export type ChatStartedHook = (chat: ChatView) => Promise<void>;

export interface ChatOptions {
  /** Transcript streams re-read at least this often (a lost bus poke only delays). */
  pollMs: number;
  /** Events read per batch. */
  batch: number;
}

export const DEFAULT_CHAT_OPTIONS: ChatOptions = { pollMs: 5_000, batch: 200 };

/** Largest message text accepted (characters). */
export const MAX_MESSAGE_LENGTH = 16_384;
export const CLIENT_PARTY_ID = '1';
export const CHAT_SERVICE_MESSAGE = 'Chat service is available';
export const JOINED_TEXT = 'has joined the session';
export const LEFT_TEXT = 'has left the session';

/** The tag a chat's transcript changes are pushed with (CometD `/_genesys`, GraphQL device streams). */
export const chatRefreshTag = (sessionId: string) => `service.chat.refresh.${sessionId}`;

/** A transcript event as the event store keeps it (JSON: the time as ISO-8601). */
export type StoredTranscriptEntry = Omit<TranscriptEvent, 'chatId' | 'at'> & { at: string };

/**
 * The durable session event of a transcript change (event kind `chat.transcript`, tagged
 * `chatRefreshTag`): the chat as it stood after the change and the events the change added. The
 * chat module's legacy edge presents it as the Chat API v1 push (chat.legacy.ts `chatPushMessage`)
 * where it leaves the process.
 */
export interface ChatTranscriptChange {
  chatId: string;
  /** ISO-8601. */
  startedAt: string;
  status: ChatStatus;
  /** The transcript's last position after the change. */
  lastPosition: number;
  /** Oldest first; never empty (a change without events appends nothing). */
  entries: StoredTranscriptEntry[];
}

declare module '../event/event.types.js' {
  interface SessionEventKinds {
    'chat.transcript': ChatTranscriptChange;
  }
}

export const transcriptChange = (chat: ChatView, events: TranscriptEvent[]): ChatTranscriptChange => ({
  chatId: chat.id,
  startedAt: chat.startedAt.toISOString(),
  status: chat.status,
  lastPosition: chat.lastPosition,
  entries: events.map((e) => ({
    position: e.position,
    eventType: e.eventType,
    nickname: e.nickname,
    text: e.text,
    partyId: e.partyId,
    partyType: e.partyType,
    at: e.at.toISOString(),
  })),
});

declare module '../../pubsub/topics.js' {
  interface TopicMap {
    /** Keyed by chat id: "the transcript grew to `position`" (after commit; a poke only). */
    'chat:transcript': { chatId: string; position: number };
  }
}

/** A chat row as the module shows it. */
export const toView = (r: ChatRow): ChatView => ({
  id: r.id,
  sessionId: r.sessionId,
  serviceName: r.serviceName,
  serviceType: r.serviceType,
  gmsUser: r.gmsUser,
  ownerTokenHash: r.ownerTokenHash,
  status: r.status,
  nickname: r.nickname,
  firstName: r.firstName,
  lastName: r.lastName,
  email: r.email,
  subject: r.subject,
  notifyBy: r.notifyBy,
  details: r.details,
  routingRequestId: r.routingRequestId,
  virtualQueue: r.virtualQueue,
  target: r.target,
  reservationId: r.reservationId,
  agentId: r.agentId,
  agentNickname: r.agentNickname,
  lastPosition: r.lastPosition,
  clientPosition: r.clientPosition,
  endedBy: r.endedBy,
  startedAt: r.startedAt,
  endedAt: r.endedAt,
  sessionExpiresAt: r.sessionExpiresAt,
});

/** A transcript row as the module shows it. */
export const toEvent = (r: TranscriptRow): TranscriptEvent => ({
  chatId: r.chatId,
  position: r.position,
  eventType: r.eventType as ChatEventType,
  nickname: r.nickname,
  text: r.text,
  partyId: r.partyId,
  partyType: r.partyType as ChatPartyType,
  at: r.createdAt,
});
