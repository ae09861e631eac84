import type { ApolloServerPlugin } from '@apollo/server';
import depthLimit from 'graphql-depth-limit';
import { GraphQLError, specifiedRules, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
// The CJS build: its ESM build imports graphql's .mjs files, a second copy of graphql next to Nest's.
import { createRequire } from 'node:module';

const { fieldExtensionsEstimator, getComplexity, simpleEstimator } = createRequire(import.meta.url)(
  'graphql-query-complexity/cjs',
) as typeof import('graphql-query-complexity');

/** Deepest selection a query may have: the contract's deepest useful path is about 6. */
export const MAX_QUERY_DEPTH = 10;
/** Cost budget per operation (each field 1 unless it declares `complexity`). */
export const MAX_QUERY_COMPLEXITY = 1_000;

export const depthRule = depthLimit(MAX_QUERY_DEPTH);

/** Refuses operations whose estimated cost is over budget, before any resolver runs. */
export function complexityPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, schema }) {
          let complexity: number;
          try {
            complexity = getComplexity({
              schema,
              operationName: request.operationName ?? undefined,
              query: document,
              variables: request.variables ?? {},
              estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
            });
          } catch (error) {
            // Variables that do not fit their types: say so in the caller's terms.
            throw new GraphQLError(error instanceof Error ? error.message : String(error), {
              extensions: { code: 'BAD_USER_INPUT' },
            });
          }
          if (complexity > MAX_QUERY_COMPLEXITY) {
            throw new GraphQLError(
              `Query is too complex: cost ${complexity}, at most ${MAX_QUERY_COMPLEXITY}; ask for fewer fields or items`,
              { extensions: { code: 'BAD_USER_INPUT' } },
            );
          }
        },
      };
    },
  };
}

/** graphql-ws validates on its own; give subscriptions the same depth limit as HTTP. */
export function validateWithLimits(schema: GraphQLSchema, document: DocumentNode) {
  return validate(schema, document, [...specifiedRules, depthRule]);
}
