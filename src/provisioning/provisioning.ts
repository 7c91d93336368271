import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { isScalar, parseDocument, stringify as stringifyYaml, visit } from 'yaml';
import { ConfigError } from '../config.js';
import { DomainError, ValidationError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { Managers } from '../managers.types.js';
import type { ProvisioningSection } from './section.js';
import { provisioningSections } from './sections.js';

export type ProvisioningFormat = 'yaml' | 'json';

/** An invalid GMS_CONFIG file: stops start-up with the file, the path inside it and the problem. */
export class ProvisioningError extends ConfigError {
  override name = 'ProvisioningError';
  constructor(
    readonly file: string,
    readonly path: string | null,
    readonly problem: string,
  ) {
    super(`Invalid provisioning file ${file}: ${path ? `${path}: ` : ''}${problem}`);
  }
}

export interface ParsedProvisioning {
  sections: { section: ProvisioningSection; value: unknown }[];
}

export function formatOfPath(path: string): ProvisioningFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  throw new ValidationError('provisioning/format', `Use a .yaml, .yml or .json file, not '${path}'`, null);
}

/** Parses the text of a provisioning document (YAML or JSON) into plain data. */
export function parseProvisioningText(text: string, format: ProvisioningFormat): unknown {
  try {
    return format === 'json' ? (JSON.parse(text) as unknown) : parseYamlUniqueKeys(text);
  } catch (err) {
    throw new ValidationError(
      'provisioning/syntax',
      `Not valid ${format.toUpperCase()}: ${(err as Error).message.split('\n')[0]}`,
      null,
    );
  }
}

/**
 * YAML with unique map keys. The library's own `uniqueKeys` compares every key with every earlier
 * one (quadratic: a 60,000-number `resources:` map took minutes), so keys are checked here with a
 * Set per map instead.
 */
function parseYamlUniqueKeys(text: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: false, prettyErrors: false });
  const [error] = doc.errors;
  if (error) throw error;
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (seen.has(key)) throw new Error(`Map keys must be unique: '${String(key)}' appears twice`);
        seen.add(key);
      }
    },
  });
  return doc.toJS({ maxAliasCount: 1000 }) as unknown;
}

/** Prefixes a section's error path with the section key when the section gave a relative one. */
function inSection(err: unknown, key: string): unknown {
  if (!(err instanceof ValidationError)) return err;
  const field = err.field;
  if (field !== null && (field === key || field.startsWith(`${key}.`))) return err;
  return new ValidationError(err.code, err.message, field ? `${key}.${field}` : key, { status: err.status });
}

/**
 * Validates a whole document before anything is applied: the top level maps section keys to their
 * values, and an unknown key is an error (a typo must not be silently ignored).
 */
export function parseProvisioning(
  doc: unknown,
  sections: ProvisioningSection[] = provisioningSections,
): ParsedProvisioning {
  if (doc === null || doc === undefined) return { sections: [] };
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw new ValidationError('provisioning/shape', 'The document must be a mapping of section names', null);
  const byKey = new Map(sections.map((s) => [s.key, s]));
  const out: ParsedProvisioning['sections'] = [];
  for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
    const section = byKey.get(key);
    if (!section)
      throw new ValidationError(
        'provisioning/unknown_section',
        `Unknown section '${key}' (known: ${[...byKey.keys()].sort().join(', ') || 'none'})`,
        key,
      );
    try {
      out.push({ section, value: section.parse(value, key) });
    } catch (err) {
      throw inSection(err, key);
    }
  }
  out.sort((a, b) => a.section.order - b.section.order);
  return { sections: out };
}

/** Applies parsed sections in order; each section's apply is idempotent. */
export async function applyProvisioning(parsed: ParsedProvisioning, managers: Managers): Promise<string[]> {
  for (const { section, value } of parsed.sections) {
    try {
      await section.apply(value, managers);
    } catch (err) {
      throw inSection(err, section.key);
    }
  }
  return parsed.sections.map((s) => s.section.key);
}

/** Imports a document given as text (GraphQL import). */
export async function importProvisioning(
  text: string,
  format: ProvisioningFormat,
  managers: Managers,
): Promise<string[]> {
  return applyProvisioning(parseProvisioning(parseProvisioningText(text, format)), managers);
}

/** The current configuration, in the file's shape: importing it reproduces the state. */
export async function exportProvisioning(
  managers: Managers,
  sections: ProvisioningSection[] = provisioningSections,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const section of [...sections].sort((a, b) => a.order - b.order))
    out[section.key] = await section.export(managers);
  return out;
}

export function renderProvisioning(data: Record<string, unknown>, format: ProvisioningFormat): string {
  return format === 'json' ? `${JSON.stringify(data, null, 2)}\n` : stringifyYaml(data, { lineWidth: 0 });
}

/** What applying a file needs: the managers it writes through and where it reports. */
export interface ProvisioningTarget {
  managers: Managers;
  logger: Logger;
}

/**
 * Start-up step: applies GMS_CONFIG when set (`file` unset: nothing to do). Any problem becomes a
 * ProvisioningError (a ConfigError), which main.ts prints before exiting.
 */
export async function applyProvisioningFile(
  file: string | undefined,
  target: ProvisioningTarget,
): Promise<void> {
  if (file) await applyProvisioningFileAt(file, target);
}

/** Reads, validates and applies one provisioning file; problems become a ProvisioningError. */
export async function applyProvisioningFileAt(file: string, target: ProvisioningTarget): Promise<void> {
  try {
    const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new ValidationError(
        'provisioning/unreadable',
        `cannot be read (${err.code ?? err.message})`,
        null,
      );
    });
    const applied = await applyProvisioning(
      parseProvisioning(parseProvisioningText(text, formatOfPath(file))),
      target.managers,
    );
    target.logger.info('provisioning file applied', { file, sections: applied });
  } catch (err) {
    if (err instanceof ValidationError) throw new ProvisioningError(file, err.field, err.message);
    if (err instanceof DomainError) throw new ProvisioningError(file, null, err.message);
    throw err;
  }
}
