import type { z } from 'zod';
import { ValidationError } from '../errors.js';
import type { Managers } from '../managers.types.js';

/**
 * One top-level section of the provisioning file (`GMS_CONFIG`), owned by its module.
 * `parse` validates and throws ValidationError whose `field` is the path in the file
 * (e.g. `resource_groups.DNIS.allocation`); `apply` is idempotent (applying the same file twice
 * changes nothing); `export` returns the current state in the same shape, so that importing an
 * export reproduces it.
 */
export interface ProvisioningSection<T = unknown> {
  key: string;
  /** Lower first: e.g. pattern and resource groups before the services that name them. */
  order: number;
  parse(value: unknown, path: string): T;
  apply(value: T, managers: Managers): Promise<void>;
  export(managers: Managers): Promise<unknown>;
}

/** Erases the section's value type so sections of different types fit in one list. */
export const defineSection = <T>(section: ProvisioningSection<T>): ProvisioningSection =>
  section as unknown as ProvisioningSection;

export interface ParseWithOptions {
  /** Cut the field to this many segments below `path`, when the section reports at a coarser level than the schema's leaves. */
  depth?: number;
  /** Start the message with the field (`resource_groups.X.locking must be true or false`), as some sections word it. */
  fieldInMessage?: boolean;
}

/**
 * Parses a section's value (or part of it) with a zod schema. The first problem becomes a
 * ValidationError whose `field` is its path in the file (`pattern_groups.G[0]`; an unknown key of a
 * strict object: the key). `code` is one code, or chosen by where in the value the problem is (the
 * issue's path below `path`).
 */
export function parseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  path: string,
  code: string | ((at: readonly PropertyKey[]) => string),
  options: ParseWithOptions = {},
): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  // An unknown key of a strict object is reported at the key, not at the object.
  const at = [...(issue?.path ?? []), ...(issue?.code === 'unrecognized_keys' ? issue.keys.slice(0, 1) : [])];
  const field = at
    .slice(0, options.depth ?? Number.POSITIVE_INFINITY)
    .reduce<string>((f, seg) => (typeof seg === 'number' ? `${f}[${seg}]` : `${f}.${String(seg)}`), path);
  const message = issue?.message ?? 'invalid value';
  throw new ValidationError(
    typeof code === 'string' ? code : code(at),
    options.fieldInMessage ? `${field} ${message}` : message,
    field,
  );
}
