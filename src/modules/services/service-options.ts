import { ValidationError } from '../../errors.js';
import { checkValue, isValidIdentifier, MAX_DURATION_SECONDS } from './option-values.js';
import {
  findParameter,
  type OptionValue,
  type ServiceTemplate,
  type TemplateParameter,
  templateParameters,
} from './template-format.js';

/** Execution names become one URL segment: /genesys/1/service/{name}. */
const SERVICE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
/** Session ids share the URL segment; a name shaped like one would be ambiguous. */
const SESSION_ID_SHAPE = /^\d+-[0-9a-f]{8}-/i;
/** Static segments other routes own under /genesys/1/service/. */
const RESERVED_NAMES = new Set(['callback']);

export function checkServiceName(name: string): void {
  if (!SERVICE_NAME_PATTERN.test(name))
    throw new ValidationError(
      'services/invalid_name',
      `Invalid service name '${name}': use letters, digits, _ . - (at most 100 characters, starting with a letter or digit)`,
      'name',
    );
  if (RESERVED_NAMES.has(name.toLowerCase()))
    throw new ValidationError('services/invalid_name', `'${name}' is reserved by the Service API`, 'name');
  if (SESSION_ID_SHAPE.test(name))
    throw new ValidationError(
      'services/invalid_name',
      `Invalid service name '${name}': it looks like a session id (<node>-<uuid>)`,
      'name',
    );
}

/** The parameter of the template that an option name is, exactly (series members are not). */
export const exactParameter = (template: ServiceTemplate | null, name: string): TemplateParameter | null =>
  template ? (templateParameters(template).find((p) => p.name === name) ?? null) : null;

function checkOptionValue(template: ServiceTemplate | null, raw: OptionValue): string {
  // The 8.1.2 help's customization example writes `_type built-in`.
  const option =
    raw.name === '_type' && raw.value.toLowerCase() === 'built-in' ? { ...raw, value: 'builtin' } : raw;
  const param = template ? findParameter(template, option.name) : null;
  if (param) {
    const checked = checkValue(param.type, option.value, param.values);
    if (!checked.ok)
      throw new ValidationError(
        'services/invalid_value',
        `Option ${option.name} ${checked.problem}`,
        option.name,
      );
    return checked.value;
  }
  // Without a template the three options every service has are still checked.
  if (option.name === '_type') {
    const checked = checkValue('enum', option.value, ['builtin', 'ors']);
    if (!checked.ok)
      throw new ValidationError('services/invalid_value', `Option _type ${checked.problem}`, '_type');
    return checked.value;
  }
  if (option.name === '_ttl') {
    const checked = checkValue('duration', option.value, null);
    if (!checked.ok)
      throw new ValidationError('services/invalid_value', `Option _ttl ${checked.problem}`, '_ttl');
  }
  return option.value;
}

/**
 * The whole option set of a service, checked against its template (or, without one, against the
 * rules every service follows). Returns the options in canonical spelling, without the ones left
 * "not specified" (""). Every error names the option at fault.
 */
export function validateServiceOptions(
  template: ServiceTemplate | null,
  options: OptionValue[],
): OptionValue[] {
  const seen = new Set<string>();
  const out: OptionValue[] = [];
  for (const option of options) {
    if (!isValidIdentifier(option.name))
      throw new ValidationError(
        'services/invalid_option_name',
        `'${option.name}' is not a valid option name: use an ECMAScript identifier (letters, digits, _ and $, not starting with a digit)`,
        option.name,
      );
    if (seen.has(option.name))
      throw new ValidationError(
        'services/duplicate_option',
        `Option ${option.name} is given twice`,
        option.name,
      );
    seen.add(option.name);
    if (option.value === '') continue;
    out.push({ name: option.name, value: checkOptionValue(template, option) });
  }
  const configured = new Map(out.map((o) => [o.name, o.value]));
  if (template) {
    for (const p of templateParameters(template)) {
      if (p.kind === 'mandatory' && !configured.get(p.name))
        throw new ValidationError(
          'services/missing_mandatory',
          `Mandatory option ${p.name} (${p.label}) of template '${template.name}' needs a value`,
          p.name,
        );
    }
    if (configured.get('_service') !== template.service)
      throw new ValidationError(
        'services/invalid_value',
        `Option _service must be '${template.service}' for services built from template '${template.name}'`,
        '_service',
      );
  } else {
    for (const name of ['_type', '_service'])
      if (!configured.get(name))
        throw new ValidationError('services/missing_mandatory', `Option ${name} needs a value`, name);
  }
  return out;
}

/**
 * The options a new service starts with: mandatory parameters (even without a default, so a missing
 * value is reported), optional and advanced parameters that have a default, never request parameters
 * (a configured value would override every request's). Then the preset's values.
 */
export function initialOptions(template: ServiceTemplate, presetName: string | null): OptionValue[] {
  const options: OptionValue[] = [];
  for (const p of templateParameters(template)) {
    if (p.kind === 'mandatory' || (p.kind !== 'request' && p.default !== ''))
      options.push({ name: p.name, value: p.default });
  }
  if (presetName !== null) {
    const preset = template.presets.find((p) => p.name.toLowerCase() === presetName.toLowerCase());
    if (!preset)
      throw new ValidationError(
        'services/unknown_preset',
        `Template '${template.name}' has no preset '${presetName}'${template.presets.length ? ` (presets: ${template.presets.map((p) => p.name).join(', ')})` : ' (it has no presets)'}`,
        'preset',
      );
    for (const v of preset.values) setOption(options, v.name, v.value);
  }
  return options;
}

/**
 * A raw option map (provisioning, or a service given without a template) may leave out mandatory
 * options that have a template default: they get it, as a service created from the template would.
 */
export function withMandatoryDefaults(template: ServiceTemplate, options: OptionValue[]): OptionValue[] {
  const out = options.map((o) => ({ ...o }));
  for (const p of templateParameters(template))
    if (p.kind === 'mandatory' && p.default !== '' && !out.some((o) => o.name === p.name))
      out.push({ name: p.name, value: p.default });
  return out;
}

export function setOption(options: OptionValue[], name: string, value: string): void {
  const existing = options.find((o) => o.name === name);
  if (existing) existing.value = value;
  else options.push({ name, value });
}

/** A configured request parameter is legal but overrides every request's value: the admin is told. */
export interface ServiceWarning {
  field: string;
  message: string;
}

export function requestParameterWarning(
  template: ServiceTemplate | null,
  name: string,
): ServiceWarning | null {
  const p = exactParameter(template, name);
  if (p?.kind !== 'request') return null;
  return {
    field: name,
    message: `${name} is a request parameter: the configured value overrides the value sent on each request`,
  };
}

/** Seconds from `_ttl`, falling back to `fallback` when absent; `null` when the value is not a duration. */
export function parseTtlSeconds(value: string | undefined, fallback: number): number | null {
  if (value === undefined || value === '') return fallback;
  if (!/^\d{1,12}$/.test(value)) return null;
  const n = Number(value);
  if (n <= 0 || n > MAX_DURATION_SECONDS) return null;
  return n;
}
