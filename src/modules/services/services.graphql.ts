import { ValidationError } from '../../errors.js';
import { builder } from '../../graphql/builder.js';
import type { ParameterKind } from './option-values.js';
import type { ServiceWarning } from './service-options.js';
import type { ServiceChangeResult, ServiceOptionView, ServiceView } from './services.manager.js';
import type { OptionValue, TemplateCategory, TemplateParameter, TemplatePreset } from './template-format.js';
import { MAX_TEMPLATE_BYTES } from './template-upload.js';
import type { TemplateView } from './templates.manager.js';

const ParameterKindEnum = builder.enumType('ServiceParameterKind', {
  description:
    'MANDATORY: locked (cannot be renamed or removed). OPTIONAL: can be renamed or removed. ADVANCED: tuning, hidden unless asked for. REQUEST: normally sent on each request; a configured value overrides the request. CUSTOM: an option the template does not declare.',
  values: ['MANDATORY', 'OPTIONAL', 'ADVANCED', 'REQUEST', 'CUSTOM'] as const,
});

const ParameterTypeEnum = builder.enumType('ServiceParameterType', {
  values: ['STRING', 'INTEGER', 'BOOLEAN', 'ENUM', 'DURATION', 'TIMEZONE', 'URL', 'DATETIME'] as const,
});

const TemplateOriginEnum = builder.enumType('ServiceTemplateOrigin', {
  description:
    'BUNDLED: shipped in service_templates/ and installed at start-up. UPLOADED: uploaded or replaced by an admin.',
  values: ['BUNDLED', 'UPLOADED'] as const,
});

const kindOf = (k: ParameterKind | 'custom') =>
  k.toUpperCase() as 'MANDATORY' | 'OPTIONAL' | 'ADVANCED' | 'REQUEST' | 'CUSTOM';

export const ServiceOptionRef = builder.objectRef<OptionValue>('ServiceOption').implement({
  description: 'A GMS option: name → string value.',
  fields: (t) => ({
    name: t.exposeString('name'),
    value: t.exposeString('value'),
  }),
});

const ParameterRef = builder.objectRef<TemplateParameter>('ServiceTemplateParameter').implement({
  fields: (t) => ({
    name: t.exposeString('name', { description: 'GMS option name, e.g. `_ttl`.' }),
    label: t.exposeString('label'),
    kind: t.field({ type: ParameterKindEnum, resolve: (p) => kindOf(p.kind) }),
    type: t.field({ type: ParameterTypeEnum, resolve: (p) => p.type.toUpperCase() as 'STRING' }),
    defaultValue: t.exposeString('default', { description: '"" means not specified.' }),
    values: t.exposeStringList('values', { nullable: true, description: 'Allowed values (ENUM only).' }),
    description: t.exposeString('description'),
    category: t.exposeString('category'),
  }),
});

const visible = (params: TemplateParameter[], includeAdvanced: boolean | null | undefined) =>
  includeAdvanced ? params : params.filter((p) => p.kind !== 'advanced');

const CategoryRef = builder.objectRef<TemplateCategory>('ServiceTemplateCategory').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    parameters: t.field({
      type: [ParameterRef],
      args: { includeAdvanced: t.arg.boolean({ defaultValue: false }) },
      resolve: (c, args) => visible(c.parameters, args.includeAdvanced),
    }),
  }),
});

const PresetRef = builder.objectRef<TemplatePreset>('ServiceTemplatePreset').implement({
  description: 'A Common Default Configuration: values applied on top of the parameter defaults.',
  fields: (t) => ({
    name: t.exposeString('name'),
    description: t.exposeString('description'),
    values: t.field({ type: [ServiceOptionRef], resolve: (p) => p.values }),
  }),
});

export const ServiceTemplateRef = builder.objectRef<TemplateView>('ServiceTemplate').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    service: t.exposeString('service', { description: 'The built-in service it configures (`_service`).' }),
    type: t.exposeString('type', { description: '`_type`: builtin or ors.' }),
    description: t.exposeString('description'),
    origin: t.field({
      type: TemplateOriginEnum,
      resolve: (v) => (v.origin === 'bundled' ? 'BUNDLED' : 'UPLOADED'),
    }),
    categories: t.field({
      type: [CategoryRef],
      description:
        'Categories in order; advanced parameters (and categories left empty without them) only with includeAdvanced.',
      args: { includeAdvanced: t.arg.boolean({ defaultValue: false }) },
      resolve: (v, args) =>
        v.categories.filter((c) => visible(c.parameters, args.includeAdvanced).length > 0),
    }),
    parameters: t.field({
      type: [ParameterRef],
      args: { includeAdvanced: t.arg.boolean({ defaultValue: false }) },
      resolve: (v, args) =>
        visible(
          v.categories.flatMap((c) => c.parameters),
          args.includeAdvanced,
        ),
    }),
    presets: t.field({ type: [PresetRef], resolve: (v) => v.presets }),
    source: t.exposeString('sourceText', { description: 'The template file (YAML) as stored.' }),
    checksum: t.exposeString('checksum', { description: 'sha256 of source.' }),
    usedBy: t.stringList({
      description: 'Configured services built from this template.',
      resolve: (v, _args, ctx) => ctx.managers.templates.usedBy(v.name),
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (v) => v.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (v) => v.updatedAt }),
  }),
});

const ConfiguredOptionRef = builder.objectRef<ServiceOptionView>('ConfiguredServiceOption').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    value: t.exposeString('value'),
    kind: t.field({ type: ParameterKindEnum, resolve: (o) => kindOf(o.kind) }),
    locked: t.boolean({
      description: 'Mandatory: cannot be renamed or removed.',
      resolve: (o) => o.kind === 'mandatory',
    }),
    label: t.string({ nullable: true, resolve: (o) => o.parameter?.label ?? null }),
    type: t.field({
      type: ParameterTypeEnum,
      nullable: true,
      resolve: (o) => (o.parameter ? (o.parameter.type.toUpperCase() as 'STRING') : null),
    }),
    description: t.string({ nullable: true, resolve: (o) => o.parameter?.description ?? null }),
    category: t.string({
      nullable: true,
      description:
        'The template category the option belongs to (the console groups by it); null for a custom option.',
      resolve: (o) => o.parameter?.category ?? null,
    }),
  }),
});

export const ConfiguredServiceRef = builder.objectRef<ServiceView>('ConfiguredService').implement({
  description: 'A configured service: POST /genesys/1/service/{name} runs it.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The execution name.' }),
    template: t.exposeString('template', { nullable: true }),
    preset: t.exposeString('preset', { nullable: true }),
    serviceType: t.exposeString('serviceType', { description: '`_service`.' }),
    type: t.exposeString('type', { description: '`_type`.' }),
    options: t.field({
      type: [ConfiguredOptionRef],
      args: { includeAdvanced: t.arg.boolean({ defaultValue: false }) },
      resolve: (s, args) =>
        args.includeAdvanced ? s.options : s.options.filter((o) => o.kind !== 'advanced'),
    }),
    url: t.string({
      description: 'Where the Service API runs it.',
      resolve: (s) => `/genesys/1/service/${encodeURIComponent(s.name)}`,
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (s) => s.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (s) => s.updatedAt }),
  }),
});

const WarningRef = builder.objectRef<ServiceWarning>('ServiceWarning').implement({
  fields: (t) => ({ field: t.exposeString('field'), message: t.exposeString('message') }),
});

const ServiceChangeRef = builder.objectRef<ServiceChangeResult>('ServiceChange').implement({
  fields: (t) => ({
    service: t.field({ type: ConfiguredServiceRef, resolve: (r) => r.service }),
    warnings: t.field({ type: [WarningRef], resolve: (r) => r.warnings }),
  }),
});

export const ServiceOptionInput = builder.inputType('ServiceOptionInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    value: t.string({ required: true, description: '"" clears a non-mandatory option (not specified).' }),
  }),
});

const RenameInput = builder.inputType('ServiceOptionRenameInput', {
  fields: (t) => ({ from: t.string({ required: true }), to: t.string({ required: true }) }),
});

const CreateServiceInput = builder.inputType('CreateServiceInput', {
  fields: (t) => ({
    name: t.string({ required: true, description: 'Execution name, e.g. iPhoneService.' }),
    template: t.string({
      description:
        'Template to build from. Without it, options must carry _service (its template then applies, if any).',
    }),
    preset: t.string({ description: 'A preset (Common Default Configuration) of the template.' }),
    options: t.field({
      type: [ServiceOptionInput],
      description: 'Values on top of the defaults and the preset.',
    }),
  }),
});

const UpdateServiceInput = builder.inputType('UpdateServiceInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    rename: t.field({ type: [RenameInput], description: 'Applied first; mandatory options are locked.' }),
    remove: t.stringList({ description: 'Applied second: deletes optional options, clears request ones.' }),
    set: t.field({
      type: [ServiceOptionInput],
      description: 'Applied last: sets values, adds custom options.',
    }),
  }),
});

async function readUpload(file: File): Promise<Buffer> {
  if (file.size > MAX_TEMPLATE_BYTES)
    throw new ValidationError(
      'templates/too_large',
      `${file.name} is larger than ${MAX_TEMPLATE_BYTES} bytes`,
      'file',
    );
  return Buffer.from(await file.arrayBuffer());
}

builder.queryFields((t) => ({
  serviceTemplates: t.field({
    type: [ServiceTemplateRef],
    authScopes: { admin: true },
    description: 'Every loaded service template (Tools > Service Templates).',
    resolve: (_r, _a, ctx) => ctx.managers.templates.list(),
  }),
  serviceTemplate: t.field({
    type: ServiceTemplateRef,
    nullable: true,
    authScopes: { admin: true },
    args: { name: t.arg.string({ required: true }) },
    resolve: (_r, args, ctx) => ctx.managers.templates.find(args.name),
  }),
  services: t.field({
    type: [ConfiguredServiceRef],
    authScopes: { admin: true },
    description: 'Configured services (Services > Configured Services).',
    resolve: (_r, _a, ctx) => ctx.managers.services.list(),
  }),
  service: t.field({
    type: ConfiguredServiceRef,
    nullable: true,
    authScopes: { admin: true },
    args: { name: t.arg.string({ required: true }) },
    resolve: (_r, args, ctx) => ctx.managers.services.get(args.name),
  }),
}));

builder.mutationFields((t) => ({
  uploadServiceTemplate: t.field({
    type: ServiceTemplateRef,
    authScopes: { admin: true },
    description:
      'Upload a template: a .zip holding one template file, or the .yaml itself (multipart request). An existing name needs replace: true.',
    args: {
      file: t.arg({ type: 'File', required: true }),
      replace: t.arg.boolean({ defaultValue: false }),
    },
    errors: {},
    resolve: async (_r, args, ctx) =>
      ctx.managers.templates.upload(args.file.name, await readUpload(args.file), {
        replace: args.replace ?? false,
      }),
  }),
  replaceServiceTemplate: t.field({
    type: ServiceTemplateRef,
    authScopes: { admin: true },
    description: 'Replace a template; configured services keep their options.',
    args: { name: t.arg.string({ required: true }), file: t.arg({ type: 'File', required: true }) },
    errors: {},
    resolve: async (_r, args, ctx) =>
      ctx.managers.templates.replace(args.name, args.file.name, await readUpload(args.file)),
  }),
  deleteServiceTemplate: t.string({
    authScopes: { admin: true },
    description: 'Delete a template that no configured service uses. Returns its name.',
    args: { name: t.arg.string({ required: true }) },
    errors: {},
    resolve: (_r, args, ctx) => ctx.managers.templates.delete(args.name),
  }),
  restoreBundledServiceTemplate: t.field({
    type: ServiceTemplateRef,
    authScopes: { admin: true },
    description: 'Reinstall the shipped version of a bundled template (over an upload or a deletion).',
    args: { name: t.arg.string({ required: true }) },
    errors: {},
    resolve: (_r, args, ctx) => ctx.managers.templates.restoreBundled(args.name),
  }),
  createService: t.field({
    type: ServiceChangeRef,
    authScopes: { admin: true },
    description: 'Add a service from a template (optionally a preset) under an execution name.',
    args: { input: t.arg({ type: CreateServiceInput, required: true }) },
    errors: {},
    resolve: (_r, { input }, ctx) =>
      ctx.managers.services.create({
        name: input.name,
        template: input.template,
        preset: input.preset,
        options: input.options ?? [],
      }),
  }),
  updateService: t.field({
    type: ServiceChangeRef,
    authScopes: { admin: true },
    description: 'Rename, remove and set options; the warnings list configured request parameters.',
    args: { input: t.arg({ type: UpdateServiceInput, required: true }) },
    errors: {},
    resolve: (_r, { input }, ctx) =>
      ctx.managers.services.update({
        name: input.name,
        rename: input.rename ?? [],
        remove: input.remove ?? [],
        set: input.set ?? [],
      }),
  }),
  deleteService: t.string({
    authScopes: { admin: true },
    description: 'Delete a configured service. Returns its name. Running sessions live on until their TTL.',
    args: { name: t.arg.string({ required: true }) },
    errors: {},
    resolve: (_r, args, ctx) => ctx.managers.services.delete(args.name),
  }),
}));
