import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CallbackDialogQuery } from '../../../test/callback-documents.js';
import { graphql } from '../../../test/gql/index.js';
import { adminAuth, createTestApp, type TestApp } from '../../../test/harness.js';
import { sseSubscription } from '../../../test/sse.js';

const GMS_USER = 'device-graphql-1';

const Start = graphql(`
  mutation CallbackStart($service: String!, $parameters: [ServiceOptionInput!]!) {
    startCallback(service: $service, parameters: $parameters) {
      __typename
      ... on MutationStartCallbackSuccess {
        data {
          response
          dialog {
            __typename
            action
            ... on CallbackWaitDialog {
              desiredTime
            }
          }
          callback {
            id
            state
            mediaType
            customerNumber
          }
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

const Connect = graphql(`
  mutation CallbackConnect($id: ID!) {
    connectCallback(id: $id) {
      __typename
      ... on MutationConnectCallbackSuccess {
        data
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

const Cancel = graphql(`
  mutation CallbackCancel($id: ID!) {
    cancelCallback(id: $id) {
      __typename
      ... on MutationCancelCallbackSuccess {
        data {
          state
          reason
        }
      }
      ... on Error {
        code
      }
    }
  }
`);

const Update = graphql(`
  mutation CallbackUpdate($id: ID!, $desiredTime: DateTime, $properties: [ServiceOptionInput!]) {
    updateCallback(id: $id, desiredTime: $desiredTime, properties: $properties) {
      __typename
      ... on MutationUpdateCallbackSuccess {
        data {
          id
          state
          record
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

const Position = graphql(`
  query CallbackPosition($id: ID!) {
    callbackQueuePosition(id: $id) {
      __typename
      ... on QueryCallbackQueuePositionSuccess {
        data {
          position
          totalWaiting
          eta
          agentReadyThresholdPassed
          reason
          legacy
        }
      }
      ... on Error {
        code
      }
    }
  }
`);

const Queue = graphql(`
  query CallbackQueue($service: String, $states: [CallbackState!]) {
    callbackQueue(service: $service, states: $states) {
      id
      state
      reason
      record
    }
  }
`);

const AdminCancel = graphql(`
  mutation CallbackAdminCancel($ids: [ID!]!) {
    adminCancelCallbacks(ids: $ids, reason: "test") {
      __typename
      ... on MutationAdminCancelCallbacksSuccess {
        data {
          cancelled
          notCancelled
        }
      }
    }
  }
`);

const Events = graphql(`
  subscription CallbackEvents($id: ID!) {
    callbackEvents(id: $id) {
      seq
      id
      tag
      message
    }
  }
`);

const QueueChanges = graphql(`
  subscription CallbackQueueChanges($service: String) {
    callbackQueueChanges(service: $service) {
      id
      state
    }
  }
`);

const sse = sseSubscription;

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { PUBLIC_URL: 'http://localhost:8080' } });
  const m = t.app.managers;
  await m.routing.agents.upsertGroup({ name: 'GqlBilling' });
  await m.services.create({
    name: 'gql-chat-delay',
    template: 'callback',
    preset: 'Chat-Delayed',
    options: [
      { name: '_target', value: 'GqlBilling@StatServer.GA' },
      { name: '_urs_virtual_queue', value: 'VQ_Gql' },
    ],
  });
});
afterAll(() => t.close());

const params = (number: string) => [
  { name: '_customer_number', value: number },
  { name: 'usr_customer_name', value: 'Ann' },
];

describe('callback GraphQL (mobile side)', () => {
  it('starts, streams the stored agent-available event, reports position, connects and cancels', async () => {
    const user = { gms_user: GMS_USER };
    const started = await t.gql(Start, { service: 'gql-chat-delay', parameters: params('4081110001') }, user);
    if (started.startCallback.__typename !== 'MutationStartCallbackSuccess') throw new Error('start failed');
    const { callback, response, dialog } = started.startCallback.data;
    expect(callback).toMatchObject({ state: 'QUEUED', mediaType: 'chat', customerNumber: '4081110001' });
    expect(response).toEqual({ _id: callback.id, _text: 'We will notify you when agent is available' });
    expect(dialog).toEqual({ __typename: 'CallbackWaitDialog', action: 'WAIT_FOR_AGENT', desiredTime: null });

    const position = await t.gql(Position, { id: callback.id }, user);
    expect(position.callbackQueuePosition).toMatchObject({
      data: { position: 1, totalWaiting: 1, eta: null, reason: 'eta n/a' },
    });
    // Another device does not see it.
    expect(
      (await t.gql(Position, { id: callback.id }, { gms_user: 'someone-else' })).callbackQueuePosition,
    ).toMatchObject({ __typename: 'NotFoundError' });

    // The agent becomes ready before the device subscribes: the stored event still comes first.
    await t.app.managers.routing.agents.upsert({ id: 'gql-agent', groups: ['GqlBilling'] });
    await t.app.managers.routing.setAgentState('gql-agent', 'READY');
    const events = await sse(t, Events, { id: callback.id }, user);
    const first = (await events.next()).callbackEvents;
    expect(first).toMatchObject({
      seq: 1,
      tag: `service.agentavailable.${callback.id}`,
      message: { _action: 'get-dialog-user-confirmation-provide_code-false', _id: callback.id },
    });
    expect(first.id).toMatch(/^[0-9a-f]{32}$/);

    const connect = await t.gql(Connect, { id: callback.id }, user);
    expect(connect.connectCallback).toMatchObject({
      data: {
        _action: 'StartChat',
        _start_chat_url: `http://localhost:8080/genesys/1/service/${callback.id}/ixn/chat`,
      },
    });
    // The typed dialog it answered with is the callback's now.
    expect((await t.gql(CallbackDialogQuery, { id: callback.id }, user)).callback?.dialog).toEqual({
      __typename: 'CallbackStartChatDialog',
      action: 'START_CHAT',
    });

    // A live notification arrives on the open subscription.
    await t.app.managers.callbacks.notifyDevice(callback.id, {
      displayMessage: 'hi',
      applicationMessage: 'APP',
    });
    expect((await events.next()).callbackEvents).toMatchObject({
      seq: 2,
      tag: `service.notification.${callback.id}`,
      message: { _internal_message: 'APP', _id: callback.id, _display_message: 'hi' },
    });
    await events.close();

    const cancelled = await t.gql(Cancel, { id: callback.id }, user);
    expect(cancelled.cancelCallback).toEqual({
      __typename: 'MutationCancelCallbackSuccess',
      data: { state: 'COMPLETED', reason: 'CANCELLED' },
    });
    expect((await t.app.managers.routing.agents.get('gql-agent'))?.state).toBe('READY');
  });

  it('stores properties and checks what it is given, as the REST PUT does (updateCallback)', async () => {
    const user = { gms_user: 'device-graphql-update' };
    const started = await t.gql(Start, { service: 'gql-chat-delay', parameters: params('4081110002') }, user);
    if (started.startCallback.__typename !== 'MutationStartCallbackSuccess') throw new Error('start failed');
    const id = started.startCallback.data.callback.id;
    const updated = await t.gql(Update, { id, properties: [{ name: 'usr_order', value: 'A-17' }] }, user);
    expect(updated.updateCallback).toMatchObject({
      __typename: 'MutationUpdateCallbackSuccess',
      data: { id, record: { usr_order: 'A-17', usr_customer_name: 'Ann' } },
    });
    // The session's user data too (what the agent and the Storage API read).
    expect(await t.app.managers.sessions.userData(id)).toMatchObject({ usr_order: 'A-17' });

    expect((await t.gql(Update, { id }, user)).updateCallback).toMatchObject({
      __typename: 'ValidationError',
      code: 'callback/missing_parameter',
    });
    expect(
      (await t.gql(Update, { id, properties: [{ name: '_callback_state', value: 'COMPLETED' }] }, user))
        .updateCallback,
    ).toMatchObject({ __typename: 'ValidationError', code: 'callback/invalid_property' });
    expect(
      (await t.gql(Update, { id, properties: [{ name: 'usr_x', value: '1' }] }, { gms_user: 'someone-else' }))
        .updateCallback,
    ).toMatchObject({ __typename: 'NotFoundError' });
    expect((await t.gql(Cancel, { id }, user)).cancelCallback).toMatchObject({
      data: { state: 'COMPLETED' },
    });
  });

  it('refuses what the REST API refuses, as error results', async () => {
    const r = await t.gql(
      Start,
      { service: 'gql-chat-delay', parameters: [{ name: '_customer_number', value: '+19005551234' }] },
      { gms_user: GMS_USER },
    );
    expect(r.startCallback).toMatchObject({ __typename: 'ValidationError' });
  });
});

describe('callback GraphQL (Callback Management)', () => {
  it('lists the queue, streams its changes and bulk-cancels, admins only', async () => {
    const changes = await sse(t, QueueChanges, { service: 'gql-chat-delay' }, { authorization: adminAuth });
    const initial = (await changes.next()).callbackQueueChanges;
    const started = await t.gql(
      Start,
      { service: 'gql-chat-delay', parameters: params('4081110002') },
      {
        gms_user: GMS_USER,
      },
    );
    if (started.startCallback.__typename !== 'MutationStartCallbackSuccess') throw new Error('start failed');
    const id = started.startCallback.data.callback.id;
    // Every change re-reads the stored queue: the new callback shows up.
    for (;;) {
      const rows = (await changes.next()).callbackQueueChanges;
      if (rows.some((r) => r.id === id)) break;
    }
    expect(initial.some((r) => r.id === id)).toBe(false);

    const queue = await t.admin(Queue, { service: 'gql-chat-delay' });
    expect(queue.callbackQueue.map((c) => c.id)).toContain(id);
    expect(queue.callbackQueue.find((c) => c.id === id)?.record).toMatchObject({
      _id: id,
      usr_customer_name: 'Ann',
    });

    const response = await t.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: print(Queue), variables: {} }),
    });
    const refused = (await response.json()) as { errors?: { message: string }[] };
    expect(refused.errors?.[0]?.message).toMatch(/^Not authorized/);

    const cancel = await t.admin(AdminCancel, { ids: [id] });
    expect(cancel.adminCancelCallbacks).toMatchObject({ data: { cancelled: [id], notCancelled: [] } });
    for (;;) {
      const rows = (await changes.next()).callbackQueueChanges;
      if (!rows.some((r) => r.id === id)) break;
    }
    await changes.close();
    const completed = await t.admin(Queue, { service: 'gql-chat-delay', states: ['COMPLETED'] });
    expect(completed.callbackQueue.find((c) => c.id === id)).toMatchObject({
      state: 'COMPLETED',
      reason: 'CANCELLED_BY_ADMIN',
    });
  });
});

const PendingDials = graphql(`
  query CallbackPendingDials {
    callbackPendingDials {
      id
      customerNumber
      agentId
    }
  }
`);

const ReportDial = graphql(`
  mutation CallbackReportDial($id: ID!, $outcome: CallbackDialOutcome!) {
    reportCallbackDialOutcome(id: $id, outcome: $outcome) {
      __typename
      ... on MutationReportCallbackDialOutcomeSuccess {
        data {
          state
          reason
        }
      }
      ... on Error {
        code
      }
    }
  }
`);

describe('callback GraphQL (dialer integration)', () => {
  it('lists pending dials and takes the outcome, admins only', async () => {
    const m = t.app.managers;
    await m.routing.agents.upsertGroup({ name: 'GqlDial' });
    await m.services.create({
      name: 'gql-userterm',
      template: 'callback',
      preset: 'User-Terminated-Immediate',
      options: [
        { name: '_target', value: 'GqlDial@StatServer.GA' },
        { name: '_urs_virtual_queue', value: 'VQ_GqlDial' },
      ],
    });
    await m.routing.agents.upsert({ id: 'gql-dial-agent', groups: ['GqlDial'] });
    await m.routing.setAgentState('gql-dial-agent', 'READY');
    const started = await t.gql(
      Start,
      { service: 'gql-userterm', parameters: params('4081110003') },
      {
        gms_user: GMS_USER,
      },
    );
    if (started.startCallback.__typename !== 'MutationStartCallbackSuccess') throw new Error('start failed');
    const id = started.startCallback.data.callback.id;
    expect(started.startCallback.data.response).toMatchObject({ _action: 'ConfirmationDialog', _id: id });
    expect(started.startCallback.data.dialog).toEqual({
      __typename: 'CallbackConfirmationDialog',
      action: 'CONFIRMATION',
    });
    // The reservation may be made by a later matching pass: the dial request follows it.
    await vi.waitFor(
      async () => {
        const pending = await t.admin(PendingDials, {});
        expect(pending.callbackPendingDials).toContainEqual({
          id,
          customerNumber: '+4081110003',
          agentId: 'gql-dial-agent',
        });
      },
      { timeout: 10_000, interval: 20 },
    );
    const report = await t.admin(ReportDial, { id, outcome: 'CONNECTED' });
    expect(report.reportCallbackDialOutcome).toEqual({
      __typename: 'MutationReportCallbackDialOutcomeSuccess',
      data: { state: 'COMPLETED', reason: 'AGENT_CONNECTED' },
    });
    const again = await t.admin(ReportDial, { id, outcome: 'CONNECTED' });
    expect(again.reportCallbackDialOutcome).toMatchObject({ code: 'callback/no_pending_dial' });
  });
});
