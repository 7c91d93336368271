import { builder, ErrorInterface } from '../../graphql/builder.js';
import { subscribeTopic } from '../../graphql/subscriptions.js';
import { appVersion } from '../../version.js';
import {
  AnsweringNodeError,
  type ClusterSummary,
  isRemovable,
  type NodeChange,
  NodeStillUpError,
  type NodeView,
  nodeChangeKinds,
  parseNodeStatus,
} from './node.manager.js';

const NodeStatusEnum = builder.enumType('NodeStatus', {
  description: 'Administrative status: an OFFLINE node answers /readyz with 503 so balancers drain it.',
  values: ['ONLINE', 'OFFLINE'] as const,
});

const NodeHealthEnum = builder.enumType('NodeHealth', {
  description: 'UP while heartbeats arrive, DOWN once they stop.',
  values: ['UP', 'DOWN'] as const,
});

const NodeChangeKindEnum = builder.enumType('NodeChangeKind', {
  description:
    'Why a nodeChanged event was sent. REMOVED carries the last state of a node that is no longer in ' +
    'the cluster; FLAGGED means it has been DOWN for NODE_FLAG_AFTER_MS (45 minutes by default).',
  values: nodeChangeKinds,
});

/** The fields shared by a node and a change event about it. */
const NodeStateRef = builder.interfaceRef<NodeView>('NodeState').implement({
  description: 'A server instance of the cluster, as seen from its heartbeats.',
  fields: (t) => ({
    id: t.exposeInt('id', { description: 'Numeric node id; prefixes the ids of the sessions it creates.' }),
    name: t.exposeString('name'),
    version: t.exposeString('version'),
    status: t.field({ type: NodeStatusEnum, resolve: (n) => n.status }),
    health: t.field({ type: NodeHealthEnum, resolve: (n) => n.health }),
    flaggedForRemoval: t.exposeBoolean('flaggedForRemoval', {
      description:
        'DOWN for longer than NODE_FLAG_AFTER_MS: the GMS help advises removing it from the cluster.',
    }),
    downSince: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'Last heartbeat of a DOWN node; null while UP.',
      resolve: (n) => n.downSince,
    }),
    removable: t.boolean({
      description: 'Whether removeNode would accept this node now (DOWN, and not the node answering).',
      resolve: (n, _args, ctx) => isRemovable(n, ctx.deps.node.id),
    }),
    startedAt: t.field({ type: 'DateTime', resolve: (n) => n.startedAt }),
    lastSeenAt: t.field({ type: 'DateTime', resolve: (n) => n.lastSeenAt }),
  }),
});

export const NodeRef = builder.objectRef<NodeView>('Node').implement({
  description: 'A server instance of the cluster.',
  interfaces: [NodeStateRef],
});

const NodeChangeRef = builder.objectRef<NodeChange>('NodeChange').implement({
  description: 'A change to one node: its state after the change, and why it was sent.',
  interfaces: [NodeStateRef],
  fields: (t) => ({
    change: t.field({ type: NodeChangeKindEnum, resolve: (c) => c.change }),
  }),
});

const ClusterSummaryRef = builder.objectRef<ClusterSummary>('ClusterSummary').implement({
  description: 'The Home screen counts.',
  fields: (t) => ({
    nodes: t.exposeInt('nodes'),
    up: t.exposeInt('up'),
    down: t.exposeInt('down'),
    flaggedForRemoval: t.exposeInt('flaggedForRemoval'),
    online: t.exposeInt('online'),
    offline: t.exposeInt('offline'),
    downAfterSeconds: t.int({
      description: 'NODE_DOWN_AFTER_MS in seconds: silence after which a node is DOWN.',
      resolve: (s) => Math.round(s.downAfterMs / 1000),
    }),
    flagAfterSeconds: t.int({
      description: 'NODE_FLAG_AFTER_MS in seconds: silence after which a node is flagged for removal.',
      resolve: (s) => Math.round(s.flagAfterMs / 1000),
    }),
    checkedAt: t.field({ type: 'DateTime', resolve: (s) => s.checkedAt }),
  }),
});

builder.objectType(NodeStillUpError, {
  name: 'NodeStillUpError',
  description: 'The node still sends heartbeats; only a DOWN node can be removed.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof NodeStillUpError,
  fields: (t) => ({
    nodeId: t.exposeInt('nodeId'),
    lastSeenAt: t.field({ type: 'DateTime', resolve: (e) => e.lastSeenAt }),
  }),
});

builder.objectType(AnsweringNodeError, {
  name: 'AnsweringNodeError',
  description: 'The node answering the request cannot remove itself.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof AnsweringNodeError,
  fields: (t) => ({ nodeId: t.exposeInt('nodeId') }),
});

const ServerInfoRef = builder
  .objectRef<{ nodeId: number; version: string; time: Date }>('ServerInfo')
  .implement({
    fields: (t) => ({
      nodeId: t.exposeInt('nodeId', { description: 'The node that answered.' }),
      version: t.exposeString('version'),
      time: t.field({ type: 'DateTime', resolve: (s) => s.time }),
    }),
  });

builder.queryFields((t) => ({
  serverInfo: t.field({
    type: ServerInfoRef,
    authScopes: { public: true },
    description: 'Which node answered, its version and clock. Needs no credentials.',
    resolve: (_root, _args, ctx) => ({
      nodeId: ctx.deps.node.id,
      version: appVersion,
      time: ctx.deps.clock.now(),
    }),
  }),
  nodes: t.field({
    type: [NodeRef],
    authScopes: { admin: true },
    description: 'Every node that has joined the cluster, with heartbeat health.',
    resolve: (_root, _args, ctx) => ctx.managers.nodes.list(),
  }),
  clusterSummary: t.field({
    type: ClusterSummaryRef,
    authScopes: { admin: true },
    description: 'How many nodes are up, down and flagged for removal.',
    resolve: (_root, _args, ctx) => ctx.managers.nodes.summary(),
  }),
}));

builder.mutationFields((t) => ({
  changeNodeStatus: t.field({
    type: NodeRef,
    authScopes: { admin: true },
    description: 'Set a node ONLINE or OFFLINE (default: the node answering).',
    args: {
      status: t.arg({ type: NodeStatusEnum, required: true }),
      nodeId: t.arg.int({ required: false }),
    },
    resolve: (_root, args, ctx) =>
      ctx.managers.nodes.setStatus(args.nodeId ?? ctx.deps.node.id, parseNodeStatus(args.status)),
  }),
  removeNode: t.field({
    type: NodeRef,
    authScopes: { admin: true },
    description: 'Remove a DOWN node from the cluster (the X on the Home screen). Returns its last state.',
    args: { nodeId: t.arg.int({ required: true }) },
    errors: { types: [NodeStillUpError, AnsweringNodeError] },
    resolve: (_root, args, ctx) => ctx.managers.nodes.remove(args.nodeId),
  }),
}));

builder.subscriptionFields((t) => ({
  nodeChanged: t.field({
    type: NodeChangeRef,
    authScopes: { admin: true },
    description:
      'Node joins, heartbeats, status changes, DOWN/UP and flag transitions, and removals, from every instance.',
    subscribe: (_root, _args, ctx) => subscribeTopic(ctx, 'node:changed', null),
    resolve: (change) => change,
  }),
}));
