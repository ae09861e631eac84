import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { GraphQLError, visit, BREAK, type DocumentNode } from 'graphql';
import { ErrorCode } from '../errors/parley-error.js';

interface CallerContext {
  req?: { user?: unknown };
}

const asksForSchema = new WeakMap<DocumentNode, boolean>();

/** Whether the document reads `__schema` or `__type` (`__typename` is fine); remembered per document. */
function readsSchema(document: DocumentNode): boolean {
  let reads = asksForSchema.get(document);
  if (reads === undefined) {
    reads = false;
    visit(document, {
      Field(node) {
        if (node.name.value === '__schema' || node.name.value === '__type') {
          reads = true;
          return BREAK;
        }
        return undefined;
      },
    });
    asksForSchema.set(document, reads);
  }
  return reads;
}

const SUGGESTION = /\s*Did you mean .+\?$/s;

/**
 * In production the schema is for signed-in callers: an anonymous caller gets no introspection
 * (UNAUTHENTICATED, 401) and no "Did you mean ...?" hints naming fields, types or values.
 * Reads the principal the context carries as `req.user`.
 */
export function schemaExposurePlugin(production: boolean): ApolloServerPlugin<CallerContext> {
  if (!production) return {};
  // One shared set of hooks; each reads the caller when it runs, so a principal the context gets
  // after the request started still counts.
  const anonymous = (context: CallerContext) => !context.req?.user;
  const hooks: GraphQLRequestListener<CallerContext> = {
    async didResolveOperation({ contextValue, document }) {
      if (anonymous(contextValue) && readsSchema(document)) {
        throw new GraphQLError('Sign in to read the schema: send an access token or API key', {
          extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } },
        });
      }
    },
    async didEncounterErrors({ contextValue, errors }) {
      if (!anonymous(contextValue)) return;
      for (const error of errors) error.message = error.message.replace(SUGGESTION, '');
    },
  };
  return { requestDidStart: async () => hooks };
}
