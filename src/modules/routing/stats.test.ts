import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../../../test/gql/index.js';
import { adminAuth, createTestApp, multipart, type TestApp } from '../../../test/harness.js';
import type { RoutingManager } from './routing.manager.js';

const Stats = graphql(`
  query RoutingStatsQuery($type: RoutingObjectType!, $id: String!, $window: Int) {
    routingStatistics(objectType: $type, objectId: $id, windowSeconds: $window) {
      ... on QueryRoutingStatisticsSuccess {
        data {
          objectType objectId windowSeconds requestsWaiting requestsReserved expectedWaitSeconds
          longestCurrentWaitSeconds agentsReady agentsBusy agentsNotReady agentsLoggedIn agentState
          averageHandleSeconds answered averageWaitSeconds maxWaitSeconds abandoned abandonedPercentage
          averageAbandonWaitSeconds
        }
      }
      ... on Error { code message }
    }
  }
`);

const Live = graphql(`
  subscription RoutingStatsLive {
    routingQueueStatistics(virtualQueue: "StatQ") { requestsWaiting agentsReady }
  }
`);

/**
 * One story, timed with the manual clock (t in seconds):
 * t=0 q1..q4 arrive; t=10 s1 ready, takes q1; t=40 s1 completes q1 (30 s), takes q2;
 * t=40 q3 is cancelled; now t=60: q4 still waits, s1 busy with q2, s2 not ready.
 */
describe('routing statistics', () => {
  let t: TestApp;
  let routing: RoutingManager;
  beforeAll(async () => {
    t = await createTestApp();
    routing = t.app.managers.routing;
    await routing.agents.upsertGroup({ name: 'StatG' });
    await routing.queues.upsert({ name: 'StatQ', target: 'StatG@StatServer.GA', defaultHandleSeconds: 60 });
    await routing.agents.upsert({ id: 's1', groups: ['StatG'] });
    await routing.agents.upsert({ id: 's2', groups: ['StatG'] });
    await routing.agents.upsert({ id: 'outsider', skills: [{ name: 'Other', level: 1 }] });
    await routing.setAgentState('s2', 'NOT_READY');
    await routing.setAgentState('outsider', 'READY');
    for (const id of ['q1', 'q2', 'q3', 'q4'])
      await routing.router.enqueue({ requestId: id, virtualQueue: 'StatQ' });
    t.clock.advance(10_000);
    await routing.setAgentState('s1', 'READY');
    const first = await routing.currentReservation('s1');
    expect(first?.requestId).toBe('q1');
    await routing.acceptReservation('s1', first?.id ?? 0);
    t.clock.advance(30_000);
    await routing.completeInteraction('s1', first?.id ?? 0, 'READY');
    const second = await routing.currentReservation('s1');
    expect(second?.requestId).toBe('q2');
    await routing.acceptReservation('s1', second?.id ?? 0);
    await routing.router.cancel('q3', 'caller hung up');
    t.clock.advance(20_000);
  });
  afterAll(() => t.close());

  const expected = {
    requestsWaiting: 1,
    requestsReserved: 0,
    longestCurrentWaitSeconds: 60,
    agentsReady: 0,
    agentsBusy: 1,
    agentsNotReady: 1,
    agentsLoggedIn: 2,
    answered: 2,
    averageWaitSeconds: 25,
    maxWaitSeconds: 40,
    abandoned: 1,
    abandonedPercentage: 33.33,
    averageAbandonWaitSeconds: 40,
    averageHandleSeconds: 30,
  };

  it('aggregates a virtual queue', async () => {
    const s = await routing.statistics('VIRTUAL_QUEUE', 'StatQ');
    // EWT of a new arrival: position 2, no ready agent, one staffed, AHT 30 s (one sample).
    expect(s).toMatchObject({ ...expected, expectedWaitSeconds: 60, windowSeconds: 900, agentState: null });
  });

  it('aggregates an agent group over the requests that target it', async () => {
    const s = await routing.statistics('AGENT_GROUP', 'StatG');
    expect(s).toMatchObject({ ...expected, expectedWaitSeconds: 60 });
  });

  it('aggregates an agent over the work it handled and could take', async () => {
    const s = await routing.statistics('AGENT', 's1');
    expect(s).toMatchObject({
      requestsWaiting: 1,
      longestCurrentWaitSeconds: 60,
      agentState: 'BUSY',
      agentsBusy: 1,
      agentsReady: 0,
      answered: 2,
      averageWaitSeconds: 25,
      maxWaitSeconds: 40,
      abandoned: 0,
      abandonedPercentage: 0,
      averageHandleSeconds: 30,
      expectedWaitSeconds: null,
    });
    expect(await routing.statistics('AGENT', 'outsider')).toMatchObject({
      requestsWaiting: 0,
      agentsReady: 1,
    });
  });

  it('only counts what happened inside the window', async () => {
    const s = await routing.statistics('VIRTUAL_QUEUE', 'StatQ', 15);
    expect(s).toMatchObject({
      requestsWaiting: 1,
      longestCurrentWaitSeconds: 60,
      answered: 0,
      abandoned: 0,
      abandonedPercentage: 0,
      averageWaitSeconds: null,
      averageHandleSeconds: null,
    });
    await expect(routing.statistics('VIRTUAL_QUEUE', 'StatQ', 0)).rejects.toMatchObject({
      code: 'routing/invalid_window',
    });
  });

  it('answers the GraphQL query, with errors for unknown objects', async () => {
    const r = await t.admin(Stats, { type: 'VIRTUAL_QUEUE', id: 'StatQ' });
    expect(r.routingStatistics).toMatchObject({
      data: { ...expected, objectType: 'VIRTUAL_QUEUE', objectId: 'StatQ' },
    });
    const missing = await t.admin(Stats, { type: 'AGENT_GROUP', id: 'Nope' });
    expect(missing.routingStatistics).toMatchObject({ code: 'routing/group_not_found' });
  });

  it('serves the legacy Stat API with the Stat Server metric names', async () => {
    const peek = async (
      path: string,
      fields: Record<string, string>,
      headers: Record<string, string> = {},
    ) => {
      const response = await t.fetch(path, { method: 'POST', body: new URLSearchParams(fields), headers });
      return {
        status: response.status,
        age: response.headers.get('age'),
        body: (await response.json()) as Record<string, unknown>,
      };
    };
    const internal = '/genesys/1/internal_statistic';
    const waiting = await peek(internal, {
      objectId: 'StatQ@SIP_Switch',
      objectType: 'Queue',
      tenant: 'Resources',
      metric: 'CurrNumberWaitingCalls',
    });
    expect(waiting).toMatchObject({
      status: 200,
      age: '0',
      body: { objectId: 'StatQ@SIP_Switch', objectType: 'Queue', metric: 'CurrNumberWaitingCalls', value: 1 },
    });
    const values = async (objectType: string, objectId: string, metrics: string[]) =>
      Promise.all(
        metrics.map(async (metric) => (await peek(internal, { objectType, objectId, metric })).body.value),
      );
    expect(
      await values('Queue', 'StatQ', [
        'ExpectedWaitTime',
        'CurrMaxCallWaitingTime',
        'AbandCallsPercentage',
        'AverAbandCallTime',
        'AverDistribCallTime',
        'AverHandleStatusTime',
        'TotalNumberCallsAbandoned',
      ]),
    ).toEqual([60, 60, 33.33, 40, 25, 30, 1]);
    expect(
      await values('GroupAgents', 'StatG', [
        'CurrentReadyAgents',
        'CurrentNotReadyAgents',
        'currentbusyagents',
      ]),
    ).toEqual([0, 1, 1]);
    expect(await values('Agent', 's1', ['CurrentAgentState'])).toEqual(['BUSY']);

    // statisticType is accepted for metric, and multipart bodies work too.
    const viaMultipart = await t.fetch(internal, {
      method: 'POST',
      body: multipart({ objectId: 'StatQ', objectType: 'RegDN', statisticType: 'CurrNumberWaitingCalls' }),
    });
    expect(await viaMultipart.json()).toMatchObject({ value: 1 });

    // The external flavour needs Basic auth.
    const open = await peek('/genesys/1/statistic', {
      objectId: 'StatQ',
      objectType: 'Queue',
      metric: 'CurrNumberWaitingCalls',
    });
    expect(open.status).toBe(401);
    const authed = await peek(
      '/genesys/1/statistic',
      { objectId: 'StatQ', objectType: 'Queue', metric: 'CurrNumberWaitingCalls' },
      { authorization: adminAuth },
    );
    expect(authed).toMatchObject({ status: 200, body: { value: 1 } });

    const notFound = await peek(internal, {
      objectId: 'Nope',
      objectType: 'Queue',
      metric: 'CurrNumberWaitingCalls',
    });
    expect(notFound).toMatchObject({
      status: 403,
      body: { message: "Queue 'Nope' not found", code: 403, phrase: 'Forbidden' },
    });
    expect(typeof notFound.body.exception).toBe('string');
    expect(
      (await peek(internal, { objectId: 'p1', objectType: 'Place', metric: 'CurrentAgentState' })).status,
    ).toBe(403);
    expect((await peek(internal, { objectId: 'StatQ', objectType: 'Queue', metric: 'Bogus' })).status).toBe(
      403,
    );
    const missing = await peek(internal, { objectType: 'Queue', metric: 'CurrNumberWaitingCalls' });
    expect(missing).toMatchObject({ status: 400, body: { message: "Parameter 'objectId' is required" } });
  });

  it('streams a queue’s statistics live', async () => {
    const response = await t.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: adminAuth },
      body: JSON.stringify({ query: print(Live) }),
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    const next = async (): Promise<{ requestsWaiting: number; agentsReady: number }> => {
      for (;;) {
        const match = /data: (.+)\n/.exec(buffer);
        if (match) {
          buffer = buffer.slice((match.index ?? 0) + match[0].length);
          return (
            JSON.parse(match[1] as string) as {
              data: { routingQueueStatistics: { requestsWaiting: number; agentsReady: number } };
            }
          ).data.routingQueueStatistics;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buffer += decoder.decode(value, { stream: true });
      }
    };
    expect(await next()).toEqual({ requestsWaiting: 1, agentsReady: 0 });
    await routing.router.enqueue({ requestId: 'q5', virtualQueue: 'StatQ' });
    expect(await next()).toEqual({ requestsWaiting: 2, agentsReady: 0 });
    await reader.cancel();
  });
});
