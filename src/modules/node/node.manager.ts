import { asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import type { Deps } from '../../deps.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { type NodeRow, nodesTable } from './node.tables.js';

export type NodeStatus = 'ONLINE' | 'OFFLINE';

export interface NodeView {
  id: number;
  name: string;
  version: string;
  status: NodeStatus;
  /** Heartbeat state: UP while heartbeats arrive, DOWN once they stop. */
  health: 'UP' | 'DOWN';
  startedAt: string;
  lastSeenAt: string;
}

declare module '../../pubsub/topics.js' {
  interface TopicMap {
    'node:changed': NodeView;
  }
}

/** Registers this instance (upsert by name keeps its id across restarts). */
export async function registerNode(
  db: Db,
  input: { name: string; version: string; now: Date },
): Promise<{ id: number; name: string }> {
  const [row] = await db
    .insert(nodesTable)
    .values({
      name: input.name,
      version: input.version,
      pid: process.pid,
      status: 'ONLINE',
      startedAt: input.now,
      lastSeenAt: input.now,
    })
    .onConflictDoUpdate({
      target: nodesTable.name,
      set: {
        version: input.version,
        pid: process.pid,
        status: 'ONLINE',
        startedAt: input.now,
        lastSeenAt: input.now,
        updatedAt: input.now,
      },
    })
    .returning({ id: nodesTable.id, name: nodesTable.name });
  if (!row) throw new Error('node registration returned no row');
  return row;
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

export class NodeManager {
  constructor(private readonly deps: Deps) {}

  private view(row: NodeRow): NodeView {
    const age = this.deps.clock.now().getTime() - row.lastSeenAt.getTime();
    return {
      id: row.id,
      name: row.name,
      version: row.version,
      status: row.status,
      health: age <= this.deps.config.node.downAfterMs ? 'UP' : 'DOWN',
      startedAt: row.startedAt.toISOString(),
      lastSeenAt: row.lastSeenAt.toISOString(),
    };
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
    const view = this.view(row);
    await this.deps.bus.publish('node:changed', null, view);
    return view;
  }

  async heartbeat(): Promise<void> {
    const now = this.deps.clock.now();
    const [row] = await this.deps.db
      .update(nodesTable)
      .set({ lastSeenAt: now })
      .where(eq(nodesTable.id, this.deps.node.id))
      .returning();
    if (row) await this.deps.bus.publish('node:changed', null, this.view(row));
  }
}
