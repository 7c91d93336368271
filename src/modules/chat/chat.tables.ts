import { sql } from 'drizzle-orm';
import {
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

export const CHAT_STATUSES = ['QUEUED', 'CONNECTED', 'ENDED'] as const;
export type ChatStatus = (typeof CHAT_STATUSES)[number];

/**
 * Chat interactions (Chat API v1 `ixn/chat`): at most one open chat per service session. The row
 * is the transcript's counter: appending locks it and bumps `last_position`, so positions are
 * dense per chat and commit order equals position order. Rows outlive their session (admin access
 * to transcripts) until the retention sweep removes ended chats.
 */
export const chatsTable = pgTable(
  'chats',
  {
    /** `chatSessionId`. */
    id: text('id').primaryKey(),
    sessionId: text('session_id').notNull(),
    serviceName: text('service_name').notNull(),
    serviceType: text('service_type').notNull(),
    gmsUser: text('gms_user'),
    /** sha256 of the creator's device token (`x-gms-device-token`), or null: bound to gms_user only. */
    ownerTokenHash: text('owner_token_hash'),
    /** QUEUED (no agent joined yet), CONNECTED (an agent joined), ENDED. */
    status: text('status').$type<ChatStatus>().notNull(),
    /** The customer's display name in the transcript. */
    nickname: text('nickname').notNull(),
    firstName: text('first_name'),
    lastName: text('last_name'),
    email: text('email'),
    subject: text('subject'),
    /** `notify_by` of the create request (`comet`, a push type, or null). */
    notifyBy: text('notify_by'),
    /** Other parameters of the create request (push_notification_*, subscriptionID …). */
    details: jsonb('details').$type<Record<string, string>>().notNull(),
    /** The routing request that brings an agent (the session id unless an agent was handed over). */
    routingRequestId: text('routing_request_id'),
    virtualQueue: text('virtual_queue'),
    target: text('target'),
    /** The reservation of the agent (known once an agent joins, or from the start when handed over). */
    reservationId: integer('reservation_id'),
    agentId: text('agent_id'),
    agentNickname: text('agent_nickname'),
    agentPartyId: integer('agent_party_id'),
    nextPartyId: integer('next_party_id').notNull().default(2),
    /** Position of the newest transcript event (0: none). */
    lastPosition: integer('last_position').notNull().default(0),
    /** Newest position a legacy response has shown the customer (refresh without transcriptPosition continues after it). */
    clientPosition: integer('client_position').notNull().default(0),
    /** Who ended it: `customer`, `agent`, `session` (session stopped or expired). */
    endedBy: text('ended_by'),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }).notNull(),
    endedAt: timestamp('ended_at', { withTimezone: true, mode: 'date' }),
    /** The session's expiry: pushed transcript events live as long. */
    sessionExpiresAt: timestamp('session_expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [
    uniqueIndex('chats_open_session_idx').on(t.sessionId).where(sql`${t.status} <> 'ENDED'`),
    index('chats_session_idx').on(t.sessionId, t.startedAt),
    index('chats_routing_request_idx').on(t.routingRequestId),
    index('chats_agent_idx').on(t.agentId),
    index('chats_gms_user_idx').on(t.gmsUser),
    index('chats_ended_at_idx').on(t.endedAt),
  ],
);

export type ChatRow = typeof chatsTable.$inferSelect;

/** One transcript event: `[eventType, nickname, text, partyId, partyType]` at a position. */
export const chatTranscriptTable = pgTable(
  'chat_transcript',
  {
    chatId: text('chat_id')
      .notNull()
      .references(() => chatsTable.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    /** Message.Text, Notice.Joined, Notice.Left, Notice.TypingStarted, Notice.TypingStopped. */
    eventType: text('event_type').notNull(),
    nickname: text('nickname').notNull(),
    text: text('text').notNull(),
    partyId: text('party_id').notNull(),
    /** CLIENT, AGENT. */
    partyType: text('party_type').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.chatId, t.position] })],
);

export type TranscriptRow = typeof chatTranscriptTable.$inferSelect;
