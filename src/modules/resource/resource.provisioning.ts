import { ValidationError } from '../../errors.js';
import { defineSection } from '../../provisioning/section.js';
import type { ResourceGroupConfig } from './resource.manager.js';
import {
  DEFAULT_BOOKING_TIMEOUT_SECONDS,
  numberKey,
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
 *
 * Each named group is made exactly so (resources not listed are removed); other groups are left alone.
 */
const KEYS = new Set(['allocation', 'locking', 'booking_expiration_timeout', 'resources']);

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
  const resources: Record<string, string> = {};
  const seen = new Map<string, string>();
  for (const [rawName, number] of Object.entries(resourcesRaw)) {
    const field = `${path}.resources.${rawName}`;
    const name = validName(rawName, field, 'Resource');
    // YAML reads 18001234 as a number; an access number is text, so accept both.
    if (typeof number !== 'string' && typeof number !== 'number')
      throw new ValidationError('resource/invalid_access_number', `${field} must be an access number`, field);
    const accessNumber = validAccessNumber(String(number), field);
    const key = numberKey(accessNumber);
    if (seen.has(key))
      throw new ValidationError(
        'resource/duplicate_access_number',
        `${field}: ${accessNumber} is also resource ${seen.get(key)}`,
        field,
      );
    seen.set(key, name);
    resources[name] = accessNumber;
  }
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
      Object.entries(config).map(([name, g]) => [
        name,
        {
          allocation: g.allocation,
          locking: g.locking,
          booking_expiration_timeout: g.bookingExpirationTimeout,
          resources: g.resources,
        },
      ]),
    );
  },
});
