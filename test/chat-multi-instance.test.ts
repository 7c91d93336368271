import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AgentChats,
  AgentJoin,
  AgentLeave,
  AgentSend,
  AgentTyping,
  ChatAgentReady,
  chatAgent,
  chatServices,
  GMS_USER,
  ok,
  sse,
  Transcript,
} from './chat-helpers.js';
import { backend, createTestApp, createTestDatabase, type TestApp, type TestDatabase } from './harness.js';

/**
 * The customer on instance A (legacy REST, a GraphQL transcript subscription and the durable
 * session event stream), the agent on instance B (GraphQL). Everything crosses instances through
 * Postgres, with Redis pokes.
 */
describe.skipIf(backend !== 'postgres')('chat with the customer and the agent on different instances', () => {
  let database: TestDatabase;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase();
    const namespace = `ch${randomUUID().slice(0, 8)}`;
    a = await createTestApp({ database, namespace });
    b = await createTestApp({ database, namespace, clock: a.clock });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await database?.drop();
  });

  const post = (path: string, fields: Record<string, string> = {}) =>
    a.fetch(path, {
      method: 'POST',
      body: new URLSearchParams(fields).toString(),
      headers: { gms_user: GMS_USER, 'content-type': 'application/x-www-form-urlencoded' },
    });

  it('delivers each side’s events to the other', async () => {
    await chatServices(a);
    const agent = await chatAgent(b, 'carol', 'Carol');
    ok((await b.gql(ChatAgentReady, {}, agent)).agentSetState);

    // Customer on A: request-chat (an agent is ready on B), then the chat over comet.
    const created = await post('/genesys/1/service/chat-wait', { topic: 'billing' });
    expect(created.status).toBe(200);
    const { _id: id } = (await created.json()) as { _id: string };
    const pushes = a.app.managers.events.streamSession(id, 0);
    await pushes.ready;
    const ixn = await post(`/genesys/1/service/${id}/ixn/chat`, {
      notify_by: 'comet',
      firstName: 'Dana',
      lastName: 'Ray',
    });
    expect(await ixn.json()).toEqual({ _id: id, comet_channel: '/_genesys' });
    const chatId = (await a.app.managers.chat.requireForSession(id)).id;
    const customerStream = await sse(a, Transcript, { chatId }, { gms_user: GMS_USER });

    // Agent on B: sees the offer with the customer's data, joins, types and answers.
    const [offer] = (await b.gql(AgentChats, {}, agent)).agentChats;
    expect(offer).toMatchObject({ id: chatId, nickname: 'Dana Ray', userData: { topic: 'billing' } });
    const agentStream = await sse(b, Transcript, { chatId }, agent);
    ok((await b.gql(AgentJoin, { chatId }, agent)).agentJoinChat);
    ok((await b.gql(AgentTyping, { chatId, typing: true }, agent)).agentSetChatTyping);
    ok((await b.gql(AgentSend, { chatId, text: 'Hello Dana' }, agent)).agentSendChatMessage);

    // A's GraphQL subscriber and A's durable push stream get B's events.
    expect((await customerStream.next())?.chatTranscript).toMatchObject({
      position: 1,
      eventType: 'Notice.Joined',
      nickname: 'Carol',
    });
    expect((await customerStream.next())?.chatTranscript).toMatchObject({
      position: 2,
      eventType: 'Notice.TypingStarted',
    });
    expect((await customerStream.next())?.chatTranscript).toMatchObject({ position: 3, text: 'Hello Dana' });
    // (The store holds each change as a chat.transcript value; `wire` is what a push channel sends.)
    const pushed = async () => {
      const { value } = await pushes.next();
      if (!value) throw new Error('push stream ended');
      return { ...value, message: a.app.managers.events.wire(value) };
    };
    expect(await pushed()).toMatchObject({
      tag: `service.chat.refresh.${id}`,
      gmsUser: GMS_USER,
      kind: 'chat.transcript',
      message: {
        transcriptPosition: '2',
        transcriptToShow: [['Notice.Joined', 'Carol', 'has joined the session', '2', 'AGENT']],
        chatSessionId: chatId,
        chatIxnState: 'TRANSCRIPT',
      },
    });
    expect((await pushed()).message).toMatchObject({ transcriptPosition: '3' });
    expect((await pushed()).message).toMatchObject({
      transcriptPosition: '4',
      transcriptToShow: [['Message.Text', 'Carol', 'Hello Dana', '2', 'AGENT']],
    });

    // The customer answers on A (legacy REST); B's agent subscriber gets it.
    const sent = (await (
      await post(`/genesys/1/service/${id}/ixn/chat/send`, { message: 'Hi Carol' })
    ).json()) as Record<string, unknown>;
    expect(sent).toMatchObject({
      chatIxnState: 'TRANSCRIPT',
      transcriptPosition: '5',
      transcriptToShow: [
        ['Notice.Joined', 'Carol', 'has joined the session', '2', 'AGENT'],
        ['Notice.TypingStarted', 'Carol', '', '2', 'AGENT'],
        ['Message.Text', 'Carol', 'Hello Dana', '2', 'AGENT'],
        ['Message.Text', 'Dana Ray', 'Hi Carol', '1', 'CLIENT'],
      ],
    });
    for (const position of [1, 2, 3])
      expect((await agentStream.next())?.chatTranscript.position).toBe(position);
    expect((await agentStream.next())?.chatTranscript).toMatchObject({
      position: 4,
      text: 'Hi Carol',
      partyType: 'CLIENT',
    });

    // The agent leaves on B; A's customer sees it and the chat is over on both.
    ok((await b.gql(AgentLeave, { chatId }, agent)).agentLeaveChat);
    expect((await customerStream.next())?.chatTranscript).toMatchObject({ position: 4, partyType: 'CLIENT' });
    expect((await customerStream.next())?.chatTranscript).toMatchObject({
      position: 5,
      eventType: 'Notice.Left',
      partyType: 'AGENT',
    });
    expect(await customerStream.next()).toBeNull();
    expect(await agentStream.next()).toMatchObject({ chatTranscript: { position: 5 } });
    expect(await agentStream.next()).toBeNull();
    const end = (await (await post(`/genesys/1/service/${id}/ixn/chat/refresh`)).json()) as Record<
      string,
      unknown
    >;
    expect(end).toMatchObject({
      chatIxnState: 'DISCONNECTED',
      transcriptToShow: [['Notice.Left', 'Carol', 'has left the session', '2', 'AGENT']],
    });
    expect((await a.app.managers.routing.agents.get('carol'))?.state).toBe('READY');
    await pushes.return();
  });
});
