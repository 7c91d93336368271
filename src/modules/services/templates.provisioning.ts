import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { z } from 'zod';
import { ValidationError } from '../../errors.js';
import { defineSection, parseWith } from '../../provisioning/section.js';
import { parseTemplate, type ServiceTemplate } from './template-format.js';

/** Template name → the template in the service_templates/ file format (checked by parseTemplate). */
const templatesSchema = z.record(z.string(), z.unknown(), { error: 'must map template names to templates' });

interface ProvisionedTemplate {
  template: ServiceTemplate;
  text: string;
}

/**
 * `service_templates:` keyed by template name, each the template itself in the service_templates/
 * file format (README there). Only admin templates belong here: the bundled ones ship with the
 * server. Applied before `services`, so services may name them in `@template`.
 */
export const serviceTemplatesSection = defineSection<ProvisionedTemplate[]>({
  key: 'service_templates',
  order: 50,
  parse(value, path) {
    if (value === null || value === undefined) return [];
    const templates = parseWith(templatesSchema, value, path, 'provisioning/shape');
    return Object.entries(templates).map(([name, body]) => {
      // `name` may be left out: the key names the template.
      const withName =
        body !== null && typeof body === 'object' && !Array.isArray(body) && !('name' in body)
          ? { name, ...body }
          : body;
      const text = stringifyYaml(withName, { lineWidth: 0 });
      try {
        return { template: parseTemplate(text, `${path}.${name}`, name), text };
      } catch (err) {
        if (err instanceof ValidationError)
          throw new ValidationError(
            err.code,
            err.message,
            `${path}.${name}.${err.field ?? ''}`.replace(/\.$/, ''),
          );
        throw err;
      }
    });
  },
  async apply(templates, managers) {
    for (const { template, text } of templates) await managers.templates.applyProvisioned(template, text);
  },
  async export(managers) {
    const out: Record<string, unknown> = {};
    for (const t of await managers.templates.listUploaded()) out[t.name] = parseYaml(t.sourceText);
    return out;
  },
});
