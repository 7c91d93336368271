import { NotFoundError, UnavailableError, ValidationError } from '../../errors.js';
import type { EventStore } from '../event/event.manager.js';
import type { SessionRequestSpec } from '../sessions/session-handlers.js';
import type { SessionManager } from '../sessions/sessions.manager.js';
import {
  CUSTOMER_KEYS,
  chatPushMessage,
  chatResponse,
  positionParam,
  sessionPath,
  truthy,
  verboseExtras,
  verboseOf,
} from './chat.legacy.js';
import type { ChatManager } from './chat.manager.js';

const CREATE_CHAT = {
  path: 'ixn/chat',
  summary: 'Chat API v1: start the chat interaction of the session',
  methods: ['POST'],
} satisfies SessionRequestSpec;
const CHAT_ACTION = {
  path: 'ixn/chat/*',
  summary:
    'Chat API v1: send, refresh, startTyping, stopTyping or disconnect; the transcript since a position',
  rest: 'send, refresh, startTyping, stopTyping or disconnect',
  methods: ['POST', 'GET'],
} satisfies SessionRequestSpec;

/** The per-session requests of chat (the route table lists them: http/routes.ts). */
export const CHAT_SESSION_REQUESTS: readonly SessionRequestSpec[] = [CREATE_CHAT, CHAT_ACTION];

/**
 * A transcript change leaves the process (CometD, the push outbox, GraphQL) as the Chat API v1
 * object: the event store keeps the change itself (`chat.transcript`), this presents it.
 */
export function registerChatPushPresenter(events: EventStore): void {
  events.presentAs('chat.transcript', chatPushMessage);
}

/**
 * Chat API v1 on the Service API: the `request-chat` built-in type and the `ixn/chat` requests,
 * served for sessions of any type (callback Chat Immediate / Chat Delayed sessions use them too).
 */
export function registerChatServiceHandlers(deps: { sessions: SessionManager; chat: ChatManager }): void {
  const { sessions, chat } = deps;

  sessions.handlers.registerServiceType('request-chat', {
    async create(session, params, _service, ctx) {
      if (!session) return {};
      if (truthy('_wait_for_agent', params._wait_for_agent)) {
        // `_target` overrides the chat endpoint's default target (GMS `_chat_endpoint`, default gms_builtin).
        const target =
          params._target?.trim() || (await chat.endpointTarget(session.serviceName, params._chat_endpoint));
        if (!(await chat.agentAvailable(ctx.tx, target)))
          throw new UnavailableError(
            'chat/no_agent_available',
            `No agent is available for chat on service '${session.serviceName}' yet; try again later`,
          );
      }
      return { '_chatIxnAPI-CREATE-URL': `${sessionPath(session.id)}/ixn/chat`, _id: session.id };
    },
  });

  // POST …/ixn/chat: create the chat interaction.
  sessions.handlers.registerRequest(CREATE_CHAT, async (session, params, _service, ctx) => {
    const data = ctx.request.userData;
    const details = Object.fromEntries(Object.entries(data).filter(([k]) => !CUSTOMER_KEYS.includes(k)));
    const { chat: started } = await chat.start(
      session,
      {
        firstName: data.firstName,
        lastName: data.lastName,
        nickname: data.userDisplayName ?? data.nickname,
        email: data.email,
        subject: data.subject,
        notifyBy: data.notify_by,
        details,
      },
      {
        target: params._target ?? null,
        virtualQueue: params._urs_virtual_queue ?? null,
        endpoint: params._chat_endpoint ?? null,
      },
    );
    const verbose = verboseOf(params, ctx);
    if (started.notifyBy === 'comet') {
      // The seed's capture: events then arrive on /_genesys (tag service.chat.refresh.<id>).
      return {
        _id: session.id,
        comet_channel: '/_genesys',
        ...(verbose
          ? { chatSessionId: started.id, ...verboseExtras(session, started.lastPosition + 1) }
          : {}),
      };
    }
    const events = await chat.transcript(started.id, 1);
    const shown = events.at(-1)?.position;
    if (shown !== undefined) await chat.markDelivered(started.id, shown);
    return chatResponse(session, started, events, 1, 'CONNECTED', verbose);
  });

  // …/ixn/chat/{send|refresh|startTyping|stopTyping|disconnect}
  sessions.handlers.registerRequest(CHAT_ACTION, async (session, params, _service, ctx) => {
    const action = ctx.path.split('/').filter(Boolean).slice(2).join('/');
    const current = await chat.requireForSession(session.id);
    const text = ctx.request.userData.message ?? ctx.query.get('message') ?? undefined;
    switch (action) {
      case 'send':
        if (text === undefined)
          throw new ValidationError('chat/empty_message', 'A chat message needs some text', 'message');
        await chat.send(current.id, text);
        break;
      case 'refresh':
        if (text !== undefined && text.trim() !== '') await chat.send(current.id, text);
        break;
      case 'startTyping':
      case 'stopTyping':
        await chat.typing(current.id, action === 'startTyping');
        break;
      case 'disconnect':
        await chat.disconnect(current.id);
        break;
      default:
        throw new NotFoundError(
          'sessions/unknown_request',
          `Service session '${session.id}' has no request 'ixn/chat/${action}'`,
        );
    }
    const after = await chat.get(current.id);
    const from = positionParam(ctx) ?? after.clientPosition + 1;
    const events = await chat.transcript(after.id, from);
    const shown = events.at(-1)?.position;
    if (shown !== undefined) await chat.markDelivered(after.id, shown);
    const state = after.status === 'ENDED' ? 'DISCONNECTED' : 'TRANSCRIPT';
    return chatResponse(session, after, events, from, state, verboseOf(params, ctx));
  });
}
