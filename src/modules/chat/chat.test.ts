import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdminChats,
  AgentChats,
  AgentJoin,
  AgentLeave,
  AgentSend,
  AgentTyping,
  ChatAgentReady,
  ChatQuery,
  CreateSession,
  CustomerTyping,
  chatAgent,
  chatServices,
  GMS_USER,
  LeaveChat,
  ok,
  SendChat,
  StartChat,
  seedChatInteraction,
  sse,
  Transcript,
} from '../../../test/chat-helpers.js';
import { createTestApp, multipart, type TestApp } from '../../../test/harness.js';
import { ConflictError } from '../../errors.js';

const post = (t: TestApp, path: string, body: BodyInit | null = null, headers: Record<string, string> = {}) =>
  t.fetch(path, { method: 'POST', body, headers: { gms_user: GMS_USER, ...headers } });

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const urlencoded = { 'content-type': 'application/x-www-form-urlencoded' };

describe('chat over the legacy Chat API v1 and the agent desktop', () => {
  let t: TestApp;
  let alice: Record<string, string>;

  beforeAll(async () => {
    t = await createTestApp();
    await chatServices(t);
    alice = await chatAgent(t, 'alice', 'Alice');
  });
  afterAll(() => t.close());

  it('runs a whole chat: request-chat waits for an agent, the customer and the agent talk, both leave', async () => {
    // _wait_for_agent: 503 (GMS error body) until an agent of the target is ready; nothing is left behind.
    const early = await post(t, '/genesys/1/service/chat-wait', form({ first: 'John' }), urlencoded);
    expect(early.status).toBe(503);
    expect(await early.json()).toMatchObject({
      code: 503,
      exception: expect.any(String),
      message: expect.stringMatching(/No agent is available/),
    });
    expect(await t.app.managers.sessions.list({ serviceName: 'chat-wait' })).toEqual([]);

    ok((await t.gql(ChatAgentReady, {}, alice)).agentSetState);
    const created = await post(
      t,
      '/genesys/1/service/chat-wait',
      form({ _verbose: 'true', first: 'John' }),
      urlencoded,
    );
    expect(created.status).toBe(200);
    const body = (await created.json()) as { _id: string; '_chatIxnAPI-CREATE-URL': string };
    expect(Object.keys(body)).toEqual(['_chatIxnAPI-CREATE-URL', '_id']);
    const id = body._id;
    expect(body['_chatIxnAPI-CREATE-URL']).toBe(`/genesys/1/service/${id}/ixn/chat`);

    // The seed's "Create Chat Interaction" (multipart, notify_by=comet): answered exactly so.
    const ixn = await post(t, body['_chatIxnAPI-CREATE-URL'], multipart({ ...seedChatInteraction }));
    expect(ixn.status).toBe(200);
    expect(await ixn.json()).toEqual({ _id: id, comet_channel: '/_genesys' });
    // Creating again while it is open returns the same chat.
    expect(
      await (
        await post(t, `/genesys/1/service/${id}/ixn/chat`, form({ notify_by: 'comet' }), urlencoded)
      ).json(),
    ).toEqual({
      _id: id,
      comet_channel: '/_genesys',
    });

    // The customer writes before any agent joined: stored and shown.
    const sent = await post(
      t,
      `/genesys/1/service/${id}/ixn/chat/send`,
      form({ message: 'Hello?' }),
      urlencoded,
    );
    const sentBody = (await sent.json()) as Record<string, unknown>;
    expect(sentBody).toMatchObject({
      chatIxnState: 'TRANSCRIPT',
      transcriptPosition: '2',
      chatServiceMessage: 'Chat service is available',
      transcriptToShow: [['Message.Text', 'John Harry', 'Hello?', '1', 'CLIENT']],
      startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    });
    expect(Object.keys(sentBody)).toEqual([
      'chatIxnState',
      'chatSessionId',
      'transcriptPosition',
      'chatServiceMessage',
      'transcriptToShow',
      'startedAt',
    ]);
    const chatId = sentBody.chatSessionId as string;

    // The agent was reserved for it; it sees the customer's data and joins.
    const offered = (await t.gql(AgentChats, {}, alice)).agentChats;
    expect(offered).toEqual([
      expect.objectContaining({
        id: chatId,
        sessionId: id,
        status: 'QUEUED',
        nickname: 'John Harry',
        email: 'j.h@gmail.com',
        subject: 'testing',
        userData: { first: 'John' },
        agentId: null,
      }),
    ]);
    const joined = ok((await t.gql(AgentJoin, { chatId }, alice)).agentJoinChat);
    expect(joined).toMatchObject({
      status: 'CONNECTED',
      agentId: 'alice',
      agentNickname: 'Alice',
      transcriptPosition: 3,
    });
    expect((await t.app.managers.routing.agents.get('alice'))?.state).toBe('BUSY');
    ok((await t.gql(AgentTyping, { chatId, typing: true }, alice)).agentSetChatTyping);
    const reply = ok(
      (await t.gql(AgentSend, { chatId, text: 'Hi John, how can I help?' }, alice)).agentSendChatMessage,
    );
    expect(reply).toEqual({
      position: 4,
      eventType: 'Message.Text',
      nickname: 'Alice',
      text: 'Hi John, how can I help?',
      partyId: '2',
      partyType: 'AGENT',
    });

    // refresh without a position continues after what the customer was last shown.
    const refreshed = (await (
      await post(t, `/genesys/1/service/${id}/ixn/chat/refresh`, '', urlencoded)
    ).json()) as Record<string, unknown>;
    expect(refreshed).toMatchObject({
      chatIxnState: 'TRANSCRIPT',
      transcriptPosition: '5',
      transcriptToShow: [
        ['Notice.Joined', 'Alice', 'has joined the session', '2', 'AGENT'],
        ['Notice.TypingStarted', 'Alice', '', '2', 'AGENT'],
        ['Message.Text', 'Alice', 'Hi John, how can I help?', '2', 'AGENT'],
      ],
    });
    // With a position (query string, as the Dart client sends it), from there; verbose adds the URLs.
    const fromStart = (await (
      await post(
        t,
        `/genesys/1/service/${id}/ixn/chat/refresh?transcriptPosition=1`,
        form({ _verbose: 'true' }),
        urlencoded,
      )
    ).json()) as Record<string, unknown>;
    expect((fromStart.transcriptToShow as unknown[]).length).toBe(4);
    expect(fromStart).toMatchObject({
      userId: '1',
      _chatIxnAPI_SEND_URL: `/genesys/1/service/${id}/ixn/chat/send`,
      _chatIxnAPI_REFRESH_URL: `/genesys/1/service/${id}/ixn/chat/refresh?transcriptPosition=5`,
      _chatIxnAPI_REFRESH_FROM_START_URL: `/genesys/1/service/${id}/ixn/chat/refresh?transcriptPosition=1`,
      _chatIxnAPI_START_TYPING_URL: `/genesys/1/service/${id}/ixn/chat/startTyping`,
      _chatIxnAPI_STOP_TYPING_URL: `/genesys/1/service/${id}/ixn/chat/stopTyping`,
      _chatIxnAPI_DISCONNECT_URL: `/genesys/1/service/${id}/ixn/chat/disconnect`,
    });
    const typing = (await (
      await post(t, `/genesys/1/service/${id}/ixn/chat/startTyping`, '', urlencoded)
    ).json()) as Record<string, unknown>;
    expect(typing.transcriptToShow).toEqual([['Notice.TypingStarted', 'John Harry', '', '1', 'CLIENT']]);
    await post(t, `/genesys/1/service/${id}/ixn/chat/stopTyping`, '', urlencoded);
    const bad = await post(
      t,
      `/genesys/1/service/${id}/ixn/chat/refresh?transcriptPosition=abc`,
      '',
      urlencoded,
    );
    expect(bad.status).toBe(400);
    expect((await post(t, `/genesys/1/service/${id}/ixn/chat/nonsense`, '', urlencoded)).status).toBe(404);

    // Every transcript change went to the durable event store, tagged for the push helper.
    const pushed = await t.app.managers.events.readSession(id, 0);
    expect(pushed.map((e) => e.tag)).toEqual(Array(6).fill(`service.chat.refresh.${id}`));
    // The store keeps the change as a domain value (kind chat.transcript); it becomes the Chat API
    // v1 push only where it leaves the process (EventStore.wire), in the captured key order.
    const joinedEvent = pushed[1];
    if (!joinedEvent) throw new Error('no joined event');
    expect(pushed.map((e) => e.kind)).toEqual(Array(6).fill('chat.transcript'));
    expect(joinedEvent.message).toEqual({
      chatId,
      startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      status: 'CONNECTED',
      lastPosition: 2,
      entries: [
        {
          position: 2,
          eventType: 'Notice.Joined',
          nickname: 'Alice',
          text: 'has joined the session',
          partyId: '2',
          partyType: 'AGENT',
          at: expect.any(String),
        },
      ],
    });
    expect(JSON.stringify(t.app.managers.events.wire(joinedEvent))).toBe(
      JSON.stringify({
        transcriptPosition: '3',
        startedAt: sentBody.startedAt,
        chatServiceMessage: 'Chat service is available',
        transcriptToShow: [['Notice.Joined', 'Alice', 'has joined the session', '2', 'AGENT']],
        chatSessionId: chatId,
        chatIxnState: 'TRANSCRIPT',
      }),
    );

    // The customer disconnects; the agent leaves and its interaction completes in routing.
    const bye = (await (
      await post(t, `/genesys/1/service/${id}/ixn/chat/disconnect`, '', urlencoded)
    ).json()) as Record<string, unknown>;
    expect(bye).toMatchObject({
      chatIxnState: 'DISCONNECTED',
      transcriptPosition: '8',
      transcriptToShow: [['Notice.Left', 'John Harry', 'has left the session', '1', 'CLIENT']],
    });
    expect(
      (await post(t, `/genesys/1/service/${id}/ixn/chat/send`, form({ message: 'late' }), urlencoded)).status,
    ).toBe(409);
    const again = (await (
      await post(t, `/genesys/1/service/${id}/ixn/chat/refresh`, '', urlencoded)
    ).json()) as Record<string, unknown>;
    expect(again).toMatchObject({
      chatIxnState: 'DISCONNECTED',
      transcriptToShow: [],
      transcriptPosition: '8',
    });
    expect(ok((await t.gql(AgentLeave, { chatId }, alice)).agentLeaveChat)).toMatchObject({
      status: 'ENDED',
      endedBy: 'customer',
    });
    expect((await t.app.managers.routing.agents.get('alice'))?.state).toBe('READY');
    expect((await t.app.managers.routing.router.get(id))?.state).toBe('COMPLETED');

    // Admins read stored transcripts; others may not.
    const admin = await t.admin(AdminChats, { sessionId: id });
    expect(admin.chats).toHaveLength(1);
    expect(admin.chats[0]?.transcript.map((e) => e.eventType)).toEqual([
      'Message.Text',
      'Notice.Joined',
      'Notice.TypingStarted',
      'Message.Text',
      'Notice.TypingStarted',
      'Notice.TypingStopped',
      'Notice.Left',
    ]);
    await expect(t.gql(AdminChats, { sessionId: id }, { gms_user: GMS_USER })).rejects.toThrow(
      /Not authorized/,
    );
  });

  it('answers the Chat API v1 object on create when not notified by comet; a session stop ends the chat and withdraws it', async () => {
    const created = (await (await post(t, '/genesys/1/service/chat-now', '', urlencoded)).json()) as {
      _id: string;
    };
    const alone = await chatAgent(t, 'bob', 'Bob');
    void alone; // Bob stays NOT_READY: the chat waits in the queue.
    await t.app.managers.routing.setAgentState('alice', 'NOT_READY');
    const res = await post(
      t,
      `/genesys/1/service/${created._id}/ixn/chat`,
      form({ userDisplayName: 'Jo', _verbose: 'true' }),
      urlencoded,
    );
    const bodyJson = (await res.json()) as Record<string, unknown>;
    expect(bodyJson).toMatchObject({
      chatIxnState: 'CONNECTED',
      transcriptPosition: '1',
      transcriptToShow: [],
      chatServiceMessage: 'Chat service is available',
      _chatIxnAPI_DISCONNECT_URL: `/genesys/1/service/${created._id}/ixn/chat/disconnect`,
    });
    expect((await t.app.managers.routing.router.get(created._id))?.state).toBe('WAITING');
    const del = await t.fetch(`/genesys/1/service/${created._id}`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    const chat = await t.app.managers.chat.forSession(created._id);
    expect(chat).toMatchObject({ status: 'ENDED', endedBy: 'session' });
    // The withdrawal runs right after the stop commits.
    for (
      let i = 0;
      i < 50 && (await t.app.managers.routing.router.get(created._id))?.state === 'WAITING';
      i++
    )
      await new Promise((r) => setImmediate(r));
    expect((await t.app.managers.routing.router.get(created._id))?.state).toBe('CANCELLED');
  });

  it('serves ixn/chat on sessions of any type and adopts the request another module queued and reserved', async () => {
    await t.app.managers.services.create({
      name: 'chat-probe',
      options: [
        { name: '_type', value: 'builtin' },
        { name: '_service', value: 'chat-probe' },
        { name: '_ttl', value: '600' },
      ],
    });
    const session = (await (
      await post(t, '/genesys/1/service/chat-probe', form({ first: 'Ann' }), urlencoded)
    ).json()) as { _id: string };
    const id = session._id;
    // As the callback module does for Chat Delayed: it queued the session and an agent was reserved.
    const routing = t.app.managers.routing;
    await routing.setAgentState('alice', 'READY');
    await routing.router.enqueue({
      requestId: id,
      virtualQueue: 'VQ_Callback',
      target: 'alice@StatServer.A',
    });
    const reservation = await routing.currentReservation('alice');
    expect(reservation?.requestId).toBe(id);
    const ixn = await post(
      t,
      `/genesys/1/service/${id}/ixn/chat`,
      multipart({
        notify_by: 'comet',
        firstName: 'Ann',
        lastName: 'Lee',
        _verbose: 'false',
        subject: 'callback chat',
      }),
    );
    expect(await ixn.json()).toEqual({ _id: id, comet_channel: '/_genesys' });
    const [offered] = (await t.gql(AgentChats, {}, alice)).agentChats;
    expect(offered).toMatchObject({ sessionId: id, status: 'QUEUED', userData: { first: 'Ann' } });
    const chatId = offered?.id as string;
    ok((await t.gql(AgentJoin, { chatId }, alice)).agentJoinChat);
    // Not queued again: still the one request, reserved once, now accepted by the agent.
    const request = await routing.router.get(id);
    expect(request).toMatchObject({ virtualQueue: 'VQ_Callback', state: 'ACCEPTED', reservationCount: 1 });
    ok((await t.gql(AgentLeave, { chatId }, alice)).agentLeaveChat);
    const end = (await (
      await post(t, `/genesys/1/service/${id}/ixn/chat/refresh?transcriptPosition=1`, '', urlencoded)
    ).json()) as Record<string, unknown>;
    expect(end).toMatchObject({
      chatIxnState: 'DISCONNECTED',
      transcriptToShow: [
        ['Notice.Joined', 'Alice', 'has joined the session', '2', 'AGENT'],
        ['Notice.Left', 'Alice', 'has left the session', '2', 'AGENT'],
      ],
    });
  });

  it('tells onChatStarted hooks before routing and adopts the routing request they queued for the session', async () => {
    const routing = t.app.managers.routing;
    await routing.setAgentState('alice', 'READY');
    const seen: string[] = [];
    let refuse = false;
    // As the callback module does (customerArrived): it queues the session itself, in its own queue.
    t.app.managers.chat.onChatStarted(async (chat) => {
      if (chat.serviceType !== 'chat-probe') return;
      seen.push(chat.sessionId);
      if (refuse) throw new ConflictError('test/not_waiting', 'Callback does not expect the customer now');
      await routing.router.enqueue({
        requestId: chat.sessionId,
        virtualQueue: 'VQ_Probe',
        target: 'alice@StatServer.A',
      });
    });
    const { _id: id } = (await (await post(t, '/genesys/1/service/chat-probe', '', urlencoded)).json()) as {
      _id: string;
    };
    const ixn = await post(
      t,
      `/genesys/1/service/${id}/ixn/chat`,
      form({ notify_by: 'comet', firstName: 'Ivy' }),
      urlencoded,
    );
    expect(await ixn.json()).toEqual({ _id: id, comet_channel: '/_genesys' });
    expect(seen).toEqual([id]);
    const chat = await t.app.managers.chat.requireForSession(id);
    expect(chat).toMatchObject({ routingRequestId: id, virtualQueue: 'VQ_Probe', reservationId: null });
    ok((await t.gql(AgentJoin, { chatId: chat.id }, alice)).agentJoinChat);
    expect(await routing.router.get(id)).toMatchObject({
      virtualQueue: 'VQ_Probe',
      state: 'ACCEPTED',
      reservationCount: 1,
    });
    ok((await t.gql(AgentLeave, { chatId: chat.id }, alice)).agentLeaveChat);

    // A hook that refuses: the start fails with its error and the chat it created is ended.
    refuse = true;
    const { _id: other } = (await (
      await post(t, '/genesys/1/service/chat-probe', '', urlencoded)
    ).json()) as { _id: string };
    const refused = await post(
      t,
      `/genesys/1/service/${other}/ixn/chat`,
      form({ notify_by: 'comet' }),
      urlencoded,
    );
    expect(refused.status).toBe(409);
    expect(await t.app.managers.chat.forSession(other)).toMatchObject({
      status: 'ENDED',
      endedBy: 'routing',
    });
    expect(await routing.router.get(other)).toBeNull();
  });

  it('runs the mobile side over GraphQL with a transcript subscription that resumes from a position', async () => {
    const device = { gms_user: 'device-graphql' };
    await t.app.managers.routing.setAgentState('alice', 'READY');
    const created = ok((await t.gql(CreateSession, { service: 'chat-now' }, device)).createServiceSession);
    const sessionId = created.session?.id as string;
    const chat = ok(
      (await t.gql(StartChat, { sessionId, firstName: 'Gina', lastName: 'Q' }, device)).startChat,
    );
    expect(chat).toMatchObject({ status: 'QUEUED', nickname: 'Gina Q', transcriptPosition: 1 });
    // Another device cannot see or use it.
    expect((await t.gql(ChatQuery, { id: chat.id }, { gms_user: 'someone-else' })).chat).toBeNull();
    expect(
      (await t.gql(SendChat, { chatId: chat.id, text: 'x' }, { gms_user: 'someone-else' })).sendChatMessage,
    ).toMatchObject({
      code: 'chat/not_found',
    });

    const stream = await sse(t, Transcript, { chatId: chat.id }, device);
    ok((await t.gql(SendChat, { chatId: chat.id, text: 'Anyone there?' }, device)).sendChatMessage);
    expect((await stream.next())?.chatTranscript).toMatchObject({
      position: 1,
      eventType: 'Message.Text',
      text: 'Anyone there?',
      partyType: 'CLIENT',
    });
    ok((await t.gql(AgentJoin, { chatId: chat.id }, alice)).agentJoinChat);
    expect((await stream.next())?.chatTranscript).toMatchObject({
      position: 2,
      eventType: 'Notice.Joined',
      nickname: 'Alice',
    });
    await stream.close();

    // Dropped; meanwhile the agent answers. Resuming from 3 delivers exactly what was missed.
    ok((await t.gql(AgentSend, { chatId: chat.id, text: 'Yes, Gina.' }, alice)).agentSendChatMessage);
    const resumed = await sse(t, Transcript, { chatId: chat.id, fromPosition: 3 }, device);
    expect((await resumed.next())?.chatTranscript).toMatchObject({
      position: 3,
      text: 'Yes, Gina.',
      partyType: 'AGENT',
      partyId: '2',
    });
    // The agent follows the same transcript.
    const agentView = await sse(t, Transcript, { chatId: chat.id, fromPosition: 3 }, alice);
    expect((await agentView.next())?.chatTranscript).toMatchObject({ position: 3 });
    ok((await t.gql(CustomerTyping, { chatId: chat.id, typing: true }, device)).setChatTyping);
    expect((await resumed.next())?.chatTranscript).toMatchObject({
      position: 4,
      eventType: 'Notice.TypingStarted',
    });
    expect((await agentView.next())?.chatTranscript).toMatchObject({
      position: 4,
      eventType: 'Notice.TypingStarted',
    });
    expect(ok((await t.gql(LeaveChat, { chatId: chat.id }, device)).leaveChat)).toMatchObject({
      status: 'ENDED',
      endedBy: 'customer',
    });
    expect((await resumed.next())?.chatTranscript).toMatchObject({
      position: 5,
      eventType: 'Notice.Left',
      partyType: 'CLIENT',
    });
    // The chat ended: the subscription completes.
    expect(await resumed.next()).toBeNull();
    await agentView.close();
    ok((await t.gql(AgentLeave, { chatId: chat.id }, alice)).agentLeaveChat);
    expect((await t.app.managers.routing.agents.get('alice'))?.state).toBe('READY');
  });

  it('stores every message before answering: concurrent sends get dense positions, each answered with its own', async () => {
    await t.app.managers.routing.setAgentState('alice', 'NOT_READY');
    const { _id: id } = (await (await post(t, '/genesys/1/service/chat-now', '', urlencoded)).json()) as {
      _id: string;
    };
    await post(
      t,
      `/genesys/1/service/${id}/ixn/chat`,
      form({ notify_by: 'comet', firstName: 'Max' }),
      urlencoded,
    );
    const texts = Array.from({ length: 12 }, (_, i) => `message ${i}`);
    const answers = await Promise.all(
      texts.map(async (message) => {
        const r = await post(
          t,
          `/genesys/1/service/${id}/ixn/chat/send?transcriptPosition=1`,
          form({ message }),
          urlencoded,
        );
        expect(r.status).toBe(200);
        return (await r.json()) as { transcriptToShow: string[][] };
      }),
    );
    answers.forEach((answer, i) => {
      expect(answer.transcriptToShow.map((e) => e[2])).toContain(texts[i]);
    });
    const chat = await t.app.managers.chat.requireForSession(id);
    const stored = await t.app.managers.chat.transcript(chat.id);
    expect(stored.map((e) => e.position)).toEqual(texts.map((_, i) => i + 1));
    expect(new Set(stored.map((e) => e.text))).toEqual(new Set(texts));
    expect((await t.app.managers.events.readSession(id, 0)).length).toBe(texts.length);

    // Bad input and strangers are refused; nothing is stored for them.
    expect(
      (await post(t, `/genesys/1/service/${id}/ixn/chat/send`, form({ message: '  ' }), urlencoded)).status,
    ).toBe(400);
    expect((await t.gql(AgentJoin, { chatId: chat.id }, alice)).agentJoinChat).toMatchObject({
      code: 'auth/forbidden',
    });
    expect(
      (await t.gql(AgentSend, { chatId: chat.id, text: 'sneaky' }, alice)).agentSendChatMessage,
    ).toMatchObject({
      code: 'auth/forbidden',
    });
    expect((await t.app.managers.chat.transcript(chat.id)).length).toBe(texts.length);

    // An ended chat is kept for admins for the retention period, then removed with its transcript.
    await post(t, `/genesys/1/service/${id}/ixn/chat/disconnect`, '', urlencoded);
    const retention = t.app.managers.retention;
    const chats = retention.list().find((p) => p.name === 'chats');
    if (!chats) throw new Error('no retention policy for chats');
    expect(await retention.enforce(chats)).toBe(0);
    t.clock.advance(chats.keepSeconds * 1000 + 86_400_000);
    expect(await retention.enforce(chats)).toBeGreaterThanOrEqual(1);
    expect(await t.app.managers.chat.forSession(id)).toBeNull();
    expect(await t.app.managers.chat.transcript(chat.id)).toEqual([]);
  });
});
