/** Shared by the chat tests (src/modules/chat/chat.test.ts, test/chat-multi-instance.test.ts). */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { graphql } from './gql/index.js';
import type { TestApp } from './harness.js';
import { sseSubscription } from './sse.js';

export const ChatAgentLogin = graphql(`
  mutation ChatAgentLogin($agentId: String!, $password: String!) {
    agentLogin(agentId: $agentId, password: $password) {
      ... on MutationAgentLoginSuccess { data { token } }
      ... on Error { code message }
    }
  }
`);

export const ChatAgentReady = graphql(`
  mutation ChatAgentReady {
    agentSetState(state: READY) {
      ... on MutationAgentSetStateSuccess { data { state } }
      ... on Error { code message }
    }
  }
`);

export const AgentChats = graphql(`
  query AgentChats {
    agentChats { id sessionId status nickname firstName lastName email subject userData agentId }
  }
`);

export const AgentJoin = graphql(`
  mutation AgentJoinChat($chatId: ID!) {
    agentJoinChat(chatId: $chatId) {
      ... on MutationAgentJoinChatSuccess { data { id status agentId agentNickname transcriptPosition } }
      ... on Error { code message }
    }
  }
`);

export const AgentSend = graphql(`
  mutation AgentSendChat($chatId: ID!, $text: String!) {
    agentSendChatMessage(chatId: $chatId, text: $text) {
      ... on MutationAgentSendChatMessageSuccess { data { position eventType nickname text partyId partyType } }
      ... on Error { code message }
    }
  }
`);

export const AgentTyping = graphql(`
  mutation AgentChatTyping($chatId: ID!, $typing: Boolean!) {
    agentSetChatTyping(chatId: $chatId, typing: $typing) {
      ... on MutationAgentSetChatTypingSuccess { data { position eventType } }
      ... on Error { code message }
    }
  }
`);

export const AgentLeave = graphql(`
  mutation AgentLeaveChat($chatId: ID!) {
    agentLeaveChat(chatId: $chatId, next: READY) {
      ... on MutationAgentLeaveChatSuccess { data { id status endedBy } }
      ... on Error { code message }
    }
  }
`);

export const AdminChats = graphql(`
  query AdminChats($sessionId: String) {
    chats(sessionId: $sessionId) {
      id status endedBy agentId
      transcript { position eventType nickname text partyId partyType }
    }
  }
`);

export const CreateSession = graphql(`
  mutation ChatCreateSession($service: String!) {
    createServiceSession(service: $service) {
      ... on MutationCreateServiceSessionSuccess { data { session { id } response } }
      ... on Error { code message }
    }
  }
`);

export const StartChat = graphql(`
  mutation StartChat($sessionId: ID!, $firstName: String, $lastName: String) {
    startChat(sessionId: $sessionId, firstName: $firstName, lastName: $lastName) {
      ... on MutationStartChatSuccess { data { id status nickname transcriptPosition } }
      ... on Error { code message }
    }
  }
`);

export const SendChat = graphql(`
  mutation SendChat($chatId: ID!, $text: String!) {
    sendChatMessage(chatId: $chatId, text: $text) {
      ... on MutationSendChatMessageSuccess { data { position eventType text partyType } }
      ... on Error { code message }
    }
  }
`);

export const CustomerTyping = graphql(`
  mutation CustomerChatTyping($chatId: ID!, $typing: Boolean!) {
    setChatTyping(chatId: $chatId, typing: $typing) {
      ... on MutationSetChatTypingSuccess { data { position eventType } }
      ... on Error { code message }
    }
  }
`);

export const LeaveChat = graphql(`
  mutation LeaveChat($chatId: ID!) {
    leaveChat(chatId: $chatId) {
      ... on MutationLeaveChatSuccess { data { status endedBy } }
      ... on Error { code message }
    }
  }
`);

export const ChatQuery = graphql(`
  query ChatById($id: ID!) {
    chat(id: $id) { id status transcript { position eventType } }
  }
`);

export const Transcript = graphql(`
  subscription ChatTranscript($chatId: ID!, $fromPosition: Int) {
    chatTranscript(chatId: $chatId, fromPosition: $fromPosition) {
      position eventType nickname text partyId partyType
    }
  }
`);

/** A GraphQL subscription over SSE, read event by event; `next()` is null once it ended. */
export async function sse<R, V extends Record<string, unknown>>(
  t: TestApp,
  doc: TypedDocumentNode<R, V>,
  variables: V,
  headers: Record<string, string>,
) {
  const sub = await sseSubscription(t, doc, variables, headers);
  return { next: sub.nextOrEnd, close: sub.close };
}

/** Narrows a GraphQL result union to its success data (fails the test on an error member). */
export function ok<T>(result: { data?: T } | { code: string; message: string } | { __typename?: string }): T {
  if (!('data' in result) || result.data === undefined)
    throw new Error(`expected success: ${JSON.stringify(result)}`);
  return result.data;
}

/** The seed's "Create Chat Interaction" request payload (ixn/chat on a callback session). */
export const seedChatInteraction = {
  notify_by: 'comet',
  firstName: 'John',
  lastName: 'Harry',
  _verbose: 'false',
  subject: 'testing',
  email: 'j.h@gmail.com',
} as const;

export const GMS_USER = 'b16416334828b1d26ef14f329628b55b5a8c631d8928a371a5584722dd7fb673';

/** An agent in group Chat with a desktop password; returns its bearer header. */
export async function chatAgent(t: TestApp, id: string, name: string): Promise<Record<string, string>> {
  const routing = t.app.managers.routing;
  if (!(await routing.agents.getGroup('Chat'))) await routing.agents.upsertGroup({ name: 'Chat' });
  await routing.agents.upsert({ id, name, password: 'chat-password', groups: ['Chat'] });
  const login = ok((await t.gql(ChatAgentLogin, { agentId: id, password: 'chat-password' })).agentLogin);
  return { authorization: `Bearer ${login.token}` };
}

export async function chatServices(t: TestApp): Promise<void> {
  await t.app.managers.services.create({
    name: 'chat-wait',
    template: 'request-chat',
    options: [
      { name: '_target', value: 'Chat@StatServer.GA' },
      { name: '_wait_for_agent', value: 'true' },
      { name: '_urs_virtual_queue', value: 'VQ_Chat' },
    ],
  });
  await t.app.managers.services.create({
    name: 'chat-now',
    template: 'request-chat',
    options: [{ name: '_target', value: 'Chat@StatServer.GA' }],
  });
}
