import { GraphQLError } from 'graphql';
import { graphqlRequester } from '../../auth/ownership.js';
import { isAdmin } from '../../auth/viewer.js';
import { ForbiddenError, NotFoundError } from '../../errors.js';
import { builder } from '../../graphql/builder.js';
import type { GraphQLContext } from '../../graphql/context.js';
import { CHAT_STATUSES } from './chat.tables.js';
import type { ChatView, TranscriptEvent } from './chat.types.js';

const ChatStatusEnum = builder.enumType('ChatStatus', {
  description: 'QUEUED: waiting for an agent to join; CONNECTED: an agent joined; ENDED.',
  values: CHAT_STATUSES,
});

const AgentNextEnum = builder.enumType('ChatAgentNextState', {
  description: 'The agent state after leaving a chat.',
  values: ['READY', 'AFTER_CALL_WORK', 'NOT_READY'] as const,
});

const _notFound = (id: string) => new NotFoundError('chat/not_found', `Chat '${id}' not found`);

/** Admins see every chat, an agent the chats it is reserved for or in, a device its own chats. */
const notFoundAsNull = (err: unknown) => {
  if (err instanceof NotFoundError) return null;
  throw err;
};

async function visibleChat(ctx: GraphQLContext, id: string): Promise<ChatView | null> {
  const chat = await ctx.managers.chat.get(id).catch(notFoundAsNull);
  if (!chat) return null;
  const viewer = ctx.viewer;
  if (isAdmin(viewer)) return chat;
  if (viewer.kind === 'agent')
    return (await ctx.managers.chat.agentMayAccess(viewer.agentId, chat)) ? chat : null;
  return customerChat(ctx, id).catch(notFoundAsNull);
}

/** The customer's own chat (or any, for an admin acting for it); GraphQL is always strict. */
const customerChat = (ctx: GraphQLContext, id: string): Promise<ChatView> =>
  ctx.managers.chat.owned(graphqlRequester(ctx.viewer), id);

function agentIdOf(ctx: GraphQLContext): string {
  if (ctx.viewer.kind !== 'agent') throw new ForbiddenError('Agent desktop operations need an agent token');
  return ctx.viewer.agentId;
}

export const ChatEventRef = builder.objectRef<TranscriptEvent>('ChatEvent').implement({
  description:
    'One transcript event; legacy clients see it as `[eventType, nickname, text, partyId, partyType]`.',
  fields: (t) => ({
    chatId: t.exposeID('chatId'),
    position: t.exposeInt('position', { description: '1-based, dense per chat.' }),
    eventType: t.exposeString('eventType', {
      description: 'Message.Text, Notice.Joined, Notice.Left, Notice.TypingStarted, Notice.TypingStopped',
    }),
    nickname: t.exposeString('nickname'),
    text: t.exposeString('text'),
    partyId: t.exposeString('partyId'),
    partyType: t.exposeString('partyType', { description: 'CLIENT or AGENT' }),
    at: t.field({ type: 'DateTime', resolve: (e) => e.at }),
  }),
});

export const ChatRef = builder.objectRef<ChatView>('Chat').implement({
  description: 'A chat interaction on a service session (Chat API v1 `ixn/chat`).',
  fields: (t) => ({
    id: t.exposeID('id', { description: '`chatSessionId`' }),
    sessionId: t.exposeString('sessionId'),
    serviceName: t.exposeString('serviceName'),
    status: t.field({ type: ChatStatusEnum, resolve: (c) => c.status }),
    nickname: t.exposeString('nickname', { description: "The customer's name in the transcript." }),
    firstName: t.exposeString('firstName', { nullable: true }),
    lastName: t.exposeString('lastName', { nullable: true }),
    email: t.exposeString('email', { nullable: true }),
    subject: t.exposeString('subject', { nullable: true }),
    agentId: t.exposeString('agentId', { nullable: true }),
    agentNickname: t.exposeString('agentNickname', { nullable: true }),
    virtualQueue: t.exposeString('virtualQueue', { nullable: true }),
    startedAt: t.field({ type: 'DateTime', resolve: (c) => c.startedAt }),
    endedAt: t.field({ type: 'DateTime', nullable: true, resolve: (c) => c.endedAt }),
    endedBy: t.exposeString('endedBy', {
      nullable: true,
      description: 'customer, agent, session (stopped or expired) or routing',
    }),
    transcriptPosition: t.int({
      description: 'The position the next transcript event will have.',
      resolve: (c) => c.lastPosition + 1,
    }),
    transcript: t.field({
      type: [ChatEventRef],
      args: { fromPosition: t.arg.int({ defaultValue: 1 }), limit: t.arg.int({ defaultValue: 1000 }) },
      resolve: (c, args, ctx) =>
        ctx.managers.chat.transcript(c.id, args.fromPosition ?? 1, args.limit ?? 1000),
    }),
    details: t.field({
      type: 'JSON',
      description: 'Other parameters the chat was started with (push settings …).',
      resolve: (c) => c.details,
    }),
    userData: t.field({
      type: 'JSON',
      nullable: true,
      description: "The session's user data (what the customer entered); null once the session is gone.",
      resolve: async (c, _args, ctx) => ctx.managers.sessions.userData(c.sessionId).catch(notFoundAsNull),
    }),
  }),
});

builder.queryFields((t) => ({
  chat: t.field({
    type: ChatRef,
    nullable: true,
    authScopes: { public: true },
    description: 'A chat: your own (gms_user), one you are reserved for or in (agent), any (admin).',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, args, ctx) => visibleChat(ctx, String(args.id)),
  }),
  chats: t.field({
    type: [ChatRef],
    authScopes: { admin: true },
    description: 'Chats and their transcripts, newest first (ended chats are kept for the retention period).',
    args: {
      sessionId: t.arg.string(),
      gmsUser: t.arg.string(),
      agentId: t.arg.string(),
      status: t.arg({ type: ChatStatusEnum }),
      limit: t.arg.int({ defaultValue: 100 }),
    },
    resolve: (_r, args, ctx) => ctx.managers.chat.list(args),
  }),
  agentChats: t.field({
    type: [ChatRef],
    authScopes: { agent: true },
    description: 'The chat your current reservation offers (join it) and the chats you are in.',
    resolve: (_r, _a, ctx) => ctx.managers.chat.agentChats(agentIdOf(ctx)),
  }),
}));

builder.mutationFields((t) => ({
  startChat: t.field({
    type: ChatRef,
    authScopes: { public: true },
    description:
      "POST /genesys/1/service/{id}/ixn/chat: starts the chat of your session (routed to the session's _target, else its _chat_endpoint's default target); an open chat is returned as it is.",
    args: {
      sessionId: t.arg.id({ required: true }),
      firstName: t.arg.string(),
      lastName: t.arg.string(),
      nickname: t.arg.string(),
      email: t.arg.string(),
      subject: t.arg.string(),
    },
    errors: {},
    resolve: async (_r, args, ctx) => {
      const session = await ctx.managers.sessions.owned(graphqlRequester(ctx.viewer), String(args.sessionId));
      const { chat } = await ctx.managers.chat.start(
        session,
        {
          firstName: args.firstName,
          lastName: args.lastName,
          nickname: args.nickname,
          email: args.email,
          subject: args.subject,
        },
        {
          target: session.params._target ?? null,
          virtualQueue: session.params._urs_virtual_queue ?? null,
          endpoint: session.params._chat_endpoint ?? null,
        },
      );
      return chat;
    },
  }),
  sendChatMessage: t.field({
    type: ChatEventRef,
    authScopes: { public: true },
    description: 'ixn/chat/send: your message, stored before this answers.',
    args: { chatId: t.arg.id({ required: true }), text: t.arg.string({ required: true }) },
    errors: {},
    resolve: async (_r, args, ctx) => {
      const chat = await customerChat(ctx, String(args.chatId));
      const [event] = await ctx.managers.chat.send(chat.id, args.text);
      return event as TranscriptEvent;
    },
  }),
  setChatTyping: t.field({
    type: ChatEventRef,
    authScopes: { public: true },
    description: 'ixn/chat/startTyping (true) or stopTyping (false).',
    args: { chatId: t.arg.id({ required: true }), typing: t.arg.boolean({ required: true }) },
    errors: {},
    resolve: async (_r, args, ctx) => {
      const chat = await customerChat(ctx, String(args.chatId));
      const [event] = await ctx.managers.chat.typing(chat.id, args.typing);
      return event as TranscriptEvent;
    },
  }),
  leaveChat: t.field({
    type: ChatRef,
    authScopes: { public: true },
    description: 'ixn/chat/disconnect: you leave; the chat ends.',
    args: { chatId: t.arg.id({ required: true }) },
    errors: {},
    resolve: async (_r, args, ctx) => {
      const chat = await customerChat(ctx, String(args.chatId));
      return ctx.managers.chat.disconnect(chat.id);
    },
  }),
  agentJoinChat: t.field({
    type: ChatRef,
    authScopes: { agent: true },
    description: 'Joins the chat your reservation offers (accepting the reservation): Notice.Joined.',
    args: { chatId: t.arg.id({ required: true }) },
    errors: {},
    resolve: (_r, args, ctx) => ctx.managers.chat.agentJoin(agentIdOf(ctx), String(args.chatId)),
  }),
  agentSendChatMessage: t.field({
    type: ChatEventRef,
    authScopes: { agent: true },
    args: { chatId: t.arg.id({ required: true }), text: t.arg.string({ required: true }) },
    errors: {},
    resolve: async (_r, args, ctx) => {
      const [event] = await ctx.managers.chat.agentSend(agentIdOf(ctx), String(args.chatId), args.text);
      return event as TranscriptEvent;
    },
  }),
  agentSetChatTyping: t.field({
    type: ChatEventRef,
    authScopes: { agent: true },
    args: { chatId: t.arg.id({ required: true }), typing: t.arg.boolean({ required: true }) },
    errors: {},
    resolve: async (_r, args, ctx) => {
      const [event] = await ctx.managers.chat.agentTyping(agentIdOf(ctx), String(args.chatId), args.typing);
      return event as TranscriptEvent;
    },
  }),
  agentLeaveChat: t.field({
    type: ChatRef,
    authScopes: { agent: true },
    description: 'Leaves the chat (Notice.Left; the chat ends) and completes the interaction in routing.',
    args: {
      chatId: t.arg.id({ required: true }),
      next: t.arg({ type: AgentNextEnum, defaultValue: 'READY' }),
    },
    errors: {},
    resolve: (_r, args, ctx) =>
      ctx.managers.chat.agentLeave(agentIdOf(ctx), String(args.chatId), args.next ?? 'READY'),
  }),
}));

builder.subscriptionFields((t) => ({
  chatTranscript: t.field({
    type: ChatEventRef,
    authScopes: { public: true },
    description:
      'The transcript from `fromPosition` (default 1: from the start), then every new event from any instance; ends after the event that ended the chat. Resume after a drop with the last position + 1.',
    args: { chatId: t.arg.id({ required: true }), fromPosition: t.arg.int({ defaultValue: 1 }) },
    subscribe: async function* (_r, args, ctx) {
      const chat = await visibleChat(ctx, String(args.chatId));
      if (!chat)
        throw new GraphQLError(`Chat '${args.chatId}' not found`, { extensions: { code: 'NOT_FOUND' } });
      yield* ctx.managers.chat.streamTranscript(chat.id, args.fromPosition ?? 1);
    },
    resolve: (event) => event,
  }),
}));
