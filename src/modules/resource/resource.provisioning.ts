import { z } from 'zod';
import { defineSection, parseWith } from '../../provisioning/section.js';
import { assertDistinct, type BulkEntry, MAX_BULK_RESOURCES, parseCsv, parseRange } from './resource.bulk.js';
import type { ResourceGroupConfig } from './resource.manager.js';
import {
  DEFAULT_BOOKING_TIMEOUT_SECONDS,
  parseAllocation,
  validAccessNumber,
  validName,
  validTimeoutSeconds,
} from './resource.rules.js';

/**
 * `resource_groups` in the provisioning file:
 *
 *   resource_groups:
 *     DNIS:
 *       allocation: round-robin       # or random (default)
 *       locking: true                 # default false
 *       booking_expiration_timeout: 30
 *       resources:
 *         Key1: '1-800-1234'
 *       ranges:                       # bulk: every number of each range, named by the number
 *         - 18001110000-18001119999
 *       csv: |                        # bulk: "number" or "name,number" a line
 *         Key2,1-800-5678
 *
 * Each named group is made exactly so (resources not listed are removed); other groups are left alone.
 * `resources`, `ranges` and `csv` add up; a name or number given twice is an error naming both places.
 */
const KEYS = ['allocation', 'locking', 'booking_expiration_timeout', 'resources', 'ranges', 'csv'];

/** The file's shapes. A value rule (a known allocation, a timeout in range, a number's form) is the manager's. */
const groupsSchema = z.record(z.string(), z.unknown(), { error: 'must map group names to settings' });
const settingsSchema = z.strictObject(
  {
    allocation: z.string({ error: 'must be random or round-robin' }).nullish(),
    locking: z.boolean({ error: 'must be true or false' }).nullish(),
    // Whole seconds; YAML may quote them.
    booking_expiration_timeout: z
      .union([z.number(), z.string().regex(/^\d+$/).transform(Number)], {
        error: 'must be a whole number of seconds',
      })
      .nullish(),
    // YAML reads 18001234 as a number; an access number is text, so accept both.
    resources: z
      .record(z.string(), z.union([z.string(), z.number()], { error: 'must be an access number' }), {
        error: 'must map resource names to access numbers',
      })
      .nullish(),
    ranges: z
      .custom<string[]>((v) => Array.isArray(v) && v.every((r) => typeof r === 'string'), {
        error: "must be a list of ranges such as '18001110000-18001119999'",
      })
      .nullish(),
    csv: z.string({ error: 'must be CSV text' }).nullish(),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `is not a setting: expected one of ${KEYS.join(', ')}`
        : 'must be a mapping of settings',
  },
);

/** The error code of a shape problem, by the setting it is in. */
function shapeCode(at: readonly PropertyKey[]): string {
  switch (at[0]) {
    case 'allocation':
      return 'resource/invalid_allocation';
    case 'booking_expiration_timeout':
      return 'resource/invalid_timeout';
    case 'resources':
      return at.length > 1 ? 'resource/invalid_access_number' : 'resource/invalid_config';
    case 'ranges':
      return 'resource/invalid_range';
    case 'csv':
      return 'resource/invalid_csv';
    default:
      return 'resource/invalid_config';
  }
}

function parseGroup(value: unknown, path: string): ResourceGroupConfig {
  // `DNIS:` with nothing under it is an empty group with default settings.
  const raw: z.infer<typeof settingsSchema> =
    parseWith(settingsSchema.nullish(), value, path, shapeCode, { fieldInMessage: true }) ?? {};
  const entries: BulkEntry[] = [];
  for (const [rawName, number] of Object.entries(raw.resources ?? {})) {
    const field = `${path}.resources.${rawName}`;
    const name = validName(rawName, field, 'Resource');
    entries.push({ name, accessNumber: validAccessNumber(String(number), field), source: field, field });
  }
  (raw.ranges ?? []).forEach((r, i) => {
    entries.push(...parseRange(r, `${path}.ranges.${i}`));
  });
  if (raw.csv != null) entries.push(...parseCsv(raw.csv, `${path}.csv`));
  assertDistinct(entries);
  const resources: Record<string, string> = {};
  for (const e of entries) resources[e.name] = e.accessNumber;
  return {
    allocation: parseAllocation(raw.allocation ?? 'random', `${path}.allocation`),
    locking: raw.locking ?? false,
    bookingExpirationTimeout: validTimeoutSeconds(
      raw.booking_expiration_timeout ?? DEFAULT_BOOKING_TIMEOUT_SECONDS,
      `${path}.booking_expiration_timeout`,
    ),
    resources,
  };
}

export const resourceGroupsSection = defineSection<Record<string, ResourceGroupConfig>>({
  key: 'resource_groups',
  order: 10,
  parse(value, path) {
    if (value == null) return {};
    const groups = parseWith(groupsSchema, value, path, 'resource/invalid_config', { fieldInMessage: true });
    const out: Record<string, ResourceGroupConfig> = {};
    for (const [name, group] of Object.entries(groups)) {
      const groupPath = `${path}.${name}`;
      out[validName(name, groupPath, 'Resource group')] = parseGroup(group, groupPath);
    }
    return out;
  },
  apply: (value, managers) => managers.resources.applyConfig(value),
  async export(managers) {
    const config = await managers.resources.exportConfig();
    return Object.fromEntries(
      Object.entries(config).map(([name, g]) => {
        const { resources, ranges } = compressRanges(g.resources);
        return [
          name,
          {
            allocation: g.allocation,
            locking: g.locking,
            booking_expiration_timeout: g.bookingExpirationTimeout,
            resources,
            ...(ranges.length > 0 ? { ranges } : {}),
          },
        ];
      }),
    );
  },
});

/**
 * Export: numbers named by themselves that run consecutively (what a range added) are written back
 * as ranges, so a 60,000-number pool exports as one line, not 60,000.
 */
function compressRanges(all: Record<string, string>): {
  resources: Record<string, string>;
  ranges: string[];
} {
  const resources: Record<string, string> = {};
  const plain: string[] = [];
  for (const [name, number] of Object.entries(all)) {
    if (name === number && /^\d{1,30}$/.test(number)) plain.push(number);
    else resources[name] = number;
  }
  plain.sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
  const ranges: string[] = [];
  let i = 0;
  while (i < plain.length) {
    let j = i;
    const first = plain[i] as string;
    while (j + 1 < plain.length) {
      const next = plain[j + 1] as string;
      if (next.length !== first.length || BigInt(next) !== BigInt(plain[j] as string) + 1n) break;
      if (j + 1 - i >= MAX_BULK_RESOURCES) break;
      j++;
    }
    if (j - i >= 2) ranges.push(`${first}-${plain[j]}`);
    else for (let k = i; k <= j; k++) resources[plain[k] as string] = plain[k] as string;
    i = j + 1;
  }
  return { resources, ranges };
}
