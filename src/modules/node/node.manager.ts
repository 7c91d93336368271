import { and, asc, eq, isNotNull, isNull, lt, or } from 'drizzle-orm';
import type { Deps } from '../../deps.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { appVersion } from '../../version.js';
import { type NodeRow, nodesTable } from './node.tables.js';

export type NodeStatus = 'ONLINE' | 'OFFLINE';
export type NodeHealth = 'UP' | 'DOWN';

export interface NodeView {
  id: number;
  name: string;
  version: string;
  status: NodeStatus;
  /** Heartbeat state: UP while heartbeats arrive, DOWN once they stop for NODE_DOWN_AFTER_MS. */
  health: NodeHealth;
  /** No heartbeat for NODE_FLAG_AFTER_MS: the GMS help advises removing such a node. */
  flaggedForRemoval: boolean;
  /** The last heartbeat of a DOWN node; null while it is UP. */
  downSince: string | null;
  startedAt: string;
  lastSeenAt: string;
}

/** Why a `node:changed` event was published. */
export const nodeChangeKinds = [
  'JOINED',
  'HEARTBEAT',
  'STATUS_CHANGED',
  'WENT_DOWN',
  'CAME_UP',
  'FLAGGED',
  'REMOVED',
] as const;
export type NodeChangeKind = (typeof nodeChangeKinds)[number];

/** The node's state after the change (for REMOVED: its last state before removal). */
export interface NodeChange extends NodeView {
  change: NodeChangeKind;
}

export interface ClusterSummary {
  nodes: number;
  up: number;
  down: number;
  flaggedForRemoval: number;
  online: number;
  offline: number;
  downAfterMs: number;
  flagAfterMs: number;
  checkedAt: Date;
}

/** Whether `remove` would accept this node now, asked of the node answering. */
export function isRemovable(node: NodeView | NodeChange, answeringNodeId: number): boolean {
  if ('change' in node && node.change === 'REMOVED') return false;
  return node.health === 'DOWN' && node.id !== answeringNodeId;
}

declare module '../../pubsub/topics.js' {
  interface TopicMap {
    'node:changed': NodeChange;
  }
}

/** Only a DOWN node can be removed: an UP one would just re-register with its next heartbeat. */
export class NodeStillUpError extends ConflictError {
  override name = 'NodeStillUpError';
  constructor(
    readonly nodeId: number,
    readonly lastSeenAt: string,
  ) {
    super(
      'node/still_up',
      `Node ${nodeId} is UP (last heartbeat ${lastSeenAt}); only a DOWN node can be removed`,
    );
  }
}

/** The node answering the request cannot remove itself. */
export class AnsweringNodeError extends ConflictError {
  override name = 'AnsweringNodeError';
  constructor(readonly nodeId: number) {
    super(
      'node/answering_node',
      `Node ${nodeId} is the node answering this request; it cannot remove itself`,
    );
  }
}

export const parseNodeStatus = (value: string): NodeStatus => {
  const upper = value.toUpperCase();
  if (upper !== 'ONLINE' && upper !== 'OFFLINE')
    throw new ValidationError(
      'node/invalid_status',
      `Unknown node status '${value}': use ONLINE or OFFLINE`,
      'status',
    );
  return upper;
};

declare module '../../managers.types.js' {
  interface Managers {
    nodes: NodeManager;
  }
}

/**
 * The cluster's nodes. Health is computed from `last_seen_at` at read time, so every instance
 * agrees at once; the health sweep only *announces* transitions (DOWN, flagged), and does so
 * through conditional updates, so with any number of instances each transition is published once.
 */
export class NodeManager {
  private readonly startedAt: Date;

  constructor(private readonly deps: Deps) {
    this.startedAt = deps.clock.now();
    this.registerMetrics();
  }

  private view(row: NodeRow): NodeView {
    const { downAfterMs, flagAfterMs } = this.deps.config.node;
    const age = this.deps.clock.now().getTime() - row.lastSeenAt.getTime();
    const down = age > downAfterMs;
    return {
      id: row.id,
      name: row.name,
      version: row.version,
      status: row.status,
      health: down ? 'DOWN' : 'UP',
      flaggedForRemoval: age > flagAfterMs,
      downSince: down ? row.lastSeenAt.toISOString() : null,
      startedAt: row.startedAt.toISOString(),
      lastSeenAt: row.lastSeenAt.toISOString(),
    };
  }

  /** Rows whose last heartbeat is older than `ms` (a DOWN node: `ms` = NODE_DOWN_AFTER_MS). */
  private silentFor(ms: number) {
    return lt(nodesTable.lastSeenAt, new Date(this.deps.clock.now().getTime() - ms));
  }

  private async announce(row: NodeRow, change: NodeChangeKind): Promise<NodeChange> {
    const event = { ...this.view(row), change };
    await this.deps.bus.publish('node:changed', null, event);
    return event;
  }

  async list(): Promise<NodeView[]> {
    const rows = await this.deps.db.select().from(nodesTable).orderBy(asc(nodesTable.id));
    return rows.map((r) => this.view(r));
  }

  async get(id: number): Promise<NodeView> {
    const [row] = await this.deps.db.select().from(nodesTable).where(eq(nodesTable.id, id));
    if (!row) throw new NotFoundError('node/not_found', `Node ${id} not found`);
    return this.view(row);
  }

  /** Counts for the Home screen: up/down, flagged for removal, administrative status. */
  async summary(): Promise<ClusterSummary> {
    const nodes = await this.list();
    const count = (keep: (n: NodeView) => boolean) => nodes.filter(keep).length;
    return {
      nodes: nodes.length,
      up: count((n) => n.health === 'UP'),
      down: count((n) => n.health === 'DOWN'),
      flaggedForRemoval: count((n) => n.flaggedForRemoval),
      online: count((n) => n.status === 'ONLINE'),
      offline: count((n) => n.status === 'OFFLINE'),
      downAfterMs: this.deps.config.node.downAfterMs,
      flagAfterMs: this.deps.config.node.flagAfterMs,
      checkedAt: this.deps.clock.now(),
    };
  }

  /** This instance's administrative status. */
  async ownStatus(): Promise<NodeStatus> {
    return (await this.get(this.deps.node.id)).status;
  }

  async setStatus(id: number, status: NodeStatus): Promise<NodeView> {
    const [row] = await this.deps.db
      .update(nodesTable)
      .set({ status, updatedAt: this.deps.clock.now() })
      .where(eq(nodesTable.id, id))
      .returning();
    if (!row) throw new NotFoundError('node/not_found', `Node ${id} not found`);
    return this.announce(row, 'STATUS_CHANGED');
  }

  /**
   * Removes a DOWN node from the cluster. The delete itself checks that the node is still DOWN, so
   * a node whose heartbeat lands meanwhile is kept (and reported as UP).
   */
  async remove(id: number): Promise<NodeView> {
    if (id === this.deps.node.id) throw new AnsweringNodeError(id);
    const [row] = await this.deps.db
      .delete(nodesTable)
      .where(and(eq(nodesTable.id, id), this.silentFor(this.deps.config.node.downAfterMs)))
      .returning();
    if (!row) {
      const current = await this.get(id);
      throw new NodeStillUpError(id, current.lastSeenAt);
    }
    this.deps.logger.info('node removed from the cluster', { removedNode: id, name: row.name });
    return this.announce(row, 'REMOVED');
  }

  /** Announces that this instance joined (or re-joined) the cluster. */
  async announceJoined(): Promise<void> {
    const [row] = await this.deps.db.select().from(nodesTable).where(eq(nodesTable.id, this.deps.node.id));
    if (row) await this.announce(row, 'JOINED');
  }

  async heartbeat(): Promise<void> {
    const now = this.deps.clock.now();
    const own = eq(nodesTable.id, this.deps.node.id);
    // Back from an announced outage: clearing the announcements in the same statement means
    // exactly one CAME_UP, and the next outage is announced again.
    const [recovered] = await this.deps.db
      .update(nodesTable)
      .set({ lastSeenAt: now, downAnnouncedAt: null, flagAnnouncedAt: null })
      .where(and(own, or(isNotNull(nodesTable.downAnnouncedAt), isNotNull(nodesTable.flagAnnouncedAt))))
      .returning();
    if (recovered) {
      await this.announce(recovered, 'CAME_UP');
      return;
    }
    const [row] = await this.deps.db.update(nodesTable).set({ lastSeenAt: now }).where(own).returning();
    if (row) await this.announce(row, 'HEARTBEAT');
    else await this.rejoin(now);
  }

  /**
   * An admin removed this node while it was unreachable (a partition, a long pause) and it is alive
   * after all: it puts its row back under the same id, since its id prefixes the sessions it owns.
   */
  private async rejoin(now: Date): Promise<void> {
    const [row] = await this.deps.db
      .insert(nodesTable)
      .values({
        id: this.deps.node.id,
        name: this.deps.node.name,
        version: appVersion,
        pid: process.pid,
        status: 'ONLINE',
        startedAt: this.startedAt,
        lastSeenAt: now,
      })
      .onConflictDoNothing()
      .returning();
    if (!row) {
      this.deps.logger.error('node was removed and its name is now taken; cannot re-join', {
        name: this.deps.node.name,
      });
      return;
    }
    this.deps.logger.warn('node had been removed from the cluster while alive; re-joined');
    await this.announce(row, 'JOINED');
  }

  /**
   * Publishes each node's UP→DOWN and DOWN→flagged transitions once for the whole cluster. Every
   * instance runs it; the `... is null` conditions let only the first one claim a transition.
   */
  async sweepHealth(): Promise<NodeChange[]> {
    const { downAfterMs, flagAfterMs } = this.deps.config.node;
    const now = this.deps.clock.now();
    const wentDown = await this.deps.db
      .update(nodesTable)
      .set({ downAnnouncedAt: now })
      .where(and(isNull(nodesTable.downAnnouncedAt), this.silentFor(downAfterMs)))
      .returning();
    const flagged = await this.deps.db
      .update(nodesTable)
      .set({ flagAnnouncedAt: now })
      .where(and(isNull(nodesTable.flagAnnouncedAt), this.silentFor(flagAfterMs)))
      .returning();
    const changes: NodeChange[] = [];
    for (const row of wentDown) changes.push(await this.announce(row, 'WENT_DOWN'));
    for (const row of flagged) {
      this.deps.logger.warn('node down long enough to be removed', { downNode: row.id, name: row.name });
      changes.push(await this.announce(row, 'FLAGGED'));
    }
    return changes;
  }

  private registerMetrics(): void {
    const { metrics } = this.deps;
    metrics.registerGauge(
      'gms_cluster_nodes',
      'Nodes of the cluster by heartbeat health',
      ['health'],
      async () => {
        const s = await this.summary();
        return [
          { labels: { health: 'up' }, value: s.up },
          { labels: { health: 'down' }, value: s.down },
        ];
      },
    );
    metrics.registerGauge(
      'gms_cluster_nodes_flagged_for_removal',
      'Nodes without a heartbeat for NODE_FLAG_AFTER_MS (remove them from the cluster)',
      [],
      async () => (await this.summary()).flaggedForRemoval,
    );
    metrics.registerGauge(
      'gms_node_info',
      'This instance: always 1, with its node id, name and version as labels',
      ['node_id', 'name', 'version'],
      () => [
        { labels: { node_id: this.deps.node.id, name: this.deps.node.name, version: appVersion }, value: 1 },
      ],
    );
  }
}
