import { builder } from '../../graphql/builder.js';
import { subscribeTopic } from '../../graphql/subscriptions.js';
import { appVersion } from '../../version.js';
import { type NodeView, parseNodeStatus } from './node.manager.js';

const NodeStatusEnum = builder.enumType('NodeStatus', {
  description: 'Administrative status: an OFFLINE node answers /readyz with 503 so balancers drain it.',
  values: ['ONLINE', 'OFFLINE'] as const,
});

const NodeHealthEnum = builder.enumType('NodeHealth', {
  description: 'UP while heartbeats arrive, DOWN once they stop.',
  values: ['UP', 'DOWN'] as const,
});

export const NodeRef = builder.objectRef<NodeView>('Node').implement({
  description: 'A server instance of the cluster.',
  fields: (t) => ({
    id: t.exposeInt('id', { description: 'Numeric node id; prefixes the ids of the sessions it creates.' }),
    name: t.exposeString('name'),
    version: t.exposeString('version'),
    status: t.field({ type: NodeStatusEnum, resolve: (n) => n.status }),
    health: t.field({ type: NodeHealthEnum, resolve: (n) => n.health }),
    startedAt: t.field({ type: 'DateTime', resolve: (n) => n.startedAt }),
    lastSeenAt: t.field({ type: 'DateTime', resolve: (n) => n.lastSeenAt }),
  }),
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
}));

builder.subscriptionFields((t) => ({
  nodeChanged: t.field({
    type: NodeRef,
    authScopes: { admin: true },
    description: 'Node status changes and heartbeats, from every instance.',
    subscribe: (_root, _args, ctx) => subscribeTopic(ctx, 'node:changed', null),
    resolve: (node) => node,
  }),
}));
