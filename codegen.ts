import type { CodegenConfig } from '@graphql-codegen/cli';

/** Typed documents for the tests (and any TypeScript client): `graphql(\`...\`)` from test/gql. */
const config: CodegenConfig = {
  schema: './schema.graphql',
  documents: ['test/**/*.ts', 'src/**/*.test.ts', '!test/gql/**'],
  ignoreNoDocuments: true,
  importExtension: '.js',
  generates: {
    './test/gql/': {
      preset: 'client',
      config: {
        scalars: { DateTime: 'string', JSON: 'unknown', File: 'File' },
        enumsAsTypes: true,
        useTypeImports: true,
      },
      presetConfig: { fragmentMasking: false },
    },
  },
};

export default config;
