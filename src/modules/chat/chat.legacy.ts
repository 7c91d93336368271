import { ValidationError } from '../../errors.js';
import { parseBoolean } from '../../params.js';
import type { SessionRequestContext, SessionView } from '../sessions/session-handlers.js';
import {
  CHAT_SERVICE_MESSAGE,
  type ChatTranscriptChange,
  type ChatView,
  CLIENT_PARTY_ID,
  type TranscriptEvent,
} from './chat.types.js';

/** `YYYY-MM-DDTHH:MM:SSZ`, as Chat API v1 writes `startedAt`. */
export const chatTime = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;

/** `[eventType, nickname, text, partyId, partyType]`. */
export const transcriptTuple = (
  e: Pick<TranscriptEvent, 'eventType' | 'nickname' | 'text' | 'partyId' | 'partyType'>,
): [string, string, string, string, string] => [e.eventType, e.nickname, e.text, e.partyId, e.partyType];

/**
 * The Chat API v1 object pushed on `/_genesys` for a transcript change (key order as captured,
 * reference §1.6): what a stored `chat.transcript` event becomes where it leaves the process.
 */
export function chatPushMessage(change: ChatTranscriptChange) {
  const last = change.entries.at(-1)?.position ?? change.lastPosition;
  return {
    transcriptPosition: String(last + 1),
    startedAt: chatTime(new Date(change.startedAt)),
    chatServiceMessage: CHAT_SERVICE_MESSAGE,
    transcriptToShow: change.entries.map(transcriptTuple),
    chatSessionId: change.chatId,
    chatIxnState: change.status === 'ENDED' ? 'DISCONNECTED' : 'TRANSCRIPT',
  };
}

/** Parameters of `ixn/chat` that describe the customer; everything else is kept as details. */
export const CUSTOMER_KEYS = [
  'notify_by',
  'firstName',
  'lastName',
  'email',
  'subject',
  'userDisplayName',
  'nickname',
];

/** A boolean chat parameter (src/params.ts rules); empty or absent is false. */
export const truthy = (name: string, v: string | null | undefined) => parseBoolean(name, v, false);

export const sessionPath = (id: string) => `/genesys/1/service/${encodeURIComponent(id)}`;

/** `_verbose` of the request itself, else of the service configuration. */
export const verboseOf = (params: Record<string, string>, ctx: SessionRequestContext) =>
  truthy('_verbose', ctx.request.control._verbose ?? ctx.query.get('_verbose') ?? params._verbose);

export function positionParam(ctx: SessionRequestContext): number | null {
  const raw = ctx.request.userData.transcriptPosition ?? ctx.query.get('transcriptPosition');
  if (raw === undefined || raw === null || raw.trim() === '') return null;
  if (!/^\d{1,9}$/.test(raw.trim()))
    throw new ValidationError(
      'chat/invalid_transcript_position',
      'transcriptPosition must be a non-negative integer',
      'transcriptPosition',
    );
  return Math.max(1, Number(raw.trim()));
}

/** The `_chatIxnAPI_*_URL` extras of a verbose answer (absolute paths, as GMS gives them). */
export function verboseExtras(session: SessionView, next: number) {
  const base = `${sessionPath(session.id)}/ixn/chat`;
  return {
    userId: CLIENT_PARTY_ID,
    _chatIxnAPI_SEND_URL: `${base}/send`,
    _chatIxnAPI_REFRESH_URL: `${base}/refresh?transcriptPosition=${next}`,
    _chatIxnAPI_REFRESH_FROM_START_URL: `${base}/refresh?transcriptPosition=1`,
    _chatIxnAPI_START_TYPING_URL: `${base}/startTyping`,
    _chatIxnAPI_STOP_TYPING_URL: `${base}/stopTyping`,
    _chatIxnAPI_DISCONNECT_URL: `${base}/disconnect`,
  };
}

/**
 * The Chat API v1 response object (reference §1.6): `transcriptPosition` (a string) is the position
 * to ask for next; `transcriptToShow` the events from the requested position on.
 */
export function chatResponse(
  session: SessionView,
  chat: ChatView,
  events: TranscriptEvent[],
  from: number,
  state: 'CONNECTED' | 'TRANSCRIPT' | 'DISCONNECTED',
  verbose: boolean,
) {
  const next = (events.at(-1)?.position ?? from - 1) + 1;
  return {
    chatIxnState: state,
    chatSessionId: chat.id,
    transcriptPosition: String(next),
    chatServiceMessage: CHAT_SERVICE_MESSAGE,
    transcriptToShow: events.map(transcriptTuple),
    startedAt: chatTime(chat.startedAt),
    ...(verbose ? verboseExtras(session, next) : {}),
  };
}
