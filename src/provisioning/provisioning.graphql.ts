import { builder } from '../graphql/builder.js';
import { exportProvisioning, importProvisioning, renderProvisioning } from './provisioning.js';

const FormatEnum = builder.enumType('ConfigurationFormat', { values: ['YAML', 'JSON'] as const });

const ExportRef = builder.objectRef<Record<string, unknown>>('ConfigurationExport').implement({
  description: 'The current configuration in the GMS_CONFIG file format: importing it reproduces the state.',
  fields: (t) => ({
    yaml: t.string({ resolve: (data) => renderProvisioning(data, 'yaml') }),
    json: t.string({ resolve: (data) => renderProvisioning(data, 'json') }),
  }),
});

const ImportRef = builder.objectRef<{ sections: string[] }>('ConfigurationImport').implement({
  fields: (t) => ({
    sections: t.exposeStringList('sections', { description: 'The sections applied, in order.' }),
  }),
});

builder.queryFields((t) => ({
  configurationExport: t.field({
    type: ExportRef,
    authScopes: { admin: true },
    description:
      'Export the configuration (services, resource groups, …) as YAML and JSON (same as npm run config:export).',
    resolve: (_r, _a, ctx) => exportProvisioning(ctx.managers),
  }),
}));

builder.mutationFields((t) => ({
  importConfiguration: t.field({
    type: ImportRef,
    authScopes: { admin: true },
    description:
      'Apply a provisioning document (the GMS_CONFIG format). The whole document is validated first; errors name the path in it (ValidationError.field). Applying it twice changes nothing.',
    args: {
      document: t.arg.string({ required: true }),
      format: t.arg({ type: FormatEnum, defaultValue: 'YAML' }),
    },
    errors: {},
    resolve: async (_r, args, ctx) => ({
      sections: await importProvisioning(
        args.document,
        args.format === 'JSON' ? 'json' : 'yaml',
        ctx.managers,
      ),
    }),
  }),
}));
