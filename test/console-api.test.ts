import { afterEach, describe, expect, test } from 'vitest';
import { graphql } from './gql/index.js';
import { adminAuth, createTestApp, type TestApp } from './harness.js';
import { sseSubscription } from './sse.js';

/** What the console needed from the API, added for every client. */

const ViewerDefaults = graphql(`
  query ConsoleApiViewer {
    viewer {
      kind
      username
      defaultCredentials
    }
  }
`);

describe('viewer.defaultCredentials', () => {
  let t: TestApp | null = null;
  afterEach(async () => {
    await t?.close();
    t = null;
  });

  test('true for an admin while default/password is configured; null for anyone else', async () => {
    t = await createTestApp();
    expect((await t.admin(ViewerDefaults)).viewer).toEqual({
      kind: 'admin',
      username: 'default',
      defaultCredentials: true,
    });
    expect((await t.gql(ViewerDefaults, {}, { gms_user: 'u1' })).viewer.defaultCredentials).toBeNull();
  });

  test('false once ADMIN_USERNAME / ADMIN_PASSWORD are set', async () => {
    t = await createTestApp({ env: { ADMIN_USERNAME: 'boss', ADMIN_PASSWORD: 'long-secret' } });
    const auth = `Basic ${Buffer.from('boss:long-secret').toString('base64')}`;
    const r = await t.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: auth },
      body: JSON.stringify({ query: '{ viewer { kind defaultCredentials } }' }),
    });
    expect(await r.json()).toEqual({ data: { viewer: { kind: 'admin', defaultCredentials: false } } });
  });
});

const CreateForCategories = graphql(`
  mutation ConsoleApiCreateService($input: CreateServiceInput!) {
    createService(input: $input) {
      __typename
      ... on MutationCreateServiceSuccess {
        data {
          service {
            options(includeAdvanced: true) {
              name
              category
            }
          }
        }
      }
    }
  }
`);

describe('ConfiguredServiceOption.category', () => {
  let t: TestApp;
  afterEach(() => t.close());

  test('a template option names its template category; a custom option has none', async () => {
    t = await createTestApp();
    const r = await t.admin(CreateForCategories, {
      input: {
        name: 'cat-check',
        template: 'request-interaction',
        options: [{ name: 'my_custom', value: 'x' }],
      },
    });
    if (r.createService.__typename !== 'MutationCreateServiceSuccess')
      throw new Error(r.createService.__typename);
    const byName = Object.fromEntries(r.createService.data.service.options.map((o) => [o.name, o.category]));
    expect(byName._type).toBe('General');
    expect(byName._resource_group).toBe('Request Interaction');
    expect(byName.my_custom).toBeNull();
  });
});

const CreatePool = graphql(`
  mutation ConsoleApiCreatePool($input: CreateResourceGroupInput!) {
    createResourceGroup(input: $input) {
      __typename
    }
  }
`);

const Pools = graphql(`
  query ConsoleApiPools {
    resourcePools {
      group
      health {
        total
        booked
        free
        activeBookings
      }
    }
  }
`);

const PoolsChanged = graphql(`
  subscription ConsoleApiPoolsChanged {
    resourcePoolsChanged {
      group
      health {
        booked
        free
      }
    }
  }
`);

describe('resourcePools / resourcePoolsChanged (live booked/free counts)', () => {
  let t: TestApp;
  afterEach(() => t.close());

  test('counts per group from SQL; the subscription sends the counts, then again when a booking changes them', async () => {
    t = await createTestApp();
    await t.admin(CreatePool, {
      input: {
        name: 'DNIS',
        resources: [
          { name: 'a', accessNumber: '1-800-0001' },
          { name: 'b', accessNumber: '1-800-0002' },
        ],
      },
    });
    await t.admin(CreatePool, { input: { name: 'Empty' } });
    const sub = await sseSubscription(t, PoolsChanged, {}, { authorization: adminAuth });
    try {
      expect((await sub.next()).resourcePoolsChanged).toEqual([
        { group: 'DNIS', health: { booked: 0, free: 2 } },
        { group: 'Empty', health: { booked: 0, free: 0 } },
      ]);
      const form = new FormData();
      form.append('_phone_number', '6504669999');
      form.append('_resource_group', 'DNIS');
      const booked = await t.fetch('/genesys/1/service/request-interaction', { method: 'POST', body: form });
      expect(booked.status).toBe(200);
      expect((await sub.next()).resourcePoolsChanged[0]).toEqual({
        group: 'DNIS',
        health: { booked: 1, free: 1 },
      });
    } finally {
      await sub.close();
    }
    expect((await t.admin(Pools)).resourcePools).toEqual([
      { group: 'DNIS', health: { total: 2, booked: 1, free: 1, activeBookings: 1 } },
      { group: 'Empty', health: { total: 0, booked: 0, free: 0, activeBookings: 0 } },
    ]);
    // Admins only.
    const anon = await t.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ resourcePools { group } }' }),
    });
    expect(JSON.stringify(await anon.json())).toMatch(/Not authorized|not authorized|unauthori/i);
  });
});

const QueuePage = graphql(`
  query ConsoleApiQueuePage($limit: Int!, $offset: Int!) {
    callbackQueue(limit: $limit, offset: $offset) {
      customerNumber
      state
      queuePosition {
        position
        totalWaiting
      }
    }
  }
`);

describe('callbackQueue offset and Callback.queuePosition (Callback Management columns)', () => {
  let t: TestApp;
  afterEach(() => t.close());

  test('pages in a stable order; each waiting callback carries its position', async () => {
    t = await createTestApp();
    await t.app.managers.routing.agents.upsertGroup({ name: 'Billing' });
    await t.app.managers.services.create({
      name: 'cb-pages',
      template: 'callback',
      preset: 'User-Originated-Delayed',
      options: [
        { name: '_target', value: 'Billing@StatServer.GA' },
        { name: '_urs_virtual_queue', value: 'VQ_Pages' },
      ],
    });
    for (const n of ['4082650101', '4082650102', '4082650103']) {
      const form = new FormData();
      form.append('_customer_number', n);
      const r = await t.fetch('/genesys/1/service/callback/cb-pages', {
        method: 'POST',
        body: form,
        headers: { gms_user: 'dev' },
      });
      expect(r.status).toBe(200);
      t.clock.advance(1000);
    }
    const all = (await t.admin(QueuePage, { limit: 10, offset: 0 })).callbackQueue;
    expect(
      all.map((c) => [c.customerNumber, c.queuePosition?.position, c.queuePosition?.totalWaiting]),
    ).toEqual([
      ['4082650101', 1, 3],
      ['4082650102', 2, 3],
      ['4082650103', 3, 3],
    ]);
    const second = (await t.admin(QueuePage, { limit: 2, offset: 1 })).callbackQueue;
    expect(second.map((c) => c.customerNumber)).toEqual(['4082650102', '4082650103']);
    const cancelled = all[0]?.customerNumber;
    const [first] = await t.app.managers.callbacks.list({ customerNumber: cancelled, limit: 1 });
    if (!first) throw new Error('no callback');
    await t.app.managers.callbacks.adminCancel([first.id]);
    const after = await t.admin(QueuePage, { limit: 10, offset: 0 });
    expect(after.callbackQueue.map((c) => c.queuePosition?.position)).toEqual([1, 2]);
  });
});

const StatServer = graphql(`
  query ConsoleApiStatServer($metric: String!) {
    statServerMetrics
    statServerObjectTypes {
      name
      objectType
    }
    routingStatistics(objectId: "VQ_Stat", objectType: VIRTUAL_QUEUE) {
      __typename
      ... on QueryRoutingStatisticsSuccess {
        data {
          requestsWaiting
          value: statServerValue(metric: $metric)
        }
      }
    }
  }
`);

describe('statServerMetrics / statServerObjectTypes / RoutingStatistics.statServerValue (Lab → Statistics)', () => {
  let t: TestApp;
  afterEach(() => t.close());

  test('the Stat Server names of the legacy Stat API, and a metric read by name', async () => {
    t = await createTestApp();
    await t.app.managers.routing.queues.upsert({ name: 'VQ_Stat' });
    const r = await t.admin(StatServer, { metric: 'CurrNumberWaitingCalls' });
    expect(r.statServerMetrics).toContain('AbandCallsPercentage');
    expect(r.statServerObjectTypes).toContainEqual({ name: 'regdn', objectType: 'VIRTUAL_QUEUE' });
    expect(r.statServerObjectTypes).toContainEqual({ name: 'groupagents', objectType: 'AGENT_GROUP' });
    if (r.routingStatistics.__typename !== 'QueryRoutingStatisticsSuccess')
      throw new Error(r.routingStatistics.__typename);
    expect(r.routingStatistics.data).toEqual({ requestsWaiting: 0, value: '0' });
    await expect(t.admin(StatServer, { metric: 'NoSuchMetric' })).rejects.toThrow(
      /Unknown metric 'NoSuchMetric'/,
    );
  });
});
