import { asc, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { preparedQuery } from '../../db/prepared-queries.js';
import type { Deps } from '../../deps.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { ServiceCache } from './service-cache.js';
import {
  checkServiceName,
  exactParameter,
  initialOptions,
  requestParameterWarning,
  type ServiceWarning,
  setOption,
  validateServiceOptions,
  withMandatoryDefaults,
} from './service-options.js';
import { type ServiceRow, servicesTable, serviceTemplatesTable } from './services.tables.js';
import {
  findParameter,
  type OptionValue,
  type ServiceTemplate,
  type TemplateParameter,
  templateParameters,
} from './template-format.js';
import type { TemplateManager } from './templates.manager.js';

/** What other modules need to run a service: `managers.services.resolve(name)`. */
export interface ResolvedService {
  /** The execution name: /genesys/1/service/{name}. */
  name: string;
  /** `_service`: the built-in service type (request-interaction, callback, …) or an ORS application URL. */
  serviceType: string;
  /** `_type`: builtin or ors. */
  type: string;
  template: string | null;
  /** The configured options: they win over the same parameters sent on a request. */
  options: Record<string, string>;
  /** Template defaults of the parameters not configured: used when the request does not send them. */
  defaults: Record<string, string>;
  /** `_overwritable_options`: configured options a request may override after all. */
  overwritable: string[];
}

export interface ServiceOptionView extends OptionValue {
  /** The template parameter (for a series member like `_bh_regular2`, the `…1` parameter); null for a custom option. */
  parameter: TemplateParameter | null;
  kind: 'mandatory' | 'optional' | 'advanced' | 'request' | 'custom';
}

export interface ServiceView {
  name: string;
  template: string | null;
  preset: string | null;
  serviceType: string;
  type: string;
  options: ServiceOptionView[];
  createdAt: Date;
  updatedAt: Date;
}

export interface ServiceChange {
  name: string;
  action: 'created' | 'updated' | 'deleted';
}

declare module '../../pubsub/topics.js' {
  interface TopicMap {
    'services:changed': ServiceChange;
  }
}

export interface CreateServiceInput {
  name: string;
  /** Template to build from; without one the options must carry `_service` (and its template, if any, applies). */
  template?: string | null;
  preset?: string | null;
  /** Values on top of the template defaults and the preset; "" clears a non-mandatory one. */
  options?: OptionValue[];
}

export interface UpdateServiceInput {
  name: string;
  /** Applied first. Mandatory options can't be renamed. */
  rename?: { from: string; to: string }[];
  /** Applied second: optional options are deleted, request options become "not specified". */
  remove?: string[];
  /** Applied last: sets values, adds custom options. */
  set?: OptionValue[];
}

/** One service of a provisioning document. */
export interface ProvisionedService {
  name: string;
  options: OptionValue[];
  /** undefined: the template of `_service` (if any); null: none at all. */
  template?: string | null;
  preset?: string | null;
}

/** A provisioning failure: which service, and the error naming its field. */
export class ServiceApplyError extends ValidationError {
  constructor(
    readonly service: string,
    readonly original: ValidationError | NotFoundError,
  ) {
    super(original.code, original.message, original instanceof ValidationError ? original.field : null, {
      status: original.status,
    });
  }
}

/** A save-time check of a service type's options (e.g. office-hours grammar). */
export type ServiceOptionsValidator = (options: Readonly<Record<string, string>>) => void;

export interface ServiceChangeResult {
  service: ServiceView;
  warnings: ServiceWarning[];
}

const toRecord = (options: OptionValue[]) => Object.fromEntries(options.map((o) => [o.name, o.value]));

/**
 * Merges a request's parameters with a service's configuration, as GMS does: template defaults, then
 * the request's control (`_`) parameters, then the configured options, which win — except those listed
 * in `_overwritable_options`, which the request may override. `$name$` tokens in configured values are
 * replaced by the request parameter `name` (control or user data).
 */
export function mergeServiceParams(
  service: Pick<ResolvedService, 'options' | 'defaults' | 'overwritable'>,
  requestParams: Record<string, string>,
): Record<string, string> {
  const merged: Record<string, string> = { ...service.defaults };
  for (const [k, v] of Object.entries(requestParams)) if (k.startsWith('_')) merged[k] = v;
  for (const [k, v] of Object.entries(service.options)) {
    if (service.overwritable.includes(k) && requestParams[k] !== undefined && requestParams[k] !== '')
      continue;
    merged[k] = v.replace(/\$([A-Za-z_$][\w$]*)\$/g, (token, name: string) => requestParams[name] ?? token);
  }
  return merged;
}

function resolvedFrom(row: ServiceRow, template: ServiceTemplate | null): ResolvedService {
  const options = toRecord(row.options);
  const defaults: Record<string, string> = {};
  if (template)
    for (const p of templateParameters(template))
      if (options[p.name] === undefined && p.default !== '') defaults[p.name] = p.default;
  return {
    name: row.name,
    serviceType: options._service ?? '',
    type: options._type ?? '',
    template: row.template,
    options,
    defaults,
    overwritable: (options._overwritable_options ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  };
}

/** Cached answers are shared by every request: nobody may change one. */
function frozen(service: ResolvedService): ResolvedService {
  Object.freeze(service.options);
  Object.freeze(service.defaults);
  Object.freeze(service.overwritable);
  return Object.freeze(service);
}

declare module '../../managers.types.js' {
  interface Managers {
    services: ServiceManager;
  }
}

/** The lookup every session create starts with, built once (prepared-queries.ts). */
const findService = preparedQuery((db: DbOrTx) =>
  db
    .select({ service: servicesTable, definition: serviceTemplatesTable.definition })
    .from(servicesTable)
    .leftJoin(serviceTemplatesTable, eq(serviceTemplatesTable.name, servicesTable.template))
    .where(eq(servicesTable.name, sql.placeholder('name')))
    .prepare('services_find'),
);

/**
 * Configured services. `find` / `resolve` outside a transaction answer from a per-process cache
 * (service-cache.ts) that every instance drops when it hears `services:changed` or
 * `templates:changed`, published after each change commits; inside a transaction they read the
 * database. A change made on this instance is seen by its next request at once, one made on another
 * instance as soon as its message arrives (at most SERVICE_CACHE_MS later when it is lost).
 */
export class ServiceManager {
  private readonly validators = new Map<string, ServiceOptionsValidator>();
  private readonly cache: ServiceCache<ResolvedService>;

  constructor(
    private readonly deps: Deps,
    private readonly templates: TemplateManager,
  ) {
    this.cache = new ServiceCache(deps, deps.config.serviceCacheMs);
  }

  /**
   * Forgets every cached service: called after a change commits here (services, and templates
   * through `templates.onChanged` in managers.ts), before it is published to the other instances.
   */
  forgetCached(): void {
    this.cache.clear();
  }

  /** Start-up step: listens for changes made elsewhere; from then on lookups are cached. */
  watchChanges(): Promise<void> {
    return this.cache.listen();
  }

  /**
   * Adds a save-time check for services of one built-in type (`_service`), run after the template
   * rules on every create, update and provisioning apply; throw a ValidationError naming the option.
   */
  registerValidator(serviceType: string, validator: ServiceOptionsValidator): void {
    if (this.validators.has(serviceType))
      throw new Error(`a validator for '${serviceType}' is already registered`);
    this.validators.set(serviceType, validator);
  }

  /** Template rules, then the check of the service's built-in type. */
  private validate(template: ServiceTemplate | null, options: OptionValue[]): OptionValue[] {
    const valid = validateServiceOptions(template, options);
    const record = toRecord(valid);
    this.validators.get(record._service ?? '')?.(record);
    return valid;
  }

  /** The service to execute, or 404 `services/not_found`. */
  async resolve(name: string, db: DbOrTx = this.deps.db): Promise<ResolvedService> {
    const found = await this.find(name, db);
    if (!found) throw new NotFoundError('services/not_found', `Service '${name}' is not configured`);
    return found;
  }

  async find(name: string, db: DbOrTx = this.deps.db): Promise<ResolvedService | null> {
    // A transaction reads what it can see itself (provisioning checks services it is creating).
    if (db !== this.deps.db) return this.read(name, db);
    const cached = this.cache.get(name);
    if (cached !== undefined) return cached;
    const ticket = this.cache.ticket();
    const found = await this.read(name, db);
    this.cache.put(name, found, ticket);
    return found;
  }

  private async read(name: string, db: DbOrTx): Promise<ResolvedService | null> {
    const [hit] = await findService(db, { name });
    return hit ? frozen(resolvedFrom(hit.service, hit.definition)) : null;
  }

  async list(): Promise<ServiceView[]> {
    const rows = await this.deps.db
      .select({ service: servicesTable, definition: serviceTemplatesTable.definition })
      .from(servicesTable)
      .leftJoin(serviceTemplatesTable, eq(serviceTemplatesTable.name, servicesTable.template))
      .orderBy(asc(servicesTable.name));
    return rows.map((r) => this.view(r.service, r.definition));
  }

  async get(name: string): Promise<ServiceView | null> {
    const [hit] = await this.deps.db
      .select({ service: servicesTable, definition: serviceTemplatesTable.definition })
      .from(servicesTable)
      .leftJoin(serviceTemplatesTable, eq(serviceTemplatesTable.name, servicesTable.template))
      .where(eq(servicesTable.name, name));
    return hit ? this.view(hit.service, hit.definition) : null;
  }

  /** Adds a service from a template (optionally a preset), or from raw options carrying `_service`. */
  async create(input: CreateServiceInput): Promise<ServiceChangeResult> {
    checkServiceName(input.name);
    const given = input.options ?? [];
    const result = await this.deps.db.transaction(async (tx) => {
      const template = await this.templateFor(input.template ?? undefined, given, tx);
      let options: OptionValue[];
      if (template && input.template) options = initialOptions(template, input.preset ?? null);
      else {
        if (input.preset)
          throw new ValidationError(
            'services/unknown_preset',
            'A preset needs a template: give the template too',
            'preset',
          );
        options = [];
      }
      for (const o of given) setOption(options, o.name, o.value);
      const valid = this.validate(
        template,
        template && !input.template ? withMandatoryDefaults(template, options) : options,
      );
      const now = this.deps.clock.now();
      const inserted = await tx
        .insert(servicesTable)
        .values({
          name: input.name,
          template: template?.name ?? null,
          preset: input.preset ?? null,
          options: valid,
          createdAt: now,
          updatedAt: now,
        })
        .onConflictDoNothing()
        .returning();
      const row = inserted[0];
      if (!row)
        throw new ValidationError(
          'services/duplicate_name',
          `A service named '${input.name}' already exists`,
          'name',
        );
      return { service: this.view(row, template), warnings: this.warnings(template, given) };
    });
    await this.changed({ name: input.name, action: 'created' });
    return result;
  }

  /** Renames, removes and sets options in one go; the result must still satisfy the template. */
  async update(input: UpdateServiceInput): Promise<ServiceChangeResult> {
    const result = await this.deps.db.transaction(async (tx) => {
      const [row] = await tx
        .select()
        .from(servicesTable)
        .where(eq(servicesTable.name, input.name))
        .for('update');
      if (!row) throw new NotFoundError('services/not_found', `Service '${input.name}' is not configured`);
      const template = row.template ? await this.templates.find(row.template, tx) : null;
      const options = row.options.map((o) => ({ ...o }));
      const isLocked = (name: string) => exactParameter(template, name)?.kind === 'mandatory';
      const has = (name: string) => options.some((o) => o.name === name);

      for (const { from, to } of input.rename ?? []) {
        if (isLocked(from))
          throw new ValidationError(
            'services/mandatory_locked',
            `Mandatory option ${from} can't be renamed`,
            from,
          );
        if (!has(from))
          throw new ValidationError(
            'services/unknown_option',
            `Service '${input.name}' has no option ${from}`,
            from,
          );
        if (has(to))
          throw new ValidationError('services/duplicate_option', `Option ${to} already exists`, to);
        const option = options.find((o) => o.name === from) as OptionValue;
        option.name = to;
      }
      for (const name of input.remove ?? []) {
        if (isLocked(name))
          throw new ValidationError(
            'services/mandatory_locked',
            `Mandatory option ${name} can't be removed`,
            name,
          );
        const at = options.findIndex((o) => o.name === name);
        if (at < 0)
          throw new ValidationError(
            'services/unknown_option',
            `Service '${input.name}' has no option ${name}`,
            name,
          );
        options.splice(at, 1);
      }
      for (const o of input.set ?? []) setOption(options, o.name, o.value);
      const valid = this.validate(template, options);
      const [updated] = await tx
        .update(servicesTable)
        .set({ options: valid, updatedAt: this.deps.clock.now() })
        .where(eq(servicesTable.name, input.name))
        .returning();
      return {
        service: this.view(updated as ServiceRow, template),
        warnings: this.warnings(template, input.set ?? []),
      };
    });
    await this.changed({ name: input.name, action: 'updated' });
    return result;
  }

  async delete(name: string): Promise<string> {
    const rows = await this.deps.db
      .delete(servicesTable)
      .where(eq(servicesTable.name, name))
      .returning({ name: servicesTable.name });
    if (rows.length === 0)
      throw new NotFoundError('services/not_found', `Service '${name}' is not configured`);
    await this.changed({ name, action: 'deleted' });
    return name;
  }

  /**
   * Provisioning: makes each named service hold exactly the given options (template inferred from
   * `_service` unless named; mandatory options with a template default may be left out and get
   * it). All or nothing: one invalid service applies none. Writes nothing for a service that already
   * holds these options, so applying a file twice changes nothing.
   */
  async applyAll(
    services: ProvisionedService[],
  ): Promise<Record<string, 'created' | 'updated' | 'unchanged'>> {
    const outcomes: Record<string, 'created' | 'updated' | 'unchanged'> = {};
    await this.deps.db.transaction(async (tx) => {
      for (const s of services) {
        try {
          outcomes[s.name] = await this.applyOne(tx, s);
        } catch (err) {
          if (err instanceof ValidationError || err instanceof NotFoundError)
            throw new ServiceApplyError(s.name, err);
          throw err;
        }
      }
    });
    for (const [name, outcome] of Object.entries(outcomes))
      if (outcome !== 'unchanged')
        await this.changed({ name, action: outcome === 'created' ? 'created' : 'updated' });
    return outcomes;
  }

  /** After a change committed: this instance forgets at once, the others when the message arrives. */
  private async changed(change: ServiceChange): Promise<void> {
    this.cache.clear();
    await this.deps.bus.publish('services:changed', null, change);
  }

  private async applyOne(tx: DbOrTx, s: ProvisionedService): Promise<'created' | 'updated' | 'unchanged'> {
    checkServiceName(s.name);
    const template = await this.templateFor(s.template, s.options, tx);
    const valid = this.validate(template, template ? withMandatoryDefaults(template, s.options) : s.options);
    const templateName = template?.name ?? null;
    const preset = s.preset ?? null;
    if (preset !== null && !template?.presets.some((p) => p.name === preset))
      throw new ValidationError(
        'services/unknown_preset',
        `Template '${templateName ?? '(none)'}' has no preset '${preset}'`,
        'preset',
      );
    const now = this.deps.clock.now();
    // Insert first: an instance applying the same file at the same moment waits here, then compares.
    const inserted = await tx
      .insert(servicesTable)
      .values({
        name: s.name,
        template: templateName,
        preset,
        options: valid,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing()
      .returning({ name: servicesTable.name });
    if (inserted.length > 0) return 'created';
    const [existing] = await tx
      .select()
      .from(servicesTable)
      .where(eq(servicesTable.name, s.name))
      .for('update');
    if (!existing) throw new Error(`service ${s.name} vanished while being provisioned`);
    const same =
      existing.template === templateName &&
      existing.preset === preset &&
      JSON.stringify(existing.options) === JSON.stringify(valid);
    if (same) return 'unchanged';
    await tx
      .update(servicesTable)
      .set({ template: templateName, preset, options: valid, updatedAt: now })
      .where(eq(servicesTable.name, s.name));
    return 'updated';
  }

  /** Every service as stored, for the provisioning export. */
  async listRows(): Promise<ServiceRow[]> {
    return this.deps.db.select().from(servicesTable).orderBy(asc(servicesTable.name));
  }

  /** The template a raw option map falls under when none is named: the one for its `_service`. */
  async defaultTemplateName(serviceType: string): Promise<string | null> {
    return (await this.templates.forServiceType(serviceType))?.name ?? null;
  }

  /** A named template; for `undefined` the one of the options' `_service`; for `null` none. */
  private async templateFor(
    templateName: string | null | undefined,
    options: OptionValue[],
    tx: DbOrTx,
  ): Promise<ServiceTemplate | null> {
    if (templateName === null) return null;
    if (templateName) {
      const template = await this.templates.find(templateName, tx, { lock: true });
      if (!template)
        throw new ValidationError(
          'services/unknown_template',
          `Service template '${templateName}' not found`,
          'template',
        );
      return template;
    }
    const serviceType = options.find((o) => o.name === '_service')?.value;
    if (!serviceType)
      throw new ValidationError(
        'services/missing_mandatory',
        'Give a template, or options that include _service (the built-in service type)',
        '_service',
      );
    const inferred = await this.templates.forServiceType(serviceType, tx);
    return inferred ? this.templates.find(inferred.name, tx, { lock: true }) : null;
  }

  private warnings(template: ServiceTemplate | null, set: OptionValue[]): ServiceWarning[] {
    return set
      .filter((o) => o.value !== '')
      .map((o) => requestParameterWarning(template, o.name))
      .filter((w): w is ServiceWarning => w !== null);
  }

  private view(row: ServiceRow, template: ServiceTemplate | null): ServiceView {
    const options = toRecord(row.options);
    return {
      name: row.name,
      template: row.template,
      preset: row.preset,
      serviceType: options._service ?? '',
      type: options._type ?? '',
      options: row.options.map((o) => {
        const exact = exactParameter(template, o.name);
        const parameter = exact ?? (template ? findParameter(template, o.name) : null);
        return {
          ...o,
          parameter,
          kind: exact
            ? exact.kind
            : parameter
              ? parameter.kind === 'advanced'
                ? 'advanced'
                : 'optional'
              : 'custom',
        };
      }),
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  }
}
