import type { CodegenConfig } from '@graphql-codegen/cli';

const config = {
  scalars: { DateTime: 'string', JSON: 'unknown', File: 'File' },
  enumsAsTypes: true,
  useTypeImports: true,
};

/**
 * Typed documents, one client-preset output per consumer, each from its own folders:
 * - test/gql: the tests (and any TypeScript client), `graphql(\`...\`)` from test/gql;
 * - web/src/gql: the console's operations only (web/src), so its bundle carries no test documents.
 */
const codegen: CodegenConfig = {
  schema: './schema.graphql',
  ignoreNoDocuments: true,
  importExtension: '.js',
  generates: {
    './test/gql/': {
      documents: ['test/**/*.ts', 'src/**/*.test.ts', '!test/gql/**'],
      preset: 'client',
      config,
      presetConfig: { fragmentMasking: false },
    },
    './web/src/gql/': {
      documents: ['web/src/**/*.{ts,tsx}', '!web/src/gql/**'],
      preset: 'client',
      config,
      presetConfig: { fragmentMasking: false },
    },
  },
};

export default codegen;
