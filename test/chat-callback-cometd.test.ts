import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Message } from 'cometd';
import { adapt } from 'cometd-nodejs-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Comet, cometClient } from '../src/modules/push/push.test-support.js';
import {
  AgentChats,
  AgentJoin,
  AgentLeave,
  AgentSend,
  ChatAgentReady,
  chatAgent,
  ok,
  sse,
  Transcript,
} from './chat-helpers.js';
import {
  backend,
  createTestApp,
  createTestDatabase,
  multipart,
  type TestApp,
  type TestDatabase,
} from './harness.js';

/**
 * The seed's Chat Delayed and Chat Immediate callback scenarios end to end, as a legacy client
 * drives them: the device speaks REST over real HTTP and listens on CometD `/_genesys` (the `cometd`
 * npm client), the agent works in GraphQL. `customer` serves the device, `agent` the agent desktop:
 * one instance on PGlite, two instances on Postgres + Redis.
 */
interface Sides {
  customer: TestApp;
  /** Where `customer` listens. */
  url: string;
  agent: TestApp;
}

const Joined = (nickname: string) => ['Notice.Joined', nickname, 'has joined the session', '2', 'AGENT'];
const said = (nickname: string, text: string, party: 'CLIENT' | 'AGENT') => [
  'Message.Text',
  nickname,
  text,
  party === 'CLIENT' ? '1' : '2',
  party,
];

/** A legacy device: `gms_user` on every request, multipart bodies, real HTTP. */
function device(url: string, gmsUser: string) {
  const call = async (target: string, method: 'GET' | 'POST', fields: Record<string, string> = {}) => {
    const response = await fetch(target.startsWith('http') ? target : `${url}${target}`, {
      method,
      headers: { gms_user: gmsUser },
      body: method === 'POST' ? multipart(fields) : undefined,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  return {
    post: (target: string, fields?: Record<string, string>) => call(target, 'POST', fields),
    /** The callback's record (`GET /genesys/1/service/callback?_id=`). */
    record: async (id: string) => {
      const response = await fetch(`${url}/genesys/1/service/callback?_id=${id}`, {
        headers: { gms_user: gmsUser },
      });
      const [record] = (await response.json()) as Record<string, unknown>[];
      return record;
    },
  };
}

async function callbackService(t: TestApp, name: string, preset: string): Promise<void> {
  await t.app.managers.services.create({
    name,
    template: 'callback',
    preset,
    options: [
      { name: '_target', value: 'Chat@StatServer.GA' },
      { name: '_urs_virtual_queue', value: `VQ_${name}` },
    ],
  });
}

/** The next CometD delivery's data (`{ id, message, tag }`). */
async function pushed(comet: Comet): Promise<{ id: string; message: Record<string, unknown>; tag: string }> {
  const m: Message = await comet.next(10_000);
  expect(m.channel).toBe('/_genesys');
  return m.data as { id: string; message: Record<string, unknown>; tag: string };
}

async function chatDelayed({ customer, url, agent: desk }: Sides, tag: string): Promise<void> {
  const gmsUser = `device-${randomUUID()}`;
  const service = `chat-delayed-${tag}`;
  const agentId = `alice-${tag}`;
  await callbackService(customer, service, 'Chat-Delayed');
  const agent = await chatAgent(desk, agentId, 'Alice');
  const d = device(url, gmsUser);
  const comet = await cometClient(url, { transport: 'long-polling', headers: { gms_user: gmsUser } });
  try {
    expect((await comet.subscribe()).successful).toBe(true);

    // Start the callback: nobody is ready, so it waits in the queue.
    const start = await d.post(`/genesys/1/service/callback/${service}`, {
      _customer_number: '4082652649',
      usr_customer_name: 'Bob Markel',
      usr_reason: 'billing question',
      _device_notification_id: gmsUser,
      _device_os: 'comet',
    });
    expect(start.status).toBe(200);
    const id = start.body._id as string;
    expect(start.body).toEqual({ _id: id, _text: 'We will notify you when agent is available' });

    // The agent goes ready (GraphQL): routing reserves her, the device is told over CometD.
    ok((await desk.gql(ChatAgentReady, {}, agent)).agentSetState);
    const available = await pushed(comet);
    expect(available).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      message: { _action: 'get-dialog-user-confirmation-provide_code-false', _id: id },
      tag: `service.agentavailable.${id}`,
    });

    // The client follows `_action` to the confirmation dialog, then its connect URL.
    const menu = await d.post(`/genesys/1/service/${id}/${available.message._action as string}`);
    expect(menu.body).toMatchObject({ _dialog_id: '2', _label: 'Agent is available', _id: id });
    const [group] = menu.body._content as { _group_content: { _user_action_url: string }[] }[];
    const connectUrl = group?._group_content[0]?._user_action_url ?? '';
    expect(connectUrl).toBe(`${url}/genesys/1/service/${id}/connect`);
    const dialog = await d.post(connectUrl);
    expect(dialog).toEqual({
      status: 200,
      body: {
        _dialog_id: '1',
        _action: 'StartChat',
        _label: 'Start Chat',
        _start_chat_url: `${url}/genesys/1/service/${id}/ixn/chat`,
        _comet_url: `${url}/genesys/cometd`,
        _user_header: gmsUser,
        _id_to_jump_before: 'exit://',
        _chat_parameters: { subject: 'None' },
        _id: id,
      },
    });

    // Create Chat Interaction: the callback hands its customer to the reserved agent.
    const ixn = await d.post(dialog.body._start_chat_url as string, {
      notify_by: 'comet',
      firstName: 'John',
      lastName: 'Harry',
      subject: 'billing',
      email: 'j.h@example.com',
    });
    expect(ixn).toEqual({ status: 200, body: { _id: id, comet_channel: '/_genesys' } });
    expect(await d.record(id)).toMatchObject({
      _callback_state: 'COMPLETED',
      _callback_reason: 'AGENT_CONNECTED',
      _agent_id: agentId,
    });

    // The reserved agent sees the customer's data, joins and writes.
    const chats = (await desk.gql(AgentChats, {}, agent)).agentChats;
    expect(chats).toHaveLength(1);
    const chatId = chats[0]?.id as string;
    expect(chats[0]).toMatchObject({
      sessionId: id,
      status: 'QUEUED',
      nickname: 'John Harry',
      email: 'j.h@example.com',
      subject: 'billing',
      userData: { usr_customer_name: 'Bob Markel', usr_reason: 'billing question' },
    });
    const agentView = await sse(desk, Transcript, { chatId }, agent);
    ok((await desk.gql(AgentJoin, { chatId }, agent)).agentJoinChat);
    ok((await desk.gql(AgentSend, { chatId, text: 'Hello John' }, agent)).agentSendChatMessage);

    // The device is poked over CometD for each, then reads the transcript.
    const refreshTag = `service.chat.refresh.${id}`;
    expect(await pushed(comet)).toMatchObject({
      tag: refreshTag,
      message: {
        chatSessionId: chatId,
        chatIxnState: 'TRANSCRIPT',
        transcriptPosition: '2',
        transcriptToShow: [Joined('Alice')],
      },
    });
    expect(await pushed(comet)).toMatchObject({
      tag: refreshTag,
      message: { transcriptPosition: '3', transcriptToShow: [said('Alice', 'Hello John', 'AGENT')] },
    });
    const refresh = await d.post(`/genesys/1/service/${id}/ixn/chat/refresh`, { transcriptPosition: '1' });
    expect(refresh).toMatchObject({
      status: 200,
      body: {
        chatIxnState: 'TRANSCRIPT',
        chatSessionId: chatId,
        transcriptPosition: '3',
        transcriptToShow: [Joined('Alice'), said('Alice', 'Hello John', 'AGENT')],
      },
    });

    // The customer answers; the agent sees it.
    const sent = await d.post(`/genesys/1/service/${id}/ixn/chat/send`, { message: 'Hi Alice' });
    expect(sent.body).toMatchObject({
      chatIxnState: 'TRANSCRIPT',
      transcriptPosition: '4',
      transcriptToShow: [said('John Harry', 'Hi Alice', 'CLIENT')],
    });
    expect((await agentView.next())?.chatTranscript).toMatchObject({
      position: 1,
      eventType: 'Notice.Joined',
    });
    expect((await agentView.next())?.chatTranscript).toMatchObject({ position: 2, text: 'Hello John' });
    expect((await agentView.next())?.chatTranscript).toMatchObject({
      position: 3,
      eventType: 'Message.Text',
      text: 'Hi Alice',
      partyType: 'CLIENT',
    });
    expect(await pushed(comet)).toMatchObject({ tag: refreshTag, message: { transcriptPosition: '4' } });

    // The customer disconnects: the agent's transcript ends, the agent leaves.
    const gone = await d.post(`/genesys/1/service/${id}/ixn/chat/disconnect`);
    expect(gone.body).toMatchObject({ chatIxnState: 'DISCONNECTED', chatSessionId: chatId });
    expect((await agentView.next())?.chatTranscript).toMatchObject({
      position: 4,
      eventType: 'Notice.Left',
      partyType: 'CLIENT',
    });
    expect(await agentView.next()).toBeNull();
    expect(await pushed(comet)).toMatchObject({
      tag: refreshTag,
      message: { chatIxnState: 'DISCONNECTED', transcriptPosition: '5' },
    });
    ok((await desk.gql(AgentLeave, { chatId }, agent)).agentLeaveChat);
    expect(await d.record(id)).toMatchObject({ _callback_state: 'COMPLETED', _agent_id: agentId });
    expect(comet.received).toHaveLength(0);
  } finally {
    await comet.close();
    // Out of the way of the next scenario's agent.
    await desk.app.managers.routing.setAgentState(agentId, 'NOT_READY');
  }
}

async function chatImmediate({ customer, url, agent: desk }: Sides, tag: string): Promise<void> {
  const gmsUser = `device-${randomUUID()}`;
  const service = `chat-now-${tag}`;
  const agentId = `bob-${tag}`;
  await callbackService(customer, service, 'Chat-Immediate');
  const agent = await chatAgent(desk, agentId, 'Bob');
  ok((await desk.gql(ChatAgentReady, {}, agent)).agentSetState);
  const d = device(url, gmsUser);

  // The start answers the StartChat dialog at once.
  const dialog = await d.post(`/genesys/1/service/callback/${service}`, {
    _customer_number: '6502388511',
    usr_customer_name: 'Bob Markel',
    _device_os: 'comet',
  });
  const id = dialog.body._id as string;
  expect(dialog.body).toMatchObject({
    _action: 'StartChat',
    _start_chat_url: `${url}/genesys/1/service/${id}/ixn/chat`,
    _comet_url: `${url}/genesys/cometd`,
    _user_header: gmsUser,
  });
  const comet = await cometClient(url, { transport: 'websocket', ext: { gms_user: gmsUser } });
  try {
    expect((await comet.subscribe()).successful).toBe(true);
    const ixn = await d.post(dialog.body._start_chat_url as string, {
      notify_by: 'comet',
      firstName: 'Jane',
      lastName: 'Doe',
    });
    expect(ixn.body).toEqual({ _id: id, comet_channel: '/_genesys' });
    // Queued on arrival; the reservation (maybe by a later matching pass) connects it.
    await vi.waitFor(
      async () =>
        expect(await d.record(id)).toMatchObject({ _callback_state: 'COMPLETED', _agent_id: agentId }),
      { timeout: 10_000, interval: 50 },
    );
    const [offer] = (await desk.gql(AgentChats, {}, agent)).agentChats;
    expect(offer).toMatchObject({ sessionId: id, nickname: 'Jane Doe' });
    const chatId = offer?.id as string;
    ok((await desk.gql(AgentJoin, { chatId }, agent)).agentJoinChat);
    ok((await desk.gql(AgentSend, { chatId, text: 'Hello Jane' }, agent)).agentSendChatMessage);
    expect(await pushed(comet)).toMatchObject({ message: { transcriptToShow: [Joined('Bob')] } });
    expect(await pushed(comet)).toMatchObject({
      tag: `service.chat.refresh.${id}`,
      message: { transcriptToShow: [said('Bob', 'Hello Jane', 'AGENT')] },
    });
    const gone = await d.post(`/genesys/1/service/${id}/ixn/chat/disconnect`);
    expect(gone.body).toMatchObject({ chatIxnState: 'DISCONNECTED' });
    ok((await desk.gql(AgentLeave, { chatId }, agent)).agentLeaveChat);
  } finally {
    await comet.close();
    await desk.app.managers.routing.setAgentState(agentId, 'NOT_READY');
  }
}

describe('on one instance', () => {
  let t: TestApp;
  let url: string;
  let http: Server;
  let httpUrl: string;
  let providerDown = false;
  beforeAll(async () => {
    // A device's httpcb endpoint.
    http = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(providerDown ? 500 : 200).end());
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    httpUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    t = await createTestApp({
      env: {
        PUSH_ALLOWED_TARGETS: '127.0.0.1',
        EVENT_POLL_MS: '200',
        COMETD_TIMEOUT_SECONDS: '2',
        PUSH_RETRY_BASE_MS: '60000',
      },
    });
    ({ url } = await t.app.start({ port: 0, host: '127.0.0.1' }));
    // Once the database is open (see cometClient).
    adapt();
    await callbackService(t, 'notify-delayed', 'User-Originated-Delayed');
  });
  afterAll(async () => {
    await t?.close();
    await new Promise((resolve) => http?.close(resolve));
  });

  it('Chat Delayed: agent-available over CometD, connect, chat with the reserved agent, COMPLETED', () =>
    chatDelayed({ customer: t, url, agent: t }, 'one'));

  it('Chat Immediate: StartChat at once, the chat reaches the agent, pushes over CometD', () =>
    chatImmediate({ customer: t, url, agent: t }, 'one'));

  /*
   * Push → callbacks: what push confirmed delivered (written to the device's CometD transport, or
   * accepted by its provider) is not handed out again by `retrieve-notifications`.
   */
  const start = async (d: ReturnType<typeof device>, number: string, fields: Record<string, string>) => {
    const started = await d.post('/genesys/1/service/callback/notify-delayed', {
      _customer_number: number,
      ...fields,
    });
    expect(started.status).toBe(200);
    return started.body._id as string;
  };
  const notify = async (d: ReturnType<typeof device>, id: string, text: string) => {
    const sent = await d.post(`/genesys/1/service/${id}/internal-notification`, {
      _display_message: text,
      _application_message: `APP_${text}`,
    });
    expect(sent.body).toEqual({ message: 'Notification Sent' });
    return { _internal_message: `APP_${text}`, _id: id, _display_message: text };
  };
  const retrieve = async (d: ReturnType<typeof device>, id: string) =>
    (await d.post(`/genesys/1/service/${id}/retrieve-notifications`)).body;

  it('CometD: delivered is not retrieved again; sent while the device is offline is', async () => {
    const gmsUser = `device-${randomUUID()}`;
    const d = device(url, gmsUser);
    const id = await start(d, '4082650001', { _device_os: 'comet' });
    const comet = await cometClient(url, { transport: 'long-polling', headers: { gms_user: gmsUser } });
    expect((await comet.subscribe()).successful).toBe(true);
    const first = await notify(d, id, 'first');
    const delivery = await pushed(comet);
    expect(delivery).toMatchObject({ tag: `service.notification.${id}`, message: first });
    const [event] = await t.app.managers.events.readSession(id, 0);
    expect(event?.deliveryId).toBe(delivery.id);
    // The hook runs once faye wrote the push to the device's long-poll.
    await vi.waitFor(
      async () => expect((await t.app.managers.callbacks.get(id)).notificationsDeliveredSeq).toBe(event?.seq),
      { timeout: 5_000, interval: 20 },
    );
    expect(await retrieve(d, id)).toEqual([]);

    // The device goes away; what is sent now is only retrievable by polling.
    await comet.close();
    await vi.waitFor(() => expect(t.app.managers.comet.activeDevices()).toBe(0), { timeout: 5_000 });
    const second = await notify(d, id, 'second');
    expect(await retrieve(d, id)).toEqual([second]);
    expect(await retrieve(d, id)).toEqual([]);
  });

  it('provider outbox: delivered rows are not retrieved again, a failed one still is', async () => {
    const d = device(url, `device-${randomUUID()}`);
    const id = await start(d, '4082650002', {
      _device_os: 'httpcb',
      _device_notification_id: `${httpUrl}/device`,
    });
    const worker = t.app.managers.deliveries;
    const first = await notify(d, id, 'one');
    await worker.runOnce();
    expect(await retrieve(d, id)).toEqual([]);

    // The provider fails: the row waits for a retry and the notification stays retrievable, even
    // once a later one was delivered.
    providerDown = true;
    const second = await notify(d, id, 'two');
    await worker.runOnce();
    providerDown = false;
    const third = await notify(d, id, 'three');
    await worker.runOnce();
    expect(first).not.toEqual(second);
    expect(await retrieve(d, id)).toEqual([second, third]);
  });
});

describe.skipIf(backend !== 'postgres')('callback chat scenarios: customer on A, agent on B', () => {
  let database: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  let url: string;
  beforeAll(async () => {
    database = await createTestDatabase();
    const namespace = `cc${randomUUID().slice(0, 8)}`;
    // Polling once a minute: deliveries across instances come from Redis pokes.
    const env = { EVENT_POLL_MS: '60000', COMETD_TIMEOUT_SECONDS: '2' };
    a = await createTestApp({ database, namespace, env });
    b = await createTestApp({ database, namespace, env, clock: a.clock });
    ({ url } = await a.app.start({ port: 0, host: '127.0.0.1' }));
    adapt();
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await database?.drop();
  });

  it('Chat Delayed across instances', () => chatDelayed({ customer: a, url, agent: b }, 'two'));

  it('Chat Immediate across instances', () => chatImmediate({ customer: a, url, agent: b }, 'two'));
});
