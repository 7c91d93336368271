import { eq, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import type { Deps } from '../../deps.js';
import { assertDistinct, type BulkEntry, insertBulk, intArray, lockBulk } from './resource.bulk.js';
import {
  defaultSettings,
  groupSettings,
  mapUniqueViolation,
  mergeSettings,
  type ResourceGroupRows,
} from './resource.group-rows.js';
import type { ResourceReads } from './resource.reads.js';
import { DEFAULT_GROUP_NAME, numberKey, validAccessNumber, validName } from './resource.rules.js';
import {
  resourceGroupsTable as groups,
  type ResourceGroupRow,
  resourcesTable as resources,
} from './resource.tables.js';
import type {
  BulkResult,
  ResourceGroupInput,
  ResourceGroupPatch,
  ResourceGroupView,
  ResourceView,
} from './resource.types.js';

/**
 * Administration of the pools (console, GraphQL, legacy admin routes): groups and numbers created,
 * changed and removed, one at a time or in bulk, each change all or none in one transaction and
 * answered as it is after commit. A booked number changes or goes only with `force`.
 */
export class ResourceAdmin {
  constructor(
    private readonly deps: Deps,
    private readonly rows: ResourceGroupRows,
    private readonly reads: ResourceReads,
  ) {}

  private now(): Date {
    return this.deps.clock.now();
  }

  async createGroup(input: ResourceGroupInput = {}): Promise<ResourceGroupView> {
    const name = validName(input.name ?? DEFAULT_GROUP_NAME, 'name', 'Resource group');
    const settings = mergeSettings(defaultSettings(), input);
    const entries = (input.resources ?? []).map((r, i) => ({
      name: validName(r.name, `resources.${i}.name`, 'Resource'),
      accessNumber: validAccessNumber(r.accessNumber, `resources.${i}.accessNumber`),
    }));
    return this.write(async (tx) => {
      const group = await this.rows.insertGroup(tx, name, settings);
      for (const entry of entries) await this.rows.insertResource(tx, group, entry);
      return group.name;
    });
  }

  async updateGroup(name: string, patch: ResourceGroupPatch): Promise<ResourceGroupView> {
    const newName = patch.name == null ? null : validName(patch.name, 'name', 'Resource group');
    return this.write(async (tx) => {
      const group = await this.rows.lockGroup(tx, name);
      const settings = mergeSettings(groupSettings(group), patch);
      await this.rows.updateGroupIn(tx, group, settings, newName);
      return newName ?? group.name;
    });
  }

  /** Deletes a group and its numbers; with active bookings only when `force` (they are ended). */
  async deleteGroup(name: string, options: { force?: boolean } = {}): Promise<boolean> {
    await this.deps.db.transaction(async (tx) => {
      const group = await this.rows.lockGroup(tx, name);
      const rows = await tx.select().from(resources).where(eq(resources.groupId, group.id)).for('update');
      await this.rows.closeAllOn(tx, rows, group, options.force ?? false, 'group');
      await tx.delete(groups).where(eq(groups.id, group.id));
    });
    return true;
  }

  async addResource(groupName: string, input: { name: string; accessNumber: string }): Promise<ResourceView> {
    const entry = {
      name: validName(input.name, 'name', 'Resource'),
      accessNumber: validAccessNumber(input.accessNumber),
    };
    const id = await this.deps.db.transaction(async (tx) => {
      const group = await this.rows.findGroup(tx, groupName);
      return (await this.rows.insertResource(tx, group, entry)).id;
    });
    return this.reads.getResourceById(id);
  }

  /**
   * Renames a resource and/or changes its access number. A new number for a booked resource needs
   * `force`: the sessions holding it were told the old one, so their bookings are ended.
   */
  async updateResource(
    groupName: string,
    name: string,
    patch: { name?: string | null; accessNumber?: string | null },
    options: { force?: boolean } = {},
  ): Promise<ResourceView> {
    const newName = patch.name == null ? null : validName(patch.name, 'name', 'Resource');
    const newNumber = patch.accessNumber == null ? null : validAccessNumber(patch.accessNumber);
    const id = await this.write(async (tx) => {
      const group = await this.rows.findGroup(tx, groupName);
      const row = await this.rows.lockResource(tx, group, name);
      const now = this.now();
      const set: Partial<typeof resources.$inferInsert> = {};
      if (newName !== null && newName !== row.name) set.name = newName;
      if (newNumber !== null && newNumber !== row.accessNumber) {
        if (numberKey(newNumber) !== row.numberKey) {
          await this.rows.closeAllOn(tx, [row], group, options.force ?? false, 'resource');
          await this.rows.assertNumberFree(tx, newNumber, row.id);
        }
        set.accessNumber = newNumber;
        set.numberKey = numberKey(newNumber);
      }
      if (Object.keys(set).length === 0) return row.id;
      if (set.name) await this.rows.assertNameFree(tx, group, set.name);
      await tx
        .update(resources)
        .set({ ...set, updatedAt: now })
        .where(eq(resources.id, row.id));
      return row.id;
    });
    return this.reads.getResourceById(id);
  }

  /** Removes a resource; with active bookings only when `force` (they are ended). */
  async removeResource(groupName: string, name: string, options: { force?: boolean } = {}): Promise<boolean> {
    await this.deps.db.transaction(async (tx) => {
      const group = await this.rows.findGroup(tx, groupName);
      const row = await this.rows.lockResource(tx, group, name);
      await this.rows.closeAllOn(tx, [row], group, options.force ?? false, 'resource');
      await tx.delete(resources).where(eq(resources.id, row.id));
    });
    return true;
  }

  /** Adds many numbers (a range or a CSV, parsed by resource.bulk.ts) in one transaction: all or none. */
  async addResources(groupName: string, entries: BulkEntry[]): Promise<BulkResult> {
    assertDistinct(entries);
    return this.bulk(groupName, (tx, group) => insertBulk(tx, group, entries, this.now()));
  }

  /** Removes many numbers of a group: all or none; booked ones only with `force` (their bookings end). */
  async removeResources(
    groupName: string,
    entries: BulkEntry[],
    options: { force?: boolean } = {},
  ): Promise<BulkResult> {
    assertDistinct(entries);
    return this.bulk(groupName, async (tx, group) => {
      const rows = await lockBulk(tx, group, entries);
      await this.rows.closeAllOn(tx, rows, group, options.force ?? false, 'resource');
      await tx.delete(resources).where(sql`${resources.id} = any(${intArray(rows.map((r) => r.id))}::int[])`);
      return rows.length;
    });
  }

  private async bulk(
    groupName: string,
    fn: (tx: Tx, group: ResourceGroupRow) => Promise<number>,
  ): Promise<BulkResult> {
    let count: number;
    try {
      count = await this.deps.db.transaction(async (tx) => fn(tx, await this.rows.findGroup(tx, groupName)));
    } catch (err) {
      throw mapUniqueViolation(err);
    }
    const [row] = await this.deps.db
      .select({ total: sql<number>`count(*)::int` })
      .from(resources)
      .innerJoin(groups, eq(groups.id, resources.groupId))
      .where(eq(groups.name, groupName.trim()));
    return { group: groupName.trim(), count, total: Number(row?.total ?? 0) };
  }
  /** Runs an admin change in a transaction, then answers the group as it is after commit. */
  private async write(fn: (tx: Tx) => Promise<string>): Promise<ResourceGroupView>;
  private async write(fn: (tx: Tx) => Promise<number>): Promise<number>;
  private async write(fn: (tx: Tx) => Promise<string | number>): Promise<ResourceGroupView | number> {
    let result: string | number;
    try {
      result = await this.deps.db.transaction(fn);
    } catch (err) {
      throw mapUniqueViolation(err);
    }
    return typeof result === 'string' ? this.reads.getGroup(result) : result;
  }
}
