import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../../../test/gql/index.js';
import { adminAuth, createTestApp, type TestApp } from '../../../test/harness.js';
import { sseSubscription } from '../../../test/sse.js';

const UpsertGroup = graphql(`
  mutation RoutingDeskUpsertGroup($name: String!) {
    upsertRoutingAgentGroup(name: $name, description: "Billing team") {
      ... on MutationUpsertRoutingAgentGroupSuccess { data { name description agentIds } }
      ... on Error { code message }
    }
  }
`);

const UpsertAgent = graphql(`
  mutation RoutingDeskUpsertAgent($input: RoutingAgentInput!) {
    upsertRoutingAgent(input: $input) {
      ... on MutationUpsertRoutingAgentSuccess {
        data { id name state hasPassword groups skills { name level } }
      }
      ... on ValidationError { code message field }
      ... on Error { code message }
    }
  }
`);

const Login = graphql(`
  mutation RoutingDeskLogin($agentId: String!, $password: String!) {
    agentLogin(agentId: $agentId, password: $password) {
      ... on MutationAgentLoginSuccess { data { token expiresAt agent { id state } } }
      ... on Error { code message }
    }
  }
`);

const Me = graphql(`
  query RoutingDeskMe {
    agentMe {
      id
      state
      currentReservation { id requestId virtualQueue data requestState expiresAt acceptedAt }
    }
  }
`);

const SetState = graphql(`
  mutation RoutingDeskSetState($state: RoutingAgentSettableState!) {
    agentSetState(state: $state) {
      ... on MutationAgentSetStateSuccess { data { state } }
      ... on Error { code message }
    }
  }
`);

const Accept = graphql(`
  mutation RoutingDeskAccept($id: ID!) {
    agentAcceptReservation(reservationId: $id) {
      ... on MutationAgentAcceptReservationSuccess { data { id requestState acceptedAt data } }
      ... on Error { code message }
    }
  }
`);

const Complete = graphql(`
  mutation RoutingDeskComplete($id: ID!) {
    agentCompleteInteraction(reservationId: $id, next: AFTER_CALL_WORK) {
      ... on MutationAgentCompleteInteractionSuccess { data { state } }
      ... on Error { code message }
    }
  }
`);

const Reject = graphql(`
  mutation RoutingDeskReject($id: ID!) {
    agentRejectReservation(reservationId: $id, next: READY) {
      ... on MutationAgentRejectReservationSuccess { data { state } }
      ... on Error { code message }
    }
  }
`);

const Logout = graphql(`
  mutation RoutingDeskLogout {
    agentLogout {
      ... on MutationAgentLogoutSuccess { data { state } }
      ... on Error { code message }
    }
  }
`);

const Agents = graphql(`
  query RoutingDeskAgents {
    routingAgents { id state currentReservation { requestId } }
  }
`);

const Events = graphql(`
  subscription RoutingDeskEvents {
    agentEvents { agentId state kind reservationId reservation { requestId data requestState } }
  }
`);

const CheckTarget = graphql(`
  query RoutingDeskCheckTarget($target: String!) {
    validateRoutingTarget(target: $target) { valid normalized kind groups message }
  }
`);

const Queue = graphql(`
  mutation RoutingDeskQueue($input: VirtualQueueInput!) {
    upsertVirtualQueue(input: $input) {
      ... on MutationUpsertVirtualQueueSuccess { data { name target reservationTimeoutSeconds } }
      ... on Error { code message }
    }
  }
`);

/** Asserts the field was refused by scope-auth. */
async function refused(t: TestApp, query: string, field: string, headers: Record<string, string> = {}) {
  const response = await t.fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { data: unknown; errors?: { path?: string[]; message: string }[] };
  expect(body.data).toBeNull();
  expect(body.errors?.[0]?.path).toEqual([field]);
  expect(body.errors?.[0]?.message).toMatch(/^Not authorized/);
}

const sse = <R>(
  t: TestApp,
  doc: TypedDocumentNode<R, Record<string, never>>,
  headers: Record<string, string>,
) => sseSubscription(t, doc, {}, headers);

describe('agent desktop GraphQL', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('lets admins manage agents and validates targets', async () => {
    const g = await t.admin(UpsertGroup, { name: 'DeskBilling' });
    expect(g.upsertRoutingAgentGroup).toMatchObject({
      data: { name: 'DeskBilling', description: 'Billing team' },
    });
    const bad = await t.admin(UpsertAgent, { input: { id: 'desk-x', groups: ['NoSuchGroup'] } });
    expect(bad.upsertRoutingAgent).toMatchObject({ code: 'routing/unknown_group', field: 'groups' });
    const weak = await t.admin(UpsertAgent, { input: { id: 'desk-x', password: 'short' } });
    expect(weak.upsertRoutingAgent).toMatchObject({ code: 'routing/invalid_password', field: 'password' });
    const ok = await t.admin(UpsertAgent, {
      input: {
        id: 'desk1',
        name: 'Ann Agent',
        password: 'correct horse',
        skills: [{ name: 'English', level: 20 }],
        groups: ['DeskBilling'],
      },
    });
    expect(ok.upsertRoutingAgent).toMatchObject({
      data: {
        id: 'desk1',
        name: 'Ann Agent',
        state: 'LOGGED_OUT',
        hasPassword: true,
        groups: ['DeskBilling'],
        skills: [{ name: 'English', level: 20 }],
      },
    });
    const valid = await t.admin(CheckTarget, { target: 'English=20&Loans=2@StatServer.??' });
    expect(valid.validateRoutingTarget).toEqual({
      valid: true,
      normalized: 'English>=20&Loans>=2@StatServer.??',
      kind: 'skill',
      groups: [],
      message: null,
    });
    const invalid = await t.admin(CheckTarget, { target: 'English=@StatServer.??' });
    expect(invalid.validateRoutingTarget.valid).toBe(false);
    expect(invalid.validateRoutingTarget.message).toMatch(/skill level number/);
    const q = await t.admin(Queue, { input: { name: 'VQ_Desk', target: 'DeskBilling@StatServer.GA' } });
    expect(q.upsertVirtualQueue).toMatchObject({
      data: { name: 'VQ_Desk', reservationTimeoutSeconds: null },
    });
    const badQ = await t.admin(Queue, { input: { name: 'VQ_Desk', reservationTimeoutSeconds: 0 } });
    expect(badQ.upsertVirtualQueue).toMatchObject({ code: 'routing/invalid_setting' });
    await refused(t, '{ routingAgents { id } }', 'routingAgents');
    expect((await t.admin(Agents)).routingAgents.map((a) => a.id)).toEqual(['desk1']);
  });

  it('runs the whole desktop flow: login, ready, reservation with data, accept, complete, logout', async () => {
    const wrong = await t.gql(Login, { agentId: 'desk1', password: 'wrong password' });
    expect(wrong.agentLogin).toMatchObject({ code: 'auth/unauthorized' });
    const unknown = await t.gql(Login, { agentId: 'nobody', password: 'correct horse' });
    expect(unknown.agentLogin).toMatchObject({ code: 'auth/unauthorized' });
    const login = await t.gql(Login, { agentId: 'desk1', password: 'correct horse' });
    if (!('data' in login.agentLogin)) throw new Error('login failed');
    const { token, agent } = login.agentLogin.data;
    expect(token).toMatch(/^agt_/);
    expect(agent).toEqual({ id: 'desk1', state: 'NOT_READY' });
    const auth = { authorization: `Bearer ${token}` };

    // An agent token is not an admin identity, and an admin is not an agent.
    await refused(t, '{ routingAgents { id } }', 'routingAgents', auth);
    await refused(t, '{ agentMe { id } }', 'agentMe', { authorization: adminAuth });
    await refused(t, '{ agentMe { id } }', 'agentMe');

    const events = await sse(t, Events, auth);
    const snapshot = await events.next();
    expect(snapshot.agentEvents).toMatchObject({ agentId: 'desk1', state: 'NOT_READY', kind: null });

    expect((await t.gql(SetState, { state: 'READY' }, auth)).agentSetState).toEqual({
      data: { state: 'READY' },
    });
    expect((await events.next()).agentEvents).toMatchObject({ state: 'READY', kind: null });

    await t.app.managers.routing.router.enqueue({
      requestId: 'desk-session-1',
      virtualQueue: 'VQ_Desk',
      data: { first_name: 'Ann', subject: 'Invoice' },
    });
    const reserved = (await events.next()).agentEvents;
    expect(reserved).toMatchObject({
      state: 'RESERVED',
      kind: 'RESERVED',
      reservation: {
        requestId: 'desk-session-1',
        data: { first_name: 'Ann', subject: 'Invoice' },
        requestState: 'RESERVED',
      },
    });

    const me = await t.gql(Me, {}, auth);
    expect(me.agentMe.state).toBe('RESERVED');
    expect(me.agentMe.currentReservation).toMatchObject({
      id: reserved.reservationId,
      requestId: 'desk-session-1',
      virtualQueue: 'VQ_Desk',
      requestState: 'RESERVED',
      acceptedAt: null,
    });
    const id = me.agentMe.currentReservation?.id as string;

    // Someone else's reservation id is refused.
    expect((await t.gql(Accept, { id: '999999' }, auth)).agentAcceptReservation).toMatchObject({
      code: 'routing/no_such_reservation',
    });
    expect((await t.gql(Accept, { id: 'abc' }, auth)).agentAcceptReservation).toMatchObject({
      code: 'routing/invalid_reservation_id',
    });
    const accepted = await t.gql(Accept, { id }, auth);
    expect(accepted.agentAcceptReservation).toMatchObject({
      data: { id, requestState: 'ACCEPTED', data: { first_name: 'Ann', subject: 'Invoice' } },
    });
    expect((await events.next()).agentEvents).toMatchObject({ state: 'BUSY', kind: 'ACCEPTED' });
    expect((await t.gql(SetState, { state: 'NOT_READY' }, auth)).agentSetState).toMatchObject({
      code: 'routing/agent_busy',
    });

    t.clock.advance(42_000);
    expect((await t.gql(Complete, { id }, auth)).agentCompleteInteraction).toEqual({
      data: { state: 'AFTER_CALL_WORK' },
    });
    expect((await events.next()).agentEvents).toMatchObject({
      state: 'AFTER_CALL_WORK',
      kind: 'COMPLETED',
      reservation: { requestState: 'COMPLETED' },
    });
    expect(await t.app.managers.routing.router.get('desk-session-1')).toMatchObject({ state: 'COMPLETED' });
    expect((await t.app.managers.routing.queues.require('VQ_Desk')).averageHandleSeconds).toBe(42);

    // A second request: rejected back into the queue, then the agent logs out.
    await t.gql(SetState, { state: 'READY' }, auth);
    await events.next();
    await t.app.managers.routing.router.enqueue({ requestId: 'desk-session-2', virtualQueue: 'VQ_Desk' });
    const second = (await events.next()).agentEvents;
    expect(second.kind).toBe('RESERVED');
    expect(
      (await t.gql(Reject, { id: second.reservationId as string }, auth)).agentRejectReservation,
    ).toEqual({
      data: { state: 'RESERVED' },
    });
    // Rejected with next READY: the only agent is offered the same request again.
    expect((await events.next()).agentEvents).toMatchObject({ kind: 'REJECTED', state: 'READY' });
    expect((await events.next()).agentEvents).toMatchObject({ kind: 'RESERVED', state: 'RESERVED' });
    expect((await t.gql(Logout, {}, auth)).agentLogout).toEqual({ data: { state: 'LOGGED_OUT' } });
    expect((await events.next()).agentEvents).toMatchObject({ kind: 'RELEASED', state: 'LOGGED_OUT' });
    await events.close();
    expect(await t.app.managers.routing.router.get('desk-session-2')).toMatchObject({ state: 'WAITING' });
    // The token died with the logout.
    await expect(
      t.app.managers.auth.authenticate({ authorization: auth.authorization, gmsUser: null }),
    ).rejects.toMatchObject({ code: 'auth/unauthorized' });
    const response = await t.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ query: '{ agentMe { id } }' }),
    });
    expect(response.status).toBe(401);
  });
});
