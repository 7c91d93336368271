import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Managers } from '../src/managers.js';
import { AgentChats, AgentJoin, AgentSend, ChatAgentReady, chatAgent, ok } from './chat-helpers.js';
import { graphql } from './gql/index.js';
import { adminAuth, createTestApp, type TestApp } from './harness.js';

/**
 * The public GMS clients' exact calls (reference gms-legacy-api.md §9): each test replays what the
 * client sends and asserts what the client asserts. docs/legacy-clients.md lists every call tried.
 */

let t: TestApp;
let m: Managers;
let counter = 0;
const uid = (prefix: string) => `${prefix}${++counter}`;

beforeAll(async () => {
  t = await createTestApp({ env: { PUBLIC_URL: 'http://localhost:8080' } });
  m = t.app.managers;
});
afterAll(() => t.close());

/** A callback service from the bundled template (delayed: the callback waits QUEUED for an agent). */
async function callbackService() {
  const name = uid('cb');
  const group = uid('Billing');
  await m.routing.agents.upsertGroup({ name: group });
  await m.services.create({
    name,
    template: 'callback',
    preset: 'User-Originated-Delayed',
    options: [
      { name: '_target', value: `${group}@StatServer.GA` },
      { name: '_urs_virtual_queue', value: uid('VQ_') },
    ],
  });
  return name;
}

/** CallbackServicesAPI.startImmediateCallback: a JSON body with only _customer_number. */
async function startCallback(service: string, customerNumber: string): Promise<string> {
  const r = await t.fetch(`/genesys/1/service/callback/${service}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ _customer_number: customerNumber }),
  });
  const body = (await r.json()) as { _id: string };
  expect(r.status, JSON.stringify(body)).toBe(200);
  return body._id;
}

/** CallbackServicesAPI.queryCallbackByState: GET with form params (REST-assured puts them in the query). */
const queryCallbackByState = (custNumber: string, cbState: string) =>
  t.fetch(
    `/genesys/1/service/callback?${new URLSearchParams({ _customer_number: custNumber, _callback_state: cbState })}`,
    { headers: { 'content-type': 'application/x-www-form-urlencoded' } },
  );

/** CallbackServicesAPI.cancelCallback. */
const cancelCallback = (cbServiceName: string, cbId: string) =>
  t.fetch(`/genesys/1/service/callback/${cbServiceName}/${cbId}`, {
    method: 'DELETE',
    headers: { 'content-type': 'application/json' },
  });

const CallbackQueueExcluding = graphql(`
  query LegacyCallbackQueueExcluding($customerNumber: String, $excludeStates: [CallbackState!]) {
    callbackQueue(customerNumber: $customerNumber, excludeStates: $excludeStates) {
      id
      state
    }
  }
`);

describe('Genesys QA suite: CallbackServiceHelper.cancelUnfinishedCallbacks', () => {
  it('queries _callback_state=!COMPLETED by number (200), cancels every record returned, and they are cancelled', async () => {
    const custNumber = '6504669001';
    const first = await callbackService();
    const second = await callbackService();
    // One already finished (in-queue checking allows one open callback per number and service).
    const done = await startCallback(first, custNumber);
    await m.callbacks.cancel(done);
    const a = await startCallback(first, custNumber);
    const b = await startCallback(second, custNumber);
    const other = await startCallback(first, '6504669002');

    // cancelUnfinishedCallbacks(int custNumber), step by step.
    const queryResponse = await queryCallbackByState(custNumber, '!COMPLETED');
    expect(queryResponse.status).toBe(200);
    const entries = (await queryResponse.json()) as Record<string, unknown>[];
    expect(entries.map((e) => e._id).sort()).toEqual([a, b].sort());
    for (const cbEntry of entries) {
      const cancellation = await cancelCallback(String(cbEntry._service_name), String(cbEntry._id));
      expect(cancellation.status).toBe(200);
    }

    for (const id of [a, b])
      expect(await m.callbacks.get(id)).toMatchObject({ state: 'COMPLETED', reason: 'CANCELLED' });
    const after = await queryCallbackByState(custNumber, '!COMPLETED');
    expect(after.status).toBe(200);
    expect(await after.json()).toEqual([]);
    // The completed ones are still there for countCompletedCallbacksByReason.
    const completed = (await (await queryCallbackByState(custNumber, 'COMPLETED')).json()) as unknown[];
    expect(completed).toHaveLength(3);
    expect((await m.callbacks.get(other)).state).toBe('QUEUED');
  });

  it('takes !STATE in the per-service property query, the admin queue query and GraphQL', async () => {
    const service = await callbackService();
    const custNumber = '6504669101';
    const done = await startCallback(service, custNumber);
    await m.callbacks.cancel(done);
    const open = await startCallback(service, custNumber);

    const byProps = (await (
      await t.fetch(
        `/genesys/1/service/callback/${service}?operand=AND&_customer_number=${custNumber}&_callback_state=!COMPLETED`,
      )
    ).json()) as Record<string, unknown>[];
    expect(byProps.map((r) => r._id)).toEqual([open]);
    const onlyDone = (await (
      await t.fetch(`/genesys/1/service/callback/${service}?_callback_state=!QUEUED`)
    ).json()) as Record<string, unknown>[];
    expect(onlyDone.map((r) => r._id)).toEqual([done]);

    const queues = await t.fetch(
      `/genesys/1/admin/callback/queues?service_name=${service}&states=!COMPLETED`,
      {
        headers: { authorization: adminAuth },
      },
    );
    expect(queues.status).toBe(200);
    expect(((await queues.json()) as Record<string, { _id: string }[]>)[service]?.map((r) => r._id)).toEqual([
      open,
    ]);

    const gql = await t.admin(CallbackQueueExcluding, {
      customerNumber: custNumber,
      excludeStates: ['COMPLETED'],
    });
    expect(gql.callbackQueue.map((c) => c.id)).toEqual([open]);
  });

  it('CallbackServiceHelper.countActiveCallbacksByAPI: admin queues with target = the service name', async () => {
    const service = await callbackService();
    const id = await startCallback(service, '6504669301');
    // queryCallbackByStates(cbServiceName, "QUEUED,SCHEDULED"): target, end_time 30 days ahead, states.
    const q = new URLSearchParams({
      target: service,
      end_time: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      states: 'QUEUED,SCHEDULED',
    });
    const r = await t.fetch(`/genesys/1/admin/callback/queues?${q}`, {
      headers: { authorization: adminAuth, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(r.status).toBe(200);
    const byService = (await r.json()) as Record<string, { _id: string }[]>;
    expect(byService[service]?.map((e) => e._id)).toEqual([id]);
  });

  it('answers 400 naming the field for an unknown or mixed state, and writes nothing', async () => {
    const bad = await queryCallbackByState('6504669201', '!FINISHED');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain("'!FINISHED' in _callback_state");
    const mixed = await queryCallbackByState('6504669201', 'QUEUED,!COMPLETED');
    expect(mixed.status).toBe(400);
    expect(((await mixed.json()) as { message: string }).message).toContain(
      'mixes states and negated states',
    );
  });
});

/** Retrofit's @FormUrlEncoded POST (a null @Field is left out). */
const form = (path: string, fields: Record<string, string | number | boolean | null>) =>
  t.fetch(path, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=UTF-8',
      gms_user: 'android-sample',
    },
    body: new URLSearchParams(
      Object.entries(fields)
        .filter(([, v]) => v !== null)
        .map(([k, v]) => [k, String(v)]),
    ).toString(),
  });

async function ok200(response: Response): Promise<Record<string, unknown>> {
  const body = (await response.json()) as Record<string, unknown>;
  expect(response.status, JSON.stringify(body)).toBe(200);
  return body;
}

describe('Android sample client (ChatApi): request-chat as shipped', () => {
  it('a service from the bundled template with only _type and _service starts a chat that reaches an agent', async () => {
    // As GMS ships it: the request-chat template, only _type and _service; no _target anywhere.
    await m.services.create({
      name: 'request-chat',
      template: 'request-chat',
      options: [
        { name: '_type', value: 'builtin' },
        { name: '_service', value: 'request-chat' },
      ],
    });
    // A Chat agent, ready (the default endpoint gms_builtin routes to the Chat agent group).
    const agent = await chatAgent(t, 'chat-agent-1', 'Carol');
    ok((await t.gql(ChatAgentReady, {}, agent)).agentSetState);

    // ChatApi.basicChat: POST /service/request-chat, _verbose + the FieldMap.
    const basic = await ok200(await form('/genesys/1/service/request-chat', { _verbose: false }));
    const serviceId = basic._id as string;
    expect(basic['_chatIxnAPI-CREATE-URL']).toBe(`/genesys/1/service/${serviceId}/ixn/chat`);

    // ChatApi.startChat (the push variant the manager calls).
    const started = await ok200(
      await form(`/genesys/1/service/${serviceId}/ixn/chat`, {
        _verbose: false,
        notify_by: 'push',
        firstName: 'Jane',
        lastName: 'Doe',
        email: 'jane@example.com',
        subject: 'Order status',
        subscriptionID: null,
        userDisplayName: 'Jane',
        push_notification_deviceid: 'device-token-1',
        push_notification_type: 'gcm',
        push_notification_language: 'en',
        push_notification_debug: false,
      }),
    );
    expect(started).toMatchObject({
      chatIxnState: 'CONNECTED',
      chatServiceMessage: 'Chat service is available',
    });
    const chatId = started.chatSessionId as string;

    // Routed to the agent: it is offered the chat, joins and answers.
    const offered = (await t.gql(AgentChats, {}, agent)).agentChats;
    expect(offered).toEqual([
      expect.objectContaining({ id: chatId, sessionId: serviceId, nickname: 'Jane' }),
    ]);
    ok((await t.gql(AgentJoin, { chatId }, agent)).agentJoinChat);
    ok((await t.gql(AgentSend, { chatId, text: 'Hello Jane' }, agent)).agentSendChatMessage);
    const routed = await m.routing.router.get(serviceId);
    expect(routed).toMatchObject({ state: 'ACCEPTED', target: 'Chat@StatServer.GA' });

    // ChatApi.send, refresh (message null → left out), startTyping, stopTyping, disconnect.
    const sent = await ok200(
      await form(`/genesys/1/service/${serviceId}/ixn/chat/send`, {
        message: 'Where is my order?',
        _verbose: false,
      }),
    );
    expect(sent.chatIxnState).toBe('TRANSCRIPT');
    const refreshed = await ok200(
      await form(`/genesys/1/service/${serviceId}/ixn/chat/refresh`, {
        transcriptPosition: 1,
        message: null,
        _verbose: false,
      }),
    );
    const shown = refreshed.transcriptToShow as string[][];
    expect(shown).toContainEqual(['Notice.Joined', 'Carol', 'has joined the session', '2', 'AGENT']);
    expect(shown).toContainEqual(['Message.Text', 'Carol', 'Hello Jane', '2', 'AGENT']);
    expect(shown).toContainEqual(['Message.Text', 'Jane', 'Where is my order?', '1', 'CLIENT']);
    for (const action of ['startTyping', 'stopTyping'])
      expect(
        (await ok200(await form(`/genesys/1/service/${serviceId}/ixn/chat/${action}`, { _verbose: false })))
          .chatIxnState,
      ).toBe('TRANSCRIPT');
    const left = await ok200(
      await form(`/genesys/1/service/${serviceId}/ixn/chat/disconnect`, { _verbose: false }),
    );
    expect(left.chatIxnState).toBe('DISCONNECTED');
  });

  it('_target overrides the endpoint; an endpoint without a target is a 400 naming it', async () => {
    await m.routing.agents.upsertGroup({ name: 'VIP' });
    const vip = uid('chat-vip');
    await m.services.create({
      name: vip,
      template: 'request-chat',
      options: [{ name: '_target', value: 'VIP@StatServer.GA' }],
    });
    const vipId = (await ok200(await form(`/genesys/1/service/${vip}`, {})))._id as string;
    await ok200(await form(`/genesys/1/service/${vipId}/ixn/chat`, { firstName: 'Vic' }));
    expect((await m.routing.router.get(vipId))?.target).toBe('VIP@StatServer.GA');

    await m.routing.queues.upsert({ name: 'Environment:default' });
    const name = uid('chat-endpoint');
    await m.services.create({
      name,
      template: 'request-chat',
      options: [{ name: '_chat_endpoint', value: 'Environment:default' }],
    });
    const id = (await ok200(await form(`/genesys/1/service/${name}`, {})))._id as string;
    const r = await form(`/genesys/1/service/${id}/ixn/chat`, { firstName: 'Eve' });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { message: string }).message).toContain(
      "chat endpoint 'Environment:default' (_chat_endpoint: a virtual queue) has no default target",
    );
  });
});

describe('Android sample (CallbackApiManager.onEvent(CallbackUpdateEvent)) and iOS GMSLibrary (rescheduleCallback): PUT', () => {
  const put = (service: string, id: string, body: Record<string, string>, gmsUser = 'u-put') =>
    t.fetch(`/genesys/1/service/callback/${service}/${id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', gms_user: gmsUser },
      body: JSON.stringify(body),
    });

  it('without _new_desired_time updates the properties (record, query, session user data); with it, both', async () => {
    const service = await callbackService();
    const id = await startCallback(service, '6504669101');
    // The Android client always sends _callback_state, then the properties; _new_desired_time only when set.
    const r = await put(service, id, { _callback_state: 'QUEUED', first_name: 'Bob', reason: 'billing' });
    const record = (await r.json()) as Record<string, unknown>;
    expect(r.status, JSON.stringify(record)).toBe(200);
    expect(record).toMatchObject({
      _id: id,
      _callback_state: 'QUEUED',
      first_name: 'Bob',
      reason: 'billing',
    });
    // The query by properties finds it by the new value; the agent's user data has it too.
    const q = await t.fetch(`/genesys/1/service/callback/${service}?operand=AND&first_name=Bob`);
    expect(((await q.json()) as { _id: string }[]).map((x) => x._id)).toEqual([id]);
    expect(await m.sessions.userData(id)).toMatchObject({ first_name: 'Bob', reason: 'billing' });

    // With a new desired time: rescheduled and the properties stored, in one request.
    const later = new Date(t.clock.now().getTime() + 3_600_000).toISOString();
    const both = await put(service, id, { _new_desired_time: later, reason: 'loan' });
    expect(both.status).toBe(200);
    expect(await both.json()).toMatchObject({
      _callback_state: 'SCHEDULED',
      _desired_time: later,
      reason: 'loan',
    });
    expect((await m.sessions.userData(id)).reason).toBe('loan');
    // A refused new time stores none of the properties either (one transaction).
    const tooFar = new Date(t.clock.now().getTime() + 60 * 86_400_000).toISOString();
    expect((await put(service, id, { _new_desired_time: tooFar, reason: 'lost' })).status).toBe(400);
    expect((await m.sessions.userData(id)).reason).toBe('loan');
    expect((await m.callbacks.get(id)).userData.reason).toBe('loan');

    // Nothing to update is still a 400 naming _new_desired_time; a finished callback takes no update.
    const empty = await put(service, id, { _callback_state: 'SCHEDULED' });
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { message: string }).message).toContain('_new_desired_time');
    await cancelCallback(service, id);
    const done = await put(service, id, { first_name: 'Eve' });
    expect(done.status).toBe(400);
    expect((await m.callbacks.get(id)).userData.first_name).toBe('Bob');
  });
});

describe('Android sample (CallbackApi.queryCallback): GET /service/callback/{name}?operand=AND&<key>=<value>', () => {
  it('finds a match older than the newest `max` callbacks: max limits the answer, not the rows looked at', async () => {
    const service = await callbackService();
    const older = await startCallback(service, '6504669201');
    const newer = await Promise.all(['6504669202', '6504669203'].map((n) => startCallback(service, n)));
    const query = async (params: Record<string, string>) => {
      const r = await t.fetch(`/genesys/1/service/callback/${service}?${new URLSearchParams(params)}`);
      expect(r.status).toBe(200);
      return ((await r.json()) as { _id: string }[]).map((x) => x._id);
    };
    expect(await query({ operand: 'AND', _customer_number: '6504669201', max: '1' })).toEqual([older]);
    // By another property (scanned page by page), and max still caps the answer.
    expect(await query({ operand: 'AND', _callback_state: 'QUEUED', _id: older, max: '1' })).toEqual([older]);
    expect(
      await query({ operand: 'OR', _customer_number: '6504669201', _id: newer[0] ?? '', max: '1' }),
    ).toHaveLength(1);
    expect((await query({ operand: 'AND', _callback_state: 'QUEUED' })).sort()).toEqual(
      [older, ...newer].sort(),
    );
  });
});
