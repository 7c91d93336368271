import type { Db } from '../../db/client.js';
import { nodesTable } from './node.tables.js';

/**
 * Registers this instance (upsert by name keeps its id across restarts). Apart from NodeManager:
 * `createDeps` needs the node id before any manager exists (every manager's Deps carries it), and
 * the manager itself needs Deps, so deps.ts imports this file, never the manager.
 */
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
        downAnnouncedAt: null,
        flagAnnouncedAt: null,
        updatedAt: input.now,
      },
    })
    .returning({ id: nodesTable.id, name: nodesTable.name });
  if (!row) throw new Error('node registration returned no row');
  return row;
}
