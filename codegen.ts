import type { CodegenConfig } from '@graphql-codegen/cli';

// Typed operations for the Angular client, generated from the server's schema.
// Each component keeps its operations in a .graphql file beside it.
const config: CodegenConfig = {
  overwrite: true,
  schema: 'server/schema.gql',
  documents: ['client/src/**/*.graphql'],
  generates: {
    'client/src/app/graphql/generated.ts': {
      plugins: ['typescript', 'typescript-operations', 'typed-document-node'],
      config: {
        scalars: { DateTime: 'string' },
        enumsAsTypes: true,
        useTypeImports: true,
        avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
        nonOptionalTypename: false,
        skipTypename: true,
      },
    },
  },
};

export default config;
