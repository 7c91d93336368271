import { eq, sql } from 'drizzle-orm';
import type { Deps } from '../../deps.js';
import { type BulkEntry, insertBulk, intArray } from './resource.bulk.js';
import { mapUniqueViolation, type ResourceGroupRows } from './resource.group-rows.js';
import type { ResourceReads } from './resource.reads.js';
import { parseAllocation, validAccessNumber, validName, validTimeoutSeconds } from './resource.rules.js';
import {
  resourceGroupsTable as groups,
  type ResourceGroupRow,
  resourcesTable as resources,
} from './resource.tables.js';
import type { ResourceGroupConfig, ResourceGroupSettings } from './resource.types.js';

/**
 * The pools as the provisioning file states them (`resource_groups`): exported in the file's shape,
 * and applied so the named groups end up exactly as configured (the section in
 * resource.provisioning.ts parses the file; this applies it).
 */
export class ResourceConfigSync {
  constructor(
    private readonly deps: Deps,
    private readonly rows: ResourceGroupRows,
    private readonly reads: ResourceReads,
  ) {}

  /** Current state in the provisioning file's shape (group name → settings and resources). */
  async exportConfig(): Promise<Record<string, ResourceGroupConfig>> {
    const all = await this.reads.listGroups();
    return Object.fromEntries(
      all.map((g) => [
        g.name,
        {
          allocation: g.allocation,
          locking: g.locking,
          bookingExpirationTimeout: g.bookingExpirationTimeout,
          resources: Object.fromEntries(g.resources.map((r) => [r.name, r.accessNumber])),
        },
      ]),
    );
  }

  /**
   * Makes the named groups exactly as configured, in one transaction; groups not named are left
   * alone. Idempotent. The file wins: a resource that disappears or changes number is removed even
   * when booked (its bookings end), so a rolling deploy never stalls on a busy number.
   */
  async applyConfig(config: Record<string, ResourceGroupConfig>): Promise<void> {
    const names = Object.keys(config).map((n) => validName(n, 'resource_groups', 'Resource group'));
    try {
      await this.deps.db.transaction(async (tx) => {
        const existing = new Map<string, ResourceGroupRow>();
        const kept = new Map<string, Set<string>>();
        // Sorted, so two concurrent applies cannot deadlock on each other's group locks.
        for (const name of [...names].sort()) await this.rows.lockGroupName(tx, name);
        // Pass 1: remove what goes away, so numbers that move between resources or groups are free.
        for (const name of names) {
          const wanted = config[name] as ResourceGroupConfig;
          const [group] = await tx.select().from(groups).where(eq(groups.name, name)).for('update');
          if (!group) continue;
          existing.set(name, group);
          // Only the rows that go are locked: FOR UPDATE writes every row it locks, and a re-applied
          // file with a 60,000-number pool would rewrite them all for nothing.
          const rows = await tx
            .select({ id: resources.id, name: resources.name, accessNumber: resources.accessNumber })
            .from(resources)
            .where(eq(resources.groupId, group.id));
          const stale = rows.filter((r) => wanted.resources[r.name] !== r.accessNumber);
          const going = new Set(stale);
          kept.set(name, new Set(rows.filter((r) => !going.has(r)).map((r) => r.name)));
          if (stale.length > 0)
            await tx
              .select({ id: resources.id })
              .from(resources)
              .where(sql`${resources.id} = any(${intArray(stale.map((r) => r.id))}::int[])`)
              .for('update');
          await this.rows.closeAllOn(tx, stale, group, true, 'resource');
          if (stale.length > 0)
            await tx
              .delete(resources)
              .where(sql`${resources.id} = any(${intArray(stale.map((r) => r.id))}::int[])`);
        }
        // Pass 2: create or update groups and add the missing resources.
        for (const name of names) {
          const wanted = config[name] as ResourceGroupConfig;
          const settings: ResourceGroupSettings = {
            allocation: parseAllocation(wanted.allocation, `resource_groups.${name}.allocation`),
            locking: wanted.locking,
            bookingExpirationTimeout: validTimeoutSeconds(
              wanted.bookingExpirationTimeout,
              `resource_groups.${name}.booking_expiration_timeout`,
            ),
          };
          let group = existing.get(name);
          if (group) await this.rows.updateGroupIn(tx, group, settings, null);
          else group = await this.rows.insertGroup(tx, name, settings);
          const present = kept.get(name) ?? new Set<string>();
          // The missing ones in one multi-row insert per batch (a pool of 60,000 numbers is seconds).
          const missing: BulkEntry[] = [];
          for (const [resourceName, accessNumber] of Object.entries(wanted.resources)) {
            const field = `resource_groups.${name}.resources.${resourceName}`;
            const entry = {
              name: validName(resourceName, field, 'Resource'),
              accessNumber: validAccessNumber(accessNumber, field),
              source: field,
              field,
            };
            if (!present.has(entry.name)) missing.push(entry);
          }
          await insertBulk(tx, group, missing, this.deps.clock.now());
        }
      });
    } catch (err) {
      throw mapUniqueViolation(err);
    }
  }
}
