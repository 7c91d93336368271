import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ValidationError } from '../../errors.js';
import {
  checkValue,
  isValidIdentifier,
  type ParameterKind,
  type ParameterType,
  parameterKinds,
  parameterTypes,
} from './option-values.js';

/** One parameter of a template, as the Service Management UI shows it. */
export interface TemplateParameter {
  name: string;
  label: string;
  kind: ParameterKind;
  type: ParameterType;
  /** Always a string; "" means "not specified". */
  default: string;
  /** Allowed values, for type enum only. */
  values: string[] | null;
  description: string;
  category: string;
}

export interface TemplateCategory {
  name: string;
  parameters: TemplateParameter[];
}

export interface OptionValue {
  name: string;
  value: string;
}

/** A named Common Default Configuration: values applied on top of the defaults. */
export interface TemplatePreset {
  name: string;
  description: string;
  values: OptionValue[];
}

export interface ServiceTemplate {
  name: string;
  /** The built-in service it configures (the `_service` value). */
  service: string;
  /** The `_type` value. */
  type: 'builtin' | 'ors';
  description: string;
  categories: TemplateCategory[];
  presets: TemplatePreset[];
}

export const TEMPLATE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

const text = z.string({ error: 'must be a string' });
const nonEmpty = text.trim().min(1, 'must not be empty');

const parameterSchema = z.strictObject({
  name: nonEmpty,
  label: nonEmpty,
  kind: z.enum(parameterKinds, { error: `must be one of ${parameterKinds.join(', ')}` }),
  type: z.enum(parameterTypes, { error: `must be one of ${parameterTypes.join(', ')}` }),
  default: z.string({ error: 'must be a string (quote numbers and booleans, e.g. "30")' }),
  values: z.array(z.string({ error: 'enum values must be strings' })).optional(),
  description: text,
});

const presetSchema = z.strictObject({
  name: nonEmpty,
  description: text.default(''),
  values: z.record(
    z.string(),
    z.string({ error: 'preset values must be strings (quote numbers and booleans)' }),
  ),
});

const templateSchema = z.strictObject({
  name: nonEmpty,
  service: nonEmpty,
  type: z.enum(['builtin', 'ors'], { error: 'must be builtin or ors' }),
  description: text,
  categories: z
    .array(
      z.strictObject({
        name: nonEmpty,
        parameters: z.array(parameterSchema).min(1, 'a category needs at least one parameter'),
      }),
    )
    .min(1, 'a template needs at least one category'),
  presets: z.array(presetSchema).optional(),
});

type RawTemplate = z.infer<typeof templateSchema>;

type Issue = { path: (string | number)[]; message: string };

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || '(document)';
}

function fail(source: string, issues: Issue[]): never {
  const first = issues[0] as Issue;
  const lines = issues.slice(0, 10).map((i) => `${formatPath(i.path)}: ${i.message}`);
  const more = issues.length > 10 ? ` (and ${issues.length - 10} more)` : '';
  throw new ValidationError(
    'templates/invalid',
    `Invalid service template ${source}: ${lines.join('; ')}${more}`,
    formatPath(first.path),
  );
}

/** Rules zod cannot express: names, defaults against types, the three required options, presets. */
function checkRules(t: RawTemplate, expectedName: string | null): Issue[] {
  const issues: Issue[] = [];
  if (!TEMPLATE_NAME_PATTERN.test(t.name))
    issues.push({ path: ['name'], message: 'use letters, digits, _ . - (at most 100 characters)' });
  if (expectedName !== null && t.name !== expectedName)
    issues.push({
      path: ['name'],
      message: `must equal the file base name '${expectedName}', got '${t.name}'`,
    });

  const byName = new Map<string, RawTemplate['categories'][number]['parameters'][number]>();
  const categoryNames = new Set<string>();
  t.categories.forEach((category, ci) => {
    if (categoryNames.has(category.name))
      issues.push({ path: ['categories', ci, 'name'], message: `duplicate category '${category.name}'` });
    categoryNames.add(category.name);
    category.parameters.forEach((p, pi) => {
      const at = (field: string) => ['categories', ci, 'parameters', pi, field];
      if (!isValidIdentifier(p.name))
        issues.push({ path: at('name'), message: `'${p.name}' is not a valid ECMAScript identifier` });
      if (byName.has(p.name)) issues.push({ path: at('name'), message: `duplicate parameter '${p.name}'` });
      byName.set(p.name, p);
      if (p.type === 'enum') {
        if (!p.values || p.values.length === 0)
          issues.push({ path: at('values'), message: `enum parameter '${p.name}' needs values` });
        else if (new Set(p.values).size !== p.values.length || p.values.some((v) => v === ''))
          issues.push({ path: at('values'), message: `values of '${p.name}' must be unique and non-empty` });
      } else if (p.values !== undefined) {
        issues.push({
          path: at('values'),
          message: `only enum parameters have values ('${p.name}' is ${p.type})`,
        });
      }
      if (p.default !== '') {
        const checked = checkValue(p.type, p.default, p.values ?? null);
        if (!checked.ok)
          issues.push({ path: at('default'), message: `default of '${p.name}' ${checked.problem}` });
        else if (checked.value !== p.default)
          issues.push({
            path: at('default'),
            message: `default of '${p.name}' must be written '${checked.value}'`,
          });
      }
    });
  });

  const typeParam = byName.get('_type');
  if (typeParam?.kind !== 'mandatory' || typeParam.type !== 'enum')
    issues.push({
      path: ['categories'],
      message: 'every template needs _type (mandatory, enum [builtin, ors])',
    });
  else if (typeParam.default !== t.type)
    issues.push({
      path: ['categories'],
      message: `_type defaults to '${typeParam.default}' but type is '${t.type}'`,
    });
  const serviceParam = byName.get('_service');
  if (serviceParam?.kind !== 'mandatory' || serviceParam.type !== 'string')
    issues.push({ path: ['categories'], message: 'every template needs _service (mandatory, string)' });
  else if (serviceParam.default !== t.service)
    issues.push({
      path: ['categories'],
      message: `_service defaults to '${serviceParam.default}' but service is '${t.service}'`,
    });
  const ttl = byName.get('_ttl');
  if (ttl?.type !== 'duration')
    issues.push({ path: ['categories'], message: 'every template needs _ttl (duration)' });

  const presetNames = new Set<string>();
  (t.presets ?? []).forEach((preset, i) => {
    if (presetNames.has(preset.name))
      issues.push({ path: ['presets', i, 'name'], message: `duplicate preset '${preset.name}'` });
    presetNames.add(preset.name);
    for (const [key, value] of Object.entries(preset.values)) {
      const p = byName.get(key);
      if (!p) {
        issues.push({
          path: ['presets', i, 'values', key],
          message: `'${key}' is not a parameter of this template`,
        });
        continue;
      }
      if (value === '') continue;
      const checked = checkValue(p.type, value, p.values ?? null);
      if (!checked.ok) issues.push({ path: ['presets', i, 'values', key], message: checked.problem });
    }
  });
  return issues;
}

/**
 * Parses and strictly validates one template file (YAML; JSON is YAML too). `source` names the file
 * in error messages; `expectedName` is the file base name the template's `name` must equal.
 */
export function parseTemplate(
  sourceText: string,
  source: string,
  expectedName: string | null,
): ServiceTemplate {
  let raw: unknown;
  try {
    raw = parseYaml(sourceText, { uniqueKeys: true, maxAliasCount: 100, prettyErrors: false });
  } catch (err) {
    fail(source, [{ path: [], message: `not valid YAML: ${(err as Error).message.split('\n')[0]}` }]);
  }
  const parsed = templateSchema.safeParse(raw);
  if (!parsed.success)
    fail(
      source,
      parsed.error.issues.map((i) => ({ path: i.path as (string | number)[], message: i.message })),
    );
  const t = parsed.data;
  const issues = checkRules(t, expectedName);
  if (issues.length > 0) fail(source, issues);

  const params = new Map<string, TemplateParameter>();
  const categories = t.categories.map((c) => ({
    name: c.name,
    parameters: c.parameters.map((p) => {
      const param: TemplateParameter = {
        name: p.name,
        label: p.label,
        kind: p.kind,
        type: p.type,
        default: p.default,
        values: p.values ?? null,
        description: p.description,
        category: c.name,
      };
      params.set(p.name, param);
      return param;
    }),
  }));
  return {
    name: t.name,
    service: t.service,
    type: t.type,
    description: t.description,
    categories,
    presets: (t.presets ?? []).map((p) => ({
      name: p.name,
      description: p.description,
      values: Object.entries(p.values).map(([name, value]) => {
        const param = params.get(name) as TemplateParameter;
        const checked = value === '' ? null : checkValue(param.type, value, param.values);
        return { name, value: checked?.ok ? checked.value : value };
      }),
    })),
  };
}

export function templateParameters(template: ServiceTemplate): TemplateParameter[] {
  return template.categories.flatMap((c) => c.parameters);
}

const seriesPattern = /^(.*\D)(\d+)$/;

/**
 * The template parameter that governs an option name: the parameter itself, or for a numbered
 * series written once with `<n>` = 1 (`_bh_regular1`, `_holiday1`, …) the first member, so that
 * `_bh_regular2` is checked like `_bh_regular1`.
 */
export function findParameter(template: ServiceTemplate, optionName: string): TemplateParameter | null {
  const params = templateParameters(template);
  const exact = params.find((p) => p.name === optionName);
  if (exact) return exact;
  const m = seriesPattern.exec(optionName);
  if (!m || m[2] === '1' || /^0/.test(m[2] as string)) return null;
  return params.find((p) => p.name === `${m[1]}1`) ?? null;
}
