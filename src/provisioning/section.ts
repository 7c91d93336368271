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
