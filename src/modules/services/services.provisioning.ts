import { z } from 'zod';
import { ValidationError } from '../../errors.js';
import { defineSection, parseWith } from '../../provisioning/section.js';
import { checkServiceName } from './service-options.js';
import { type ProvisionedService, ServiceApplyError } from './services.manager.js';

/** Keys that are not GMS options: `@` can't start an option name, so they never clash with one. */
const TEMPLATE_KEY = '@template';
const PRESET_KEY = '@preset';

/** The file's shapes: service name → { option name (or @template, @preset) → value }. */
const servicesSchema = z.record(z.string(), z.unknown(), { error: 'must map service names to options' });
const optionsSchema = z.record(z.string(), z.unknown(), { error: 'must map GMS option names to values' });
/** An option value: YAML numbers and booleans are stored as strings; empty is ''. */
const scalarSchema = z
  .union([z.string(), z.number(), z.boolean(), z.null(), z.undefined()], {
    error: 'must be a string, number or boolean',
  })
  .transform((v) => (v === null || v === undefined ? '' : String(v)));

const scalar = (value: unknown, path: string): string =>
  parseWith(scalarSchema, value, path, 'provisioning/invalid_value');

function withPath(err: unknown, prefix: string): unknown {
  if (!(err instanceof ValidationError)) return err;
  // Option errors name the option; a few name an argument of the GraphQL API instead.
  const field = err.field === 'template' ? TEMPLATE_KEY : err.field === 'preset' ? PRESET_KEY : err.field;
  return new ValidationError(
    err.code,
    err.message,
    field === null || field === 'name' ? prefix : `${prefix}.${field}`,
    { status: err.status },
  );
}

/**
 * `services:` keyed by execution name, each a map of GMS option names exactly as GMS configures them
 * (`_type`, `_service`, `_ttl`, `_resource_group`, `_provide_code`, …). Values may be written as
 * YAML numbers or booleans; they are stored as strings. Optional `@template` names the template
 * (default: the one for `_service`; null for none) and `@preset` the preset it was created from.
 * Services not in the file are left alone.
 */
export const servicesSection = defineSection<ProvisionedService[]>({
  key: 'services',
  order: 100,
  parse(value, path) {
    if (value === null || value === undefined) return [];
    return Object.entries(parseWith(servicesSchema, value, path, 'provisioning/shape')).map(([name, raw]) => {
      const at = `${path}.${name}`;
      try {
        checkServiceName(name);
      } catch (err) {
        throw withPath(err, at);
      }
      const options = parseWith(optionsSchema, raw, at, 'provisioning/shape');
      const service: ProvisionedService = { name, options: [], template: undefined, preset: null };
      for (const [key, raw] of Object.entries(options)) {
        if (key === TEMPLATE_KEY) service.template = scalar(raw, `${at}.${key}`) || null;
        else if (key === PRESET_KEY) service.preset = scalar(raw, `${at}.${key}`) || null;
        else service.options.push({ name: key, value: scalar(raw, `${at}.${key}`) });
      }
      return service;
    });
  },
  async apply(services, managers) {
    try {
      await managers.services.applyAll(services);
    } catch (err) {
      throw err instanceof ServiceApplyError ? withPath(err, `services.${err.service}`) : err;
    }
  },
  async export(managers) {
    const out: Record<string, Record<string, string | null>> = {};
    for (const row of await managers.services.listRows()) {
      const entry: Record<string, string | null> = {};
      const serviceType = row.options.find((o) => o.name === '_service')?.value ?? '';
      if (row.template !== (await managers.services.defaultTemplateName(serviceType)))
        entry[TEMPLATE_KEY] = row.template;
      if (row.preset) entry[PRESET_KEY] = row.preset;
      for (const o of row.options) entry[o.name] = o.value;
      out[row.name] = entry;
    }
    return out;
  },
});
