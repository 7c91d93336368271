import { randomUUID } from 'node:crypto';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { graphql } from '../../../test/gql/index.js';
import {
  adminAuth,
  backend,
  createTestApp,
  createTestDatabase,
  type TestApp,
  type TestDatabase,
} from '../../../test/harness.js';
import { ManualClock } from '../../clock.js';
import { ConfigError, loadConfig } from '../../config.js';
import { createLogger } from '../../log/logger.js';
import { MetricsRegistry } from '../../metrics/registry.js';
import { appVersion } from '../../version.js';
import { type NodeChange, NodeManager } from './node.manager.js';
import { registerNode } from './node.registration.js';

const Nodes = graphql(`
  query NodeHealthList {
    nodes {
      id
      health
      flaggedForRemoval
      downSince
      removable
      lastSeenAt
    }
  }
`);

const Summary = graphql(`
  query NodeHealthSummary {
    clusterSummary {
      nodes
      up
      down
      flaggedForRemoval
      online
      offline
      downAfterSeconds
      flagAfterSeconds
    }
  }
`);

const Remove = graphql(`
  mutation NodeHealthRemove($nodeId: Int!) {
    removeNode(nodeId: $nodeId) {
      __typename
      ... on MutationRemoveNodeSuccess {
        data {
          id
          health
        }
      }
      ... on Error {
        code
        message
      }
      ... on NodeStillUpError {
        nodeId
        lastSeenAt
      }
      ... on AnsweringNodeError {
        nodeId
      }
    }
  }
`);

const WATCH = 'subscription { nodeChanged { id change health flaggedForRemoval removable } }';

interface WatchedChange {
  id: number;
  change: string;
  health: string;
  flaggedForRemoval: boolean;
  removable: boolean;
}

/** Subscribes to nodeChanged on a running instance over graphql-ws and records every event. */
async function watchNodes(t: TestApp) {
  const { url } = await t.app.start({ port: 0, host: '127.0.0.1' });
  const client = createClient({
    url: `${url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: adminAuth },
    retryAttempts: 0,
  });
  const events: WatchedChange[] = [];
  client.subscribe<{ nodeChanged: WatchedChange }>(
    { query: WATCH },
    {
      next: (v) => {
        if (v.data) events.push(v.data.nodeChanged);
      },
      error: () => {},
      complete: () => {},
    },
  );
  // The subscription is live once the bus has it: wait for this node's own heartbeat to arrive.
  await vi.waitFor(async () => {
    await t.app.managers.nodes.heartbeat();
    expect(events.some((e) => e.id === t.app.deps.node.id)).toBe(true);
  });
  return {
    of: (id: number) => events.filter((e) => e.id === id && e.change !== 'HEARTBEAT'),
    close: () => client.dispose(),
  };
}

/** Another node of the cluster, in this process: its own row and manager on the same storage and bus. */
async function peerNode(t: TestApp, name = `peer-${randomUUID().slice(0, 8)}`) {
  const node = await registerNode(t.app.deps.db, { name, version: appVersion, now: t.clock.now() });
  const manager = new NodeManager({
    ...t.app.deps,
    node,
    metrics: new MetricsRegistry(createLogger('silent')),
  });
  return { id: node.id, manager };
}

describe('cluster health (Home)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('a peer that stops heartbeating goes DOWN, is flagged after NODE_FLAG_AFTER_MS, and can then be removed', async () => {
    const { downAfterMs, flagAfterMs } = t.config.node;
    expect(flagAfterMs).toBe(45 * 60_000);
    const watch = await watchNodes(t);
    const self = t.app.deps.node.id;
    const peer = await peerNode(t);
    await peer.manager.announceJoined();

    const whileUp = await t.admin(Remove, { nodeId: peer.id });
    expect(whileUp.removeNode).toMatchObject({
      __typename: 'NodeStillUpError',
      code: 'node/still_up',
      nodeId: peer.id,
    });

    t.clock.advance(downAfterMs + 1);
    await t.app.managers.nodes.heartbeat();
    const down = (await t.admin(Nodes)).nodes;
    const peerRow = down.find((n) => n.id === peer.id);
    expect(peerRow).toMatchObject({ health: 'DOWN', flaggedForRemoval: false, removable: true });
    expect(peerRow?.downSince).toBe(peerRow?.lastSeenAt);
    expect(down.find((n) => n.id === self)).toMatchObject({
      health: 'UP',
      downSince: null,
      removable: false,
    });
    expect((await t.admin(Summary)).clusterSummary).toEqual({
      nodes: 2,
      up: 1,
      down: 1,
      flaggedForRemoval: 0,
      online: 2,
      offline: 0,
      downAfterSeconds: downAfterMs / 1000,
      flagAfterSeconds: 2700,
    });

    // Each transition is announced once, however often the sweep runs.
    expect((await t.app.managers.nodes.sweepHealth()).map((c) => [c.id, c.change])).toEqual([
      [peer.id, 'WENT_DOWN'],
    ]);
    expect(await t.app.managers.nodes.sweepHealth()).toEqual([]);

    t.clock.advance(flagAfterMs - downAfterMs);
    await t.app.managers.nodes.heartbeat();
    expect((await t.app.managers.nodes.sweepHealth()).map((c) => [c.id, c.change])).toEqual([
      [peer.id, 'FLAGGED'],
    ]);
    expect((await t.admin(Nodes)).nodes.find((n) => n.id === peer.id)?.flaggedForRemoval).toBe(true);
    expect((await t.admin(Summary)).clusterSummary).toMatchObject({ up: 1, down: 1, flaggedForRemoval: 1 });

    const itself = await t.admin(Remove, { nodeId: self });
    expect(itself.removeNode).toMatchObject({
      __typename: 'AnsweringNodeError',
      code: 'node/answering_node',
    });
    const unknown = await t.admin(Remove, { nodeId: 999_999 });
    expect(unknown.removeNode).toMatchObject({ __typename: 'NotFoundError', code: 'node/not_found' });
    await expect(t.gql(Remove, { nodeId: peer.id })).rejects.toThrow(/Not authorized/);

    const removed = await t.admin(Remove, { nodeId: peer.id });
    expect(removed.removeNode).toEqual({
      __typename: 'MutationRemoveNodeSuccess',
      data: { id: peer.id, health: 'DOWN' },
    });
    expect((await t.admin(Nodes)).nodes.map((n) => n.id)).toEqual([self]);
    expect((await t.admin(Summary)).clusterSummary).toMatchObject({
      nodes: 1,
      down: 0,
      flaggedForRemoval: 0,
    });
    const again = await t.admin(Remove, { nodeId: peer.id });
    expect(again.removeNode).toMatchObject({ __typename: 'NotFoundError' });

    await vi.waitFor(() =>
      expect(watch.of(peer.id).map((e) => e.change)).toEqual(['JOINED', 'WENT_DOWN', 'FLAGGED', 'REMOVED']),
    );
    const [, wentDown, flagged, gone] = watch.of(peer.id);
    expect(wentDown).toMatchObject({ health: 'DOWN', flaggedForRemoval: false, removable: true });
    expect(flagged).toMatchObject({ health: 'DOWN', flaggedForRemoval: true, removable: true });
    expect(gone).toMatchObject({ health: 'DOWN', removable: false });
    await watch.close();
    await t.app.stop();
  });

  it('a node that comes back is announced UP once, and its next outage is announced again', async () => {
    const peer = await peerNode(t);
    const events: NodeChange[] = [];
    const sub = t.app.deps.bus.subscribe('node:changed', null);
    await sub.ready;
    const reading = (async () => {
      for await (const e of sub) if (e.id === peer.id) events.push(e);
    })();

    t.clock.advance(t.config.node.downAfterMs + 1);
    await t.app.managers.nodes.sweepHealth();
    await peer.manager.heartbeat();
    await peer.manager.heartbeat();
    t.clock.advance(t.config.node.downAfterMs + 1);
    await t.app.managers.nodes.sweepHealth();

    await vi.waitFor(() =>
      expect(events.map((e) => e.change)).toEqual(['WENT_DOWN', 'CAME_UP', 'HEARTBEAT', 'WENT_DOWN']),
    );
    expect(events[1]).toMatchObject({ health: 'UP', downSince: null });
    await sub.return();
    await reading;
  });

  it('a node removed while it was unreachable re-joins under the same id with its next heartbeat', async () => {
    const peer = await peerNode(t);
    t.clock.advance(t.config.node.downAfterMs + 1);
    await t.app.managers.nodes.heartbeat();
    await t.app.managers.nodes.remove(peer.id);
    await expect(t.app.managers.nodes.get(peer.id)).rejects.toMatchObject({ code: 'node/not_found' });

    await peer.manager.heartbeat();
    expect(await t.app.managers.nodes.get(peer.id)).toMatchObject({
      id: peer.id,
      health: 'UP',
      status: 'ONLINE',
    });
  });
});

describe('cluster health configuration', () => {
  it('flags after 45 minutes by default; NODE_FLAG_AFTER_MS is configurable but not below NODE_DOWN_AFTER_MS', () => {
    expect(loadConfig({}).node.flagAfterMs).toBe(2_700_000);
    expect(loadConfig({ NODE_FLAG_AFTER_MS: '600000' }).node.flagAfterMs).toBe(600_000);
    expect(loadConfig({ NODE_DOWN_AFTER_MS: '3600000' }).node.flagAfterMs).toBe(3_600_000);
    expect(() => loadConfig({ NODE_FLAG_AFTER_MS: '1000', NODE_DOWN_AFTER_MS: '30000' })).toThrow(
      /NODE_FLAG_AFTER_MS: must not be shorter than NODE_DOWN_AFTER_MS/,
    );
    expect(() => loadConfig({ NODE_FLAG_AFTER_MS: 'soon' })).toThrow(ConfigError);
  });

  it('takes a metrics token of 16 characters or more, and METRICS_PUBLIC as a boolean', () => {
    expect(loadConfig({}).metrics).toEqual({ token: undefined, public: false });
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN:/);
    expect(() => loadConfig({ METRICS_PUBLIC: 'sure' })).toThrow(/METRICS_PUBLIC:/);
  });
});

/** Two instances on one Postgres and one Redis, one clock: B stops heartbeating, A sees it and removes it. */
describe.skipIf(backend !== 'postgres')('cluster health across instances', () => {
  const apps: TestApp[] = [];
  let database: TestDatabase;
  afterAll(async () => {
    for (const a of apps) await a.close();
    await database?.drop();
  });

  it('A sees B go DOWN when B stops heartbeating, removes it, and sees it re-join', async () => {
    database = await createTestDatabase();
    const namespace = `nh${randomUUID().slice(0, 8)}`;
    const clock = new ManualClock();
    const a = await createTestApp({ database, namespace, clock });
    const b = await createTestApp({ database, namespace, clock });
    apps.push(a, b);
    const bId = b.app.deps.node.id;
    const watch = await watchNodes(a);

    await b.app.managers.nodes.heartbeat();
    expect((await a.admin(Nodes)).nodes.find((n) => n.id === bId)?.health).toBe('UP');
    expect((await a.admin(Remove, { nodeId: bId })).removeNode.__typename).toBe('NodeStillUpError');

    clock.advance(a.config.node.downAfterMs + 1);
    await a.app.managers.nodes.heartbeat(); // only A is still alive
    expect((await a.admin(Nodes)).nodes.find((n) => n.id === bId)).toMatchObject({
      health: 'DOWN',
      removable: true,
    });
    expect((await a.admin(Summary)).clusterSummary).toMatchObject({ nodes: 2, up: 1, down: 1 });
    await a.app.managers.nodes.sweepHealth();

    const removed = await a.admin(Remove, { nodeId: bId });
    expect(removed.removeNode.__typename).toBe('MutationRemoveNodeSuccess');
    expect((await b.admin(Nodes)).nodes.map((n) => n.id)).toEqual([a.app.deps.node.id]);

    // B was only paused: its next heartbeat puts it back, under the id its sessions carry.
    await b.app.managers.nodes.heartbeat();
    await vi.waitFor(() =>
      expect(watch.of(bId).map((e) => e.change)).toEqual(['WENT_DOWN', 'REMOVED', 'JOINED']),
    );
    expect((await a.admin(Nodes)).nodes.find((n) => n.id === bId)?.health).toBe('UP');
    await watch.close();
  });

  it('a transition is announced once even when every instance sweeps at the same moment', async () => {
    const [a, b] = apps as [TestApp, TestApp];
    const crashed = await registerNode(a.app.deps.db, {
      name: `crashed-${randomUUID().slice(0, 8)}`,
      version: appVersion,
      now: a.clock.now(),
    });
    a.clock.advance(a.config.node.flagAfterMs + 1);
    await Promise.all([a.app.managers.nodes.heartbeat(), b.app.managers.nodes.heartbeat()]);
    const sweeps = await Promise.all([
      a.app.managers.nodes.sweepHealth(),
      b.app.managers.nodes.sweepHealth(),
      a.app.managers.nodes.sweepHealth(),
      b.app.managers.nodes.sweepHealth(),
    ]);
    const announced = sweeps.flat().filter((c) => c.id === crashed.id);
    expect(announced.map((c) => c.change).sort()).toEqual(['FLAGGED', 'WENT_DOWN']);
  });
});
