import { ValidationError } from '../../errors.js';
import { defineSection } from '../../provisioning/section.js';
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
const KEYS = new Set(['allocation', 'locking', 'booking_expiration_timeout', 'resources', 'ranges', 'csv']);

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function parseGroup(value: unknown, path: string): ResourceGroupConfig {
  // `DNIS:` with nothing under it is an empty group with default settings.
  const raw = value ?? {};
  if (!isRecord(raw))
    throw new ValidationError('resource/invalid_config', `${path} must be a mapping of settings`, path);
  for (const key of Object.keys(raw))
    if (!KEYS.has(key))
      throw new ValidationError(
        'resource/invalid_config',
        `Unknown key ${path}.${key}: expected one of ${[...KEYS].join(', ')}`,
        `${path}.${key}`,
      );
  const locking = raw.locking ?? false;
  if (typeof locking !== 'boolean')
    throw new ValidationError(
      'resource/invalid_config',
      `${path}.locking must be true or false`,
      `${path}.locking`,
    );
  const allocation = raw.allocation ?? 'random';
  if (typeof allocation !== 'string')
    throw new ValidationError(
      'resource/invalid_allocation',
      `${path}.allocation must be random or round-robin`,
      `${path}.allocation`,
    );
  const timeout = raw.booking_expiration_timeout ?? DEFAULT_BOOKING_TIMEOUT_SECONDS;
  const resourcesRaw = raw.resources ?? {};
  if (!isRecord(resourcesRaw))
    throw new ValidationError(
      'resource/invalid_config',
      `${path}.resources must map resource names to access numbers`,
      `${path}.resources`,
    );
  const entries: BulkEntry[] = [];
  for (const [rawName, number] of Object.entries(resourcesRaw)) {
    const field = `${path}.resources.${rawName}`;
    const name = validName(rawName, field, 'Resource');
    // YAML reads 18001234 as a number; an access number is text, so accept both.
    if (typeof number !== 'string' && typeof number !== 'number')
      throw new ValidationError('resource/invalid_access_number', `${field} must be an access number`, field);
    entries.push({ name, accessNumber: validAccessNumber(String(number), field), source: field, field });
  }
  const ranges = raw.ranges ?? [];
  if (!Array.isArray(ranges) || ranges.some((r) => typeof r !== 'string'))
    throw new ValidationError(
      'resource/invalid_range',
      `${path}.ranges must be a list of ranges such as '18001110000-18001119999'`,
      `${path}.ranges`,
    );
  ranges.forEach((r: string, i) => {
    entries.push(...parseRange(r, `${path}.ranges.${i}`));
  });
  if (raw.csv !== undefined && raw.csv !== null) {
    if (typeof raw.csv !== 'string')
      throw new ValidationError('resource/invalid_csv', `${path}.csv must be CSV text`, `${path}.csv`);
    entries.push(...parseCsv(raw.csv, `${path}.csv`));
  }
  assertDistinct(entries);
  const resources: Record<string, string> = {};
  for (const e of entries) resources[e.name] = e.accessNumber;
  return {
    allocation: parseAllocation(allocation, `${path}.allocation`),
    locking,
    bookingExpirationTimeout: validTimeoutSeconds(
      typeof timeout === 'string' && /^\d+$/.test(timeout) ? Number(timeout) : (timeout as number),
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
    if (!isRecord(value))
      throw new ValidationError('resource/invalid_config', `${path} must map group names to settings`, path);
    const out: Record<string, ResourceGroupConfig> = {};
    for (const [name, group] of Object.entries(value)) {
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
