import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CallbackDialogQuery } from '../../../test/callback-documents.js';
import { seedChatInteraction } from '../../../test/chat-helpers.js';
import { adminAuth, createTestApp, multipart, type TestApp } from '../../../test/harness.js';
import type { Managers } from '../../managers.js';
import type { SessionEvent } from '../event/event.manager.js';
import { activityTable } from '../report/report.tables.js';

/** The seed captures' device token, sent as gms_user and _device_notification_id. */
const GMS_USER = 'b16416334828b1d26ef14f329628b55b5a8c631d8928a371a5584722dd7fb673';
const ACCESS_NUMBER = '6504663205';
const SESSION_ID = /^\d+-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let t: TestApp;
let m: Managers;
let counter = 0;
const uid = (prefix: string) => `${prefix}${++counter}`;

beforeAll(async () => {
  t = await createTestApp({ env: { PUBLIC_URL: 'http://localhost:8080' } });
  m = t.app.managers;
  await m.resources.createGroup({
    name: 'DNIS',
    locking: true,
    resources: [{ name: 'Key1', accessNumber: ACCESS_NUMBER }],
  });
});
afterAll(() => t.close());

/** A callback service from the bundled template and one of the seed's presets, with its own queue and agent group. */
async function service(preset: string, options: Record<string, string> = {}) {
  const name = uid(preset.toLowerCase());
  const group = uid('Billing');
  await m.routing.agents.upsertGroup({ name: group });
  await m.services.create({
    name,
    template: 'callback',
    preset,
    options: Object.entries({
      _target: `${group}@StatServer.GA`,
      _urs_virtual_queue: uid('VQ_'),
      ...options,
    }).map(([k, v]) => ({ name: k, value: v })),
  });
  return { name, group };
}

async function agent(group: string, ready = true) {
  const id = uid('agent');
  await m.routing.agents.upsert({ id, groups: [group] });
  if (ready) await m.routing.setAgentState(id, 'READY');
  return id;
}

const post = (path: string, fields: Record<string, string> = {}, headers: Record<string, string> = {}) =>
  t.fetch(path, { method: 'POST', body: multipart(fields), headers: { gms_user: GMS_USER, ...headers } });

async function json(response: Response, status = 200): Promise<Record<string, unknown>> {
  const body = (await response.json()) as Record<string, unknown>;
  expect({ status: response.status, body }).toMatchObject({ status });
  return body;
}

/** The session's stored events, once the reservation listener has appended `count` of them. */
async function storedEvents(id: string, count: number): Promise<SessionEvent[]> {
  return vi.waitFor(
    async () => {
      const events = await m.events.readSession(id, 0);
      if (events.length < count) throw new Error(`${events.length} of ${count} events so far`);
      return events;
    },
    { timeout: 10_000, interval: 20 },
  );
}

/** The report activity recorded for a callback, oldest first. */
async function activity(id: string) {
  const rows = await t.app.deps.db.select().from(activityTable).where(eq(activityTable.ref, id));
  return rows
    .filter((r) => r.category === 'callback')
    .sort((a, b) => a.id - b.id)
    .map((r) => r.kind);
}

/** What the push module delivers for a stored event (seed "Push notification data"): it leaves presented. */
const pushed = (e: SessionEvent) => ({ id: e.deliveryId, message: m.events.wire(e), tag: e.tag });

const seedDelayBody = (customerNumber: string, customerName = 'Bob Markel') => ({
  type: 'Gold',
  _customer_number: customerNumber,
  usr_customer_name: customerName,
  usr_reason: 'billing question',
  _device_notification_id: GMS_USER,
  _device_os: 'iOS',
});

describe('seed scenario: User Originated Delayed', () => {
  it('replays start, agent-available push, connect and dial-in, then completes with the agent', async () => {
    const { name, group } = await service('User-Originated-Delayed');
    const start = await json(await post(`/genesys/1/service/callback/${name}`, seedDelayBody('6504661232')));
    expect(Object.keys(start)).toEqual(['_id', '_text']);
    expect(start._text).toBe('We will notify you when agent is available');
    const id = start._id as string;
    expect(id).toMatch(SESSION_ID);
    expect(await m.callbacks.get(id)).toMatchObject({
      state: 'QUEUED',
      dialog: { action: 'WaitForAgent', desiredTime: null },
    });
    expect((await m.routing.router.get(id))?.state).toBe('WAITING');
    expect(await m.events.readSession(id, 0)).toEqual([]);

    // Agent goes ready → routing reserves → the stored agent-available event.
    const a = await agent(group);
    const [event] = await storedEvents(id, 1);
    if (!event) throw new Error('no event');
    expect(pushed(event)).toEqual({
      id: event.deliveryId,
      message: { _action: 'get-dialog-user-confirmation-provide_code-false', _id: id },
      tag: `service.agentavailable.${id}`,
    });
    expect(event.deliveryId).toMatch(/^[0-9a-f]{32}$/);
    expect(event.gmsUser).toBe(GMS_USER);
    // Stored as a value of its kind; the GMS message above is presented from it (callback.legacy.ts).
    expect(event).toMatchObject({
      kind: 'callback.agent-available',
      message: { callbackId: id, provideCode: false },
    });
    expect(await m.callbacks.get(id)).toMatchObject({ state: 'ROUTING', agentId: a });

    // The client follows the pushed `_action` (GET /service/{_id}/{_action}) to the connect URL.
    const menu = await json(
      await t.fetch(`/genesys/1/service/${id}/get-dialog-user-confirmation-provide_code-false`, {
        headers: { gms_user: GMS_USER },
      }),
    );
    expect(menu).toMatchObject({
      _action: 'DisplayMenu',
      _content: [
        { _group_content: [{ _user_action_url: `http://localhost:8080/genesys/1/service/${id}/connect` }] },
      ],
      _id: id,
    });

    // Connect (user confirmation / request access info).
    const connect = await json(await post(`/genesys/1/service/${id}/connect`));
    expect(connect).toEqual({
      _dialog_id: '0',
      _label: 'Connecting ...',
      _action: 'DialNumber',
      _tel_url: `tel:${ACCESS_NUMBER}`,
      _access_code: 'n/a',
      _access_number: ACCESS_NUMBER,
      _expiration_time: '29',
      _id: id,
    });
    expect(Object.keys(connect)).toEqual([
      '_dialog_id',
      '_label',
      '_action',
      '_tel_url',
      '_access_code',
      '_access_number',
      '_expiration_time',
      '_id',
    ]);
    // The domain holds the dialog as a value (callbacks.dialog); GraphQL exposes it typed.
    const { dialog } = await m.callbacks.get(id);
    expect(dialog).toEqual({
      action: 'DialNumber',
      accessNumber: ACCESS_NUMBER,
      accessCode: null,
      bookingId: expect.any(String),
      expiresAt: expect.any(String),
    });
    expect((await t.admin(CallbackDialogQuery, { id })).callback?.dialog).toEqual({
      __typename: 'CallbackDialNumberDialog',
      action: 'DIAL_NUMBER',
      accessNumber: ACCESS_NUMBER,
      accessCode: null,
      expiresAt: dialog?.action === 'DialNumber' ? dialog.expiresAt : 'none',
    });

    // Dial access number: the IVR asks match-interaction (DNIS + ANI); the call goes to the reserved agent.
    const matched = await json(
      await post('/genesys/1/service/match-interaction', {
        _access_number: ACCESS_NUMBER,
        _phone_number: '6504661232',
      }),
    );
    expect(matched._id).toBe(id);
    // resources.onMatched ran callbacks.callMatched; a repeat changes nothing.
    await m.callbacks.callMatched({ sessionId: id, phoneNumber: '6504661232' });
    expect(await m.callbacks.get(id)).toMatchObject({
      state: 'COMPLETED',
      reason: 'AGENT_CONNECTED',
      agentId: a,
    });
    expect(await m.routing.router.get(id)).toMatchObject({ state: 'ACCEPTED', agentId: a });
    expect((await m.routing.agents.get(a))?.state).toBe('BUSY');
    // No second notification after completion.
    expect(await m.events.readSession(id, 0)).toHaveLength(1);

    expect(await activity(id)).toEqual(['created', 'connected', 'completed']);

    const described = await json(
      await t.fetch(`/genesys/1/service/${id}`, { headers: { gms_user: GMS_USER } }),
    );
    expect(described).toMatchObject({
      _id: id,
      _callback_state: 'COMPLETED',
      _callback_reason: 'AGENT_CONNECTED',
    });
  });

  it('refuses more connects than _userorig_connect_limit and connect before an agent is available', async () => {
    const { name, group } = await service('User-Originated-Delayed', { _userorig_connect_limit: '2' });
    const id = (await json(await post(`/genesys/1/service/callback/${name}`, seedDelayBody('6504661299'))))
      ._id as string;
    const early = await json(await post(`/genesys/1/service/${id}/connect`), 400);
    expect(early.message).toContain('No agent is available yet');
    await agent(group);
    await storedEvents(id, 1);
    await json(await post(`/genesys/1/service/${id}/connect`));
    await json(await post(`/genesys/1/service/${id}/connect`));
    const third = await json(await post(`/genesys/1/service/${id}/connect`), 400);
    expect(third).toMatchObject({
      exception: 'com.genesyslab.gsg.services.callback.exceptions.CallbackException',
    });
    expect(third.message).toContain('_userorig_connect_limit=2');
    expect((await m.callbacks.get(id)).connectCount).toBe(2);
    await m.callbacks.cancel(id);
  });

  it('tells the device again when the reservation lapses and another agent is reserved', async () => {
    const { name, group } = await service('User-Originated-Delayed');
    const id = (await json(await post(`/genesys/1/service/callback/${name}`, seedDelayBody('6504661288'))))
      ._id as string;
    const a1 = await agent(group);
    await storedEvents(id, 1);
    // The first agent steps away before the customer confirmed: back to the queue.
    await m.routing.setAgentState(a1, 'NOT_READY');
    await m.callbacks.sync(id);
    expect((await m.callbacks.get(id)).state).toBe('QUEUED');
    const a2 = await agent(group);
    const events = await storedEvents(id, 2);
    expect(events.map((e) => e.tag)).toEqual([
      `service.agentavailable.${id}`,
      `service.agentavailable.${id}`,
    ]);
    expect((await m.callbacks.get(id)).agentId).toBe(a2);
    // Syncing again changes nothing: once per reservation.
    await m.callbacks.sync(id);
    expect(await m.events.readSession(id, 0)).toHaveLength(2);
    await m.callbacks.cancel(id);
    expect((await m.routing.agents.get(a2))?.state).toBe('READY');
  });
});

describe('seed scenario: User Originated Immediate', () => {
  it('returns the access information at once; the call is queued when it arrives and routed to the agent', async () => {
    const { name, group } = await service('User-Originated-Immediate');
    const start = await json(await post(`/genesys/1/service/callback/${name}`));
    const id = start._id as string;
    expect(start).toEqual({
      _dialog_id: '0',
      _label: 'Connecting ...',
      _action: 'DialNumber',
      _tel_url: `tel:${ACCESS_NUMBER}`,
      _access_code: 'n/a',
      _access_number: ACCESS_NUMBER,
      _expiration_time: '29',
      _id: id,
    });
    // Nothing is queued until the customer calls.
    expect(await m.routing.router.get(id)).toBeNull();
    const matched = await json(
      await post('/genesys/1/service/match-interaction', { _access_number: ACCESS_NUMBER }),
    );
    expect(matched._id).toBe(id);
    expect(await m.callbacks.get(id)).toMatchObject({ state: 'ROUTING' });
    expect((await m.routing.router.get(id))?.state).toBe('WAITING');
    // Plays treatment until target is available; reserves and routes the call; terminates.
    const a = await agent(group);
    await vi.waitFor(async () => expect((await m.callbacks.get(id)).state).toBe('COMPLETED'), {
      timeout: 10_000,
      interval: 20,
    });
    expect(await m.callbacks.get(id)).toMatchObject({ reason: 'AGENT_CONNECTED', agentId: a });
    expect(await m.routing.router.get(id)).toMatchObject({ state: 'ACCEPTED', agentId: a });
    // The customer was on the line: no agent-available push.
    expect(await m.events.readSession(id, 0)).toEqual([]);
  });
});

describe('user originated immediate: all or nothing', () => {
  it('answers 503 and leaves no callback when no access number is free', async () => {
    const pool = uid('Pool');
    await m.resources.createGroup({
      name: pool,
      locking: true,
      resources: [{ name: 'K', accessNumber: '18005550123' }],
    });
    const { name } = await service('User-Originated-Immediate', { _resource_group: pool });
    const first = await json(await post(`/genesys/1/service/callback/${name}`));
    expect(first).toMatchObject({ _action: 'DialNumber', _access_number: '18005550123' });
    expect((await m.callbacks.get(first._id as string)).connectCount).toBe(1);
    const second = await json(await post(`/genesys/1/service/callback/${name}`), 503);
    expect(second.code).toBeDefined();
    expect((await m.callbacks.list({ serviceName: name, states: null })).map((c) => c.id)).toEqual([
      first._id,
    ]);
  });
});

describe('seed scenario: Chat Immediate', () => {
  it('returns the StartChat dialog at once; the chat is routed when it arrives', async () => {
    const { name, group } = await service('Chat-Immediate');
    const start = await json(
      await post(`/genesys/1/service/callback/${name}`, {
        _customer_number: '6502388511',
        usr_customer_name: 'Bob Markel',
        usr_reason: 'billing question',
        _device_notification_id: GMS_USER,
        _device_os: 'comet',
      }),
    );
    const id = start._id as string;
    expect(id).toMatch(SESSION_ID);
    expect(start).toEqual({
      _dialog_id: '1',
      _action: 'StartChat',
      _label: 'Start Chat',
      _start_chat_url: `http://localhost:8080/genesys/1/service/${id}/ixn/chat`,
      _comet_url: 'http://localhost:8080/genesys/cometd',
      _user_header: GMS_USER,
      _id_to_jump_before: 'exit://',
      _chat_parameters: { subject: 'None' },
      _id: id,
    });
    expect(Object.keys(start)).toEqual([
      '_dialog_id',
      '_action',
      '_label',
      '_start_chat_url',
      '_comet_url',
      '_user_header',
      '_id_to_jump_before',
      '_chat_parameters',
      '_id',
    ]);
    const a = await agent(group);
    expect(await m.routing.router.get(id)).toBeNull();
    // Create Chat Interaction (the chat module's ixn/chat): its start hook reports the customer's arrival.
    const ixn = await json(await post(`/genesys/1/service/${id}/ixn/chat`, { ...seedChatInteraction }));
    expect(ixn).toEqual({ _id: id, comet_channel: '/_genesys' });
    // Queued on arrival; the reservation (maybe by a later matching pass) connects it.
    await vi.waitFor(
      async () =>
        expect(await m.callbacks.get(id)).toMatchObject({
          state: 'COMPLETED',
          reason: 'AGENT_CONNECTED',
          agentId: a,
        }),
      { timeout: 10_000, interval: 20 },
    );
    // The chat adopted the callback's routing request: the reserved agent joins it.
    const chat = await m.chat.requireForSession(id);
    expect(chat.routingRequestId).toBe(id);
    expect((await m.chat.agentJoin(a, chat.id)).status).toBe('CONNECTED');
  });
});

describe('seed scenario: Chat Delayed', () => {
  it('replays start, push, connect, check-queue-position and the notification requests', async () => {
    const { name, group } = await service('Chat-Delayed');
    // Two callbacks wait with nobody staffed: position 2 of 2, eta n/a (the seed's first body).
    const other = await json(await post(`/genesys/1/service/callback/${name}`, seedDelayBody('4082652600')));
    const start = await json(
      await post(`/genesys/1/service/callback/${name}`, {
        _customer_number: '4082652649',
        usr_customer_name: 'Bob Marke1',
        usr_reason: 'billing question',
        _device_notification_id: GMS_USER,
        _device_os: 'comet',
      }),
    );
    const id = start._id as string;
    expect(start).toEqual({ _id: id, _text: 'We will notify you when agent is available' });
    const position = await json(await post(`/genesys/1/service/${id}/check-queue-position`));
    expect(position).toEqual({
      _position: 2,
      _eta: 'n/a',
      _total_waiting: 2,
      _agent_ready_threshold_passed: true,
      _agent_ready_threshold_passed_reason: 'eta n/a',
    });
    expect(Object.keys(position)).toEqual([
      '_position',
      '_eta',
      '_total_waiting',
      '_agent_ready_threshold_passed',
      '_agent_ready_threshold_passed_reason',
    ]);
    await m.callbacks.cancel(other._id as string);

    const a = await agent(group);
    const [event] = await storedEvents(id, 1);
    if (!event) throw new Error('no event');
    expect(pushed(event)).toEqual({
      id: event.deliveryId,
      message: { _action: 'get-dialog-user-confirmation-provide_code-false', _id: id },
      tag: `service.agentavailable.${id}`,
    });

    const connect = await json(await post(`/genesys/1/service/${id}/connect`));
    expect(connect).toEqual({
      _dialog_id: '1',
      _action: 'StartChat',
      _label: 'Start Chat',
      _start_chat_url: `http://localhost:8080/genesys/1/service/${id}/ixn/chat`,
      _comet_url: 'http://localhost:8080/genesys/cometd',
      _user_header: GMS_USER,
      _id_to_jump_before: 'exit://',
      _chat_parameters: { subject: 'None' },
      _id: id,
    });
    // Reserved: position 0.
    expect(await json(await post(`/genesys/1/service/${id}/check-queue-position`))).toMatchObject({
      _position: 0,
      _eta: 0,
    });
    // Create Chat Interaction (the chat module's ixn/chat): its start hook reports the customer's arrival.
    const ixn = await json(await post(`/genesys/1/service/${id}/ixn/chat`, { ...seedChatInteraction }));
    expect(ixn).toEqual({ _id: id, comet_channel: '/_genesys' });
    expect(await m.callbacks.get(id)).toMatchObject({
      state: 'COMPLETED',
      reason: 'AGENT_CONNECTED',
      agentId: a,
    });

    // internal-notification (agent → mobile): stored first, then answered.
    const sent = await json(
      await post(`/genesys/1/service/${id}/internal-notification`, {
        _display_message: 'Message to be displayed to user',
        _application_message: 'MESSAGE_FOR_MOBILE_APP_INTERNAL_USE',
      }),
    );
    expect(sent).toEqual({ message: 'Notification Sent' });
    const events = await m.events.readSession(id, 0);
    const notice = events.at(-1);
    if (!notice) throw new Error('no notification event');
    expect(notice).toMatchObject({
      tag: `service.notification.${id}`,
      kind: 'callback.notification',
      message: {
        callbackId: id,
        displayMessage: 'Message to be displayed to user',
        applicationMessage: 'MESSAGE_FOR_MOBILE_APP_INTERNAL_USE',
      },
    });
    // As it is pushed (CometD, providers): keys in the seed's order.
    expect(JSON.stringify(m.events.wire(notice))).toBe(
      `{"_internal_message":"MESSAGE_FOR_MOBILE_APP_INTERNAL_USE","_id":"${id}","_display_message":"Message to be displayed to user"}`,
    );

    // retrieve-notifications (push not configured): the array, then nothing more.
    const retrieve = await t.fetch(`/genesys/1/service/${id}/retrieve-notifications`, {
      method: 'POST',
      body: multipart({}),
      headers: { gms_user: GMS_USER },
    });
    const notifications = (await retrieve.json()) as Record<string, unknown>[];
    expect(notifications).toEqual([
      {
        _internal_message: 'MESSAGE_FOR_MOBILE_APP_INTERNAL_USE',
        _id: id,
        _display_message: 'Message to be displayed to user',
      },
    ]);
    expect(Object.keys(notifications[0] ?? {})).toEqual(['_internal_message', '_id', '_display_message']);
    const again = await t.fetch(`/genesys/1/service/${id}/retrieve-notifications`, { method: 'POST' });
    expect(await again.text()).toBe('[]');

    // agent-notification (mobile → agent) and retrieve-agent-notifications.
    expect(
      await json(
        await post(`/genesys/1/service/${id}/agent-notification`, {
          _display_message: 'Message to be displayed to agent',
          _application_message: 'MESSAGE_FOR_AGENT_DESKTOP_INTERNAL_USE',
        }),
      ),
    ).toEqual({ message: 'Notification Sent' });
    const agentSide = await t.fetch(`/genesys/1/service/${id}/retrieve-agent-notifications`, {
      method: 'POST',
    });
    const agentMessages = (await agentSide.json()) as { message: string; tag: string }[];
    expect(agentMessages).toEqual([
      {
        message: `{"_id":"${id}","_internal_message":"MESSAGE_FOR_AGENT_DESKTOP_INTERNAL_USE","_display_message":"Message to be displayed to agent"}`,
        tag: `agent.message.${id}`,
      },
    ]);
    const agentAgain = await t.fetch(`/genesys/1/service/${id}/retrieve-agent-notifications`, {
      method: 'POST',
    });
    expect(await agentAgain.json()).toEqual([]);

    // A notification without _display_message and _application_message (e.g. a misspelt field) is a
    // 400 naming them, not a "Notification Sent" that delivers an empty message.
    const seqBefore = (await m.events.readSession(id, 0)).length;
    for (const request of ['internal-notification', 'agent-notification']) {
      const empty = await json(await post(`/genesys/1/service/${id}/${request}`, { message: 'hi' }), 400);
      expect(empty.message).toContain('_display_message');
    }
    expect((await m.events.readSession(id, 0)).length).toBe(seqBefore);
    expect(await (await t.fetch(`/genesys/1/service/${id}/retrieve-agent-notifications`)).json()).toEqual([]);
  });

  it('does not hand out notifications that push already delivered', async () => {
    const { name } = await service('Chat-Delayed');
    const id = (await json(await post(`/genesys/1/service/callback/${name}`, seedDelayBody('4082652611'))))
      ._id as string;
    const event = await m.callbacks.notifyDevice(id, { displayMessage: 'a', applicationMessage: 'b' });
    await m.callbacks.markNotificationsDelivered(id, event.seq);
    const r = await t.fetch(`/genesys/1/service/${id}/retrieve-notifications`, { method: 'POST' });
    expect(await r.json()).toEqual([]);
    await m.callbacks.cancel(id);
  });
});

describe('8.5 operations', () => {
  it('cancels, queries by id, number, state and properties, and lists the admin queues', async () => {
    const { name, group } = await service('User-Originated-Delayed');
    const id = (await json(await post(`/genesys/1/service/callback/${name}`, seedDelayBody('6504661001'))))
      ._id as string;
    const byId = (await (await t.fetch(`/genesys/1/service/callback?_id=${id}`)).json()) as Record<
      string,
      unknown
    >[];
    expect(byId).toHaveLength(1);
    expect(byId[0]).toMatchObject({
      _id: id,
      _service_name: name,
      _callback_state: 'QUEUED',
      _customer_number: '6504661001',
      _url: `http://localhost:8080/genesys/1/service/callback/${name}/${id}`,
      usr_customer_name: 'Bob Markel',
    });
    const byNumber = (await (
      await t.fetch('/genesys/1/service/callback?_customer_number=6504661001&_callback_state=QUEUED')
    ).json()) as unknown[];
    expect(byNumber).toHaveLength(1);
    const byProps = (await (
      await t.fetch(
        `/genesys/1/service/callback/${name}?operand=AND&usr_customer_name=Bob%20Markel&type=Gold`,
      )
    ).json()) as unknown[];
    expect(byProps).toHaveLength(1);
    const none = (await (
      await t.fetch(
        `/genesys/1/service/callback/${name}?operand=AND&usr_customer_name=Bob%20Markel&type=Silver`,
      )
    ).json()) as unknown[];
    expect(none).toHaveLength(0);

    const queues = await t.fetch(`/genesys/1/admin/callback/queues?target=${group}@StatServer.GA`, {
      headers: { authorization: adminAuth },
    });
    expect(queues.status).toBe(200);
    expect(((await queues.json()) as Record<string, unknown[]>)[name]).toHaveLength(1);
    expect((await t.fetch('/genesys/1/admin/callback/queues')).status).toBe(401);

    const cancelled = await json(
      await t.fetch(`/genesys/1/service/callback/${name}/${id}`, { method: 'DELETE' }),
    );
    expect(cancelled).toMatchObject({ _id: id, _callback_state: 'COMPLETED', _callback_reason: 'CANCELLED' });
    expect(await activity(id)).toEqual(['created', 'cancelled']);
    expect((await m.routing.router.get(id))?.state).toBe('CANCELLED');
    // A cancelled callback is not notified when an agent comes.
    await agent(group);
    await m.callbacks.sync(id);
    expect(await m.events.readSession(id, 0)).toEqual([]);
    await json(await t.fetch(`/genesys/1/service/callback/${name}/${id}`, { method: 'DELETE' }), 400);
  });

  it('bulk-cancels as admin with CANCELLED_BY_ADMIN', async () => {
    const { name } = await service('Chat-Delayed');
    const a = (await json(await post(`/genesys/1/service/callback/${name}`, seedDelayBody('4082650001'))))
      ._id;
    const b = (await json(await post(`/genesys/1/service/callback/${name}`, seedDelayBody('4082650002'))))
      ._id;
    const r = await t.fetch('/genesys/1/admin/callback/cancel', {
      method: 'POST',
      headers: { authorization: adminAuth, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'storm', ids: [a, b, 'nope'] }),
    });
    expect(await json(r)).toEqual({ cancelled: [a, b], notCancelled: ['nope'] });
    expect((await m.callbacks.get(a as string)).reason).toBe('CANCELLED_BY_ADMIN');
  });
});

describe('scheduled callbacks', () => {
  async function scheduledService(extra: Record<string, string> = {}) {
    const hours = uid('hours');
    await m.services.create({
      name: hours,
      template: 'office-hours',
      options: [
        { name: '_timezone', value: 'UTC' },
        { name: '_bh_regular1', value: 'Mon-Sun 09:00-17:00' },
      ],
    });
    return service('User-Originated-Delayed', {
      _business_hours_service: hours,
      _request_time_bucket: '30',
      _max_request_by_time_bucket: '1',
      _ttl: '259200',
      ...extra,
    });
  }

  it('accepts a desired time inside office hours and capacity, refuses others with availability, queues when due', async () => {
    const { name, group } = await scheduledService();
    const now = t.clock.now();
    const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
    const at = (h: number, min = 0) => new Date(day.getTime() + (h * 60 + min) * 60_000).toISOString();

    const closed = await json(
      await post(`/genesys/1/service/callback/${name}`, {
        ...seedDelayBody('6504662001'),
        _desired_time: at(20),
      }),
      400,
    );
    expect(closed.message).toContain('outside business hours');
    // GMS's error body, then the free slots (presented at the legacy edge from the typed error).
    expect(Object.keys(closed)).toEqual(['message', 'exception', 'code', 'phrase', 'availability']);
    const availability = closed.availability as Record<string, number>;
    expect(Object.keys(availability).length).toBeGreaterThan(0);
    for (const [slot, left] of Object.entries(availability)) {
      const h = new Date(slot).getUTCHours();
      expect(h >= 9 && h < 17).toBe(true);
      expect(left).toBe(1);
    }

    const ok = await json(
      await post(`/genesys/1/service/callback/${name}`, {
        ...seedDelayBody('6504662002'),
        _desired_time: at(10, 10),
      }),
    );
    const id = ok._id as string;
    expect(ok).toEqual({
      _id: id,
      _text: 'We will notify you when agent is available',
      _desired_time: at(10, 10),
    });
    expect((await m.callbacks.get(id)).state).toBe('SCHEDULED');

    // The slot 10:00-10:30 holds one callback: full.
    const full = await json(
      await post(`/genesys/1/service/callback/${name}`, {
        ...seedDelayBody('6504662003'),
        _desired_time: at(10, 20),
      }),
      400,
    );
    expect(full.message).toContain('No capacity left');
    expect((full.availability as Record<string, number>)[at(10)]).toBeUndefined();
    const v1 = (await (
      await t.fetch(`/genesys/1/service/callback/${name}/availability?start=${at(9)}&end=${at(11)}`)
    ).json()) as Record<string, number>;
    expect(v1).toEqual({ [at(9)]: 1, [at(9, 30)]: 1, [at(10, 30)]: 1 });

    // Reschedule to a free slot frees the old one.
    const moved = await json(
      await t.fetch(`/genesys/1/service/callback/${name}/${id}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ _new_desired_time: at(11) }),
      }),
    );
    expect(moved).toMatchObject({ _callback_state: 'SCHEDULED', _desired_time: at(11) });
    const reschedFull = await json(
      await t.fetch(`/genesys/1/service/callback/${name}/${id}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ _new_desired_time: at(23) }),
      }),
      400,
    );
    expect(reschedFull.availability).toBeDefined();

    // A cancelled scheduled callback gives its place back.
    const noon = await json(
      await post(`/genesys/1/service/callback/${name}`, {
        ...seedDelayBody('6504662004'),
        _desired_time: at(12),
      }),
    );
    const slotsAtNoon = async () =>
      (await (
        await t.fetch(`/genesys/1/service/callback/${name}/availability?start=${at(12)}&end=${at(12, 30)}`)
      ).json()) as Record<string, number>;
    expect(await slotsAtNoon()).toEqual({});
    await json(await t.fetch(`/genesys/1/service/callback/${name}/${noon._id}`, { method: 'DELETE' }));
    expect(await slotsAtNoon()).toEqual({ [at(12)]: 1 });

    // Not due yet: nothing moves. Due: it queues and is routed as a delayed callback.
    expect(await m.callbacks.promoteDue()).toBe(0);
    t.clock.set(new Date(at(11)));
    expect(await m.callbacks.promoteDue()).toBe(1);
    expect(await m.callbacks.promoteDue()).toBe(0);
    expect((await m.callbacks.get(id)).state).toBe('QUEUED');
    expect((await m.routing.router.get(id))?.state).toBe('WAITING');
    await agent(group);
    await storedEvents(id, 1);
    await m.callbacks.cancel(id);
  });

  it('a desired time past the session _ttl keeps the session and its user data alive until then', async () => {
    const { name } = await scheduledService({ _ttl: '3600' });
    const now = t.clock.now();
    const inTwoDays = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 2, 10));
    const ok = await json(
      await post(`/genesys/1/service/callback/${name}`, {
        ...seedDelayBody('6504662101'),
        _desired_time: inTwoDays.toISOString(),
      }),
    );
    const id = ok._id as string;
    const session = await m.sessions.get(id);
    expect(session.expiresAt.toISOString()).toBe(new Date(inTwoDays.getTime() + 3_600_000).toISOString());
    expect((await m.callbacks.get(id)).expiresAt.toISOString()).toBe(session.expiresAt.toISOString());

    // A day later (long past the 1 h _ttl) the session and its user data are still there.
    t.clock.advance(24 * 3_600_000);
    await m.sessions.sweepExpired();
    await m.storage.sweepExpired();
    const data = await t.fetch(`/genesys/1/storage/${session.dataId}`);
    expect(data.status).toBe(200);
    expect(Object.keys((await data.json()) as object).length).toBeGreaterThan(0);

    // Rescheduling later still extends it.
    const later = new Date(inTwoDays.getTime() + 24 * 3_600_000);
    await json(
      await t.fetch(`/genesys/1/service/callback/${name}/${id}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ _new_desired_time: later.toISOString() }),
      }),
    );
    expect((await m.sessions.get(id)).expiresAt.toISOString()).toBe(
      new Date(later.getTime() + 3_600_000).toISOString(),
    );
    await m.callbacks.cancel(id);
  });
});

describe('protection', () => {
  it('refuses numbers of the _exceptions pattern group, premium and impossible numbers', async () => {
    const group = (
      await m.patterns.createGroup(uid('Callback_exceptions'), [{ name: 'exception1', regex: '\\+555.*' }])
    ).name;
    const { name } = await service('User-Originated-Delayed', { _exceptions: group });
    const excluded = await json(
      await post(`/genesys/1/service/callback/${name}`, seedDelayBody('5551234567')),
      400,
    );
    expect(excluded).toMatchObject({
      exception: 'com.genesyslab.gsg.services.callback.exceptions.CallbackExceptionNumber',
    });
    expect(excluded.message).toContain('[+5551234567]');

    const premium = await json(
      await post(`/genesys/1/service/callback/${name}`, seedDelayBody('+19005551234')),
      400,
    );
    expect(premium.message).toBe(
      "Customer Number [+19005551234] is disallowed, because it's a premium number. Check option _disallow_premium_phone_numbers",
    );
    const { name: fr } = await service('User-Originated-Delayed', { _default_country: 'FR' });
    const impossible = await json(
      await post(`/genesys/1/service/callback/${fr}`, seedDelayBody('06041')),
      400,
    );
    expect(impossible.message).toContain('impossible number');
    const fine = await json(await post(`/genesys/1/service/callback/${fr}`, seedDelayBody('0604120405')));
    expect((await m.callbacks.get(fine._id as string)).customerKey).toBe('+33604120405');
  });

  it('refuses a duplicate in queue, and applies the queue limit and throttles with GMS messages', async () => {
    const { name } = await service('Chat-Delayed', {
      _max_queued_callbacks_per_service: '2',
      _throttle_callbacks_per_service_1: '3',
      _throttle_ttl_1: '60',
    });
    const first = await json(await post(`/genesys/1/service/callback/${name}`, seedDelayBody('4085550001')));
    const dup = await json(
      await post(`/genesys/1/service/callback/${name}`, seedDelayBody('4085550001')),
      400,
    );
    expect(dup.message).toContain('_enable_in_queue_checking');
    expect(Object.keys(dup)).toEqual(['message', 'exception', 'code', 'phrase', '_id']);
    expect(dup._id).toBe(first._id);
    const second = await json(await post(`/genesys/1/service/callback/${name}`, seedDelayBody('4085550002')));
    const limit = await json(
      await post(`/genesys/1/service/callback/${name}`, seedDelayBody('4085550003')),
      503,
    );
    expect(limit).toMatchObject({
      message: `Limit of queued callbacks for ${name} is reached.`,
      exception: 'com.genesyslab.gsg.services.callback.exceptions.CallbackExceptionServiceUnavailable',
    });
    await m.callbacks.cancel(second._id as string);
    const fourth = await json(await post(`/genesys/1/service/callback/${name}`, seedDelayBody('4085550004')));
    await m.callbacks.cancel(fourth._id as string);
    const throttled = await json(
      await post(`/genesys/1/service/callback/${name}`, seedDelayBody('4085550005')),
      503,
    );
    expect(throttled.message).toBe(`Limit of queued callbacks for ${name} is reached for interval 60s.`);
  });

  it('limits callbacks per customer number per day', async () => {
    const { name } = await service('Chat-Delayed', { _throttle_request_parameters_limit: '2' });
    for (let i = 0; i < 2; i++) {
      const r = await json(await post(`/genesys/1/service/callback/${name}`, seedDelayBody('4085551111')));
      await m.callbacks.cancel(r._id as string);
    }
    const third = await json(
      await post(`/genesys/1/service/callback/${name}`, seedDelayBody('4085551111')),
      503,
    );
    expect(third.message).toBe(
      'Callback for _customer_number=4085551111 rejected because previous callbacks for this parameter were requested for more than 2 times today.',
    );
  });

  it('completes a queued callback when the customer calls in first', async () => {
    const { name } = await service('User-Originated-Delayed');
    const id = (await json(await post(`/genesys/1/service/callback/${name}`, seedDelayBody('6504669999'))))
      ._id as string;
    expect(await m.callbacks.customerCalledIn('+1 650 466 9999')).toEqual([id]);
    expect(await m.callbacks.get(id)).toMatchObject({ state: 'COMPLETED', reason: 'CUSTOMER_CALLED_IN' });
    expect((await m.routing.router.get(id))?.state).toBe('CANCELLED');

    // Through the match hook: a call matched to another session, from the customer's number.
    const other = (await json(await post(`/genesys/1/service/callback/${name}`, seedDelayBody('6504668888'))))
      ._id as string;
    expect(
      await m.callbacks.callMatched({ sessionId: '1-not-a-callback', phoneNumber: '16504668888' }),
    ).toBeNull();
    expect(await m.callbacks.get(other)).toMatchObject({ state: 'COMPLETED', reason: 'CUSTOMER_CALLED_IN' });
  });
});

describe('user-terminated callbacks (8.5): the dial step for a dialer integration', () => {
  it('confirms at once, asks the dialer to call once an agent is reserved, and connects on CONNECTED', async () => {
    const { name, group } = await service('User-Terminated-Immediate');
    const missing = await json(await post(`/genesys/1/service/callback/${name}`), 400);
    expect(missing.message).toContain('_customer_number');
    const start = await json(
      await post(`/genesys/1/service/callback/${name}`, { _customer_number: '6504667001' }),
    );
    const id = start._id as string;
    expect(start).toEqual({
      _id: id,
      _action: 'ConfirmationDialog',
      _text: 'You will receive the call shortly',
      _ok_title: 'Ok',
      _dialog_id: '0',
    });
    expect((await m.routing.router.get(id))?.state).toBe('WAITING');
    expect((await m.callbacks.pendingDials()).map((d) => d.id)).not.toContain(id);
    const a = await agent(group);
    const dial = await vi.waitFor(
      async () => {
        const found = (await m.callbacks.pendingDials()).find((d) => d.id === id);
        if (!found) throw new Error('no dial yet');
        return found;
      },
      { timeout: 10_000, interval: 20 },
    );
    expect(dial).toMatchObject({ customerNumber: '+6504667001', agentId: a, serviceName: name });
    // No device push: the customer is being called.
    expect(await m.events.readSession(id, 0)).toEqual([]);
    await m.callbacks.sync(id);
    expect((await m.callbacks.pendingDials()).filter((d) => d.id === id)).toHaveLength(1);

    const done = await m.callbacks.reportDialOutcome(id, 'CONNECTED');
    expect(done).toMatchObject({
      state: 'COMPLETED',
      reason: 'AGENT_CONNECTED',
      agentId: a,
      dialOutcome: 'CONNECTED',
    });
    expect(await m.routing.router.get(id)).toMatchObject({ state: 'ACCEPTED', agentId: a });
    await expect(m.callbacks.reportDialOutcome(id, 'CONNECTED')).rejects.toMatchObject({
      code: 'callback/no_pending_dial',
    });
  });

  it('completes with FAIL_CALL_TO_CUSTOMER when the customer does not answer, freeing the agent', async () => {
    const { name, group } = await service('User-Terminated-Immediate');
    const a = await agent(group);
    const id = (
      await json(await post(`/genesys/1/service/callback/${name}`, { _customer_number: '6504667002' }))
    )._id as string;
    await vi.waitFor(async () => expect((await m.callbacks.pendingDials()).map((d) => d.id)).toContain(id), {
      timeout: 10_000,
      interval: 20,
    });
    const failed = await m.callbacks.reportDialOutcome(id, 'NO_ANSWER');
    expect(failed).toMatchObject({ state: 'COMPLETED', reason: 'FAIL_CALL_TO_CUSTOMER' });
    expect((await m.routing.agents.get(a))?.state).toBe('READY');
  });

  it('delayed: notifies the device, and dials after the connect confirmation', async () => {
    const { name, group } = await service('User-Terminated-Delayed');
    const id = (await json(await post(`/genesys/1/service/callback/${name}`, seedDelayBody('6504667003'))))
      ._id as string;
    await agent(group);
    await storedEvents(id, 1);
    expect((await m.callbacks.pendingDials()).map((d) => d.id)).not.toContain(id);
    const confirm = await json(await post(`/genesys/1/service/${id}/connect`));
    expect(confirm).toEqual({
      _id: id,
      _action: 'ConfirmationDialog',
      _text: 'You will receive the call shortly',
      _ok_title: 'Ok',
      _dialog_id: '0',
    });
    expect((await m.callbacks.pendingDials()).map((d) => d.id)).toContain(id);
    await m.callbacks.reportDialOutcome(id, 'CONNECTED');
    expect((await m.callbacks.get(id)).state).toBe('COMPLETED');
  });
});
