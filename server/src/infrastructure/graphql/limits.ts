import {
  GraphQLError,
  getNamedType,
  isInterfaceType,
  isObjectType,
  Kind,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

/**
 * What one GraphQL document may ask for, on HTTP and on graphql-ws alike: one definition for both.
 * The console's largest operation has about 180 tokens and no alias; a full introspection
 * query (about 180 tokens) passes too.
 */
export const GRAPHQL_LIMITS = {
  /** Lexical tokens in the document, checked while parsing, before any work on the schema. */
  maxTokens: 2_000,
  /** Nested field levels below the root; introspection fields are not counted. */
  maxDepth: 10,
  /** Fields selected, fragments counted each time they are spread (a field may declare `complexity`). */
  maxCost: 1_000,
  /** Aliased fields: aliases are how one request asks for the same expensive field many times. */
  maxAliases: 30,
  /** Directives in an operation, fragments counted each time they are spread. */
  maxDirectives: 50,
  /** Largest graphql-ws message; HTTP bodies have the same bound in Express's JSON parser (100 kB). */
  maxSocketPayloadBytes: 100 * 1024,
} as const;

export type LimitName = 'depth' | 'cost' | 'aliases' | 'directives';

/** The error code of every refusal found before execution, as Apollo names it on HTTP. */
export const VALIDATION_FAILED = 'GRAPHQL_VALIDATION_FAILED';
export const PARSE_FAILED = 'GRAPHQL_PARSE_FAILED';

interface Measure {
  depth: number;
  cost: number;
  aliases: number;
  directives: number;
}

const NOTHING: Measure = { depth: 0, cost: 0, aliases: 0, directives: 0 };
const INTROSPECTION_ROOTS = new Set(['__schema', '__type']);

/**
 * Measures operations of one document. Each fragment is measured once and its measure reused at
 * every spread, so the walk is linear in the document's size even for a fragment bomb (whose cost
 * then grows as the number it is), and a fragment cycle stops at the second visit instead of
 * recursing until the stack overflows (NoFragmentCyclesRule reports the cycle itself).
 */
class DocumentMeasurer {
  private readonly fragments = new Map<string, Measure>();
  private readonly visiting = new Set<string>();

  constructor(private readonly context: ValidationContext) {}

  operation(operation: OperationDefinitionNode): Measure {
    const schema = this.context.getSchema();
    const root =
      operation.operation === 'query'
        ? schema.getQueryType()
        : operation.operation === 'mutation'
          ? schema.getMutationType()
          : schema.getSubscriptionType();
    const inner = this.selectionSet(operation.selectionSet, root ?? undefined);
    return { ...inner, directives: inner.directives + (operation.directives?.length ?? 0) };
  }

  private selectionSet(set: SelectionSetNode, parent: GraphQLNamedType | undefined): Measure {
    const total = { ...NOTHING };
    for (const selection of set.selections) {
      let part: Measure;
      if (selection.kind === Kind.FIELD) {
        part = this.field(selection.name.value, selection.selectionSet, parent);
        if (selection.alias) part.aliases += 1;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition
          ? this.context.getSchema().getType(selection.typeCondition.name.value)
          : parent;
        part = { ...this.selectionSet(selection.selectionSet, condition ?? undefined) };
      } else {
        part = { ...this.fragment(selection.name.value) };
      }
      part.directives += selection.directives?.length ?? 0;
      total.depth = Math.max(total.depth, part.depth);
      total.cost += part.cost;
      total.aliases += part.aliases;
      total.directives += part.directives;
    }
    return total;
  }

  private field(name: string, set: SelectionSetNode | undefined, parent: GraphQLNamedType | undefined) {
    const definition =
      parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[name] : undefined;
    const declared = definition?.extensions?.complexity;
    const own = typeof declared === 'number' ? declared : 1;
    const inner = set
      ? this.selectionSet(set, definition ? getNamedType(definition.type) : undefined)
      : NOTHING;
    return {
      // Introspection is bounded by the schema; its TypeRef fragment alone nests 9 levels.
      depth: INTROSPECTION_ROOTS.has(name) || !set ? 0 : inner.depth + 1,
      cost: own + inner.cost,
      aliases: inner.aliases,
      directives: inner.directives,
    };
  }

  private fragment(name: string): Measure {
    const known = this.fragments.get(name);
    if (known) return known;
    const fragment = this.context.getFragment(name);
    if (!fragment || this.visiting.has(name)) return NOTHING;
    this.visiting.add(name);
    const measure = this.selectionSet(
      fragment.selectionSet,
      this.context.getSchema().getType(fragment.typeCondition.name.value) ?? undefined,
    );
    this.visiting.delete(name);
    this.fragments.set(name, measure);
    return measure;
  }
}

const OVER_LIMIT: Record<LimitName, (actual: number, maximum: number) => string> = {
  depth: (actual, maximum) =>
    `Query is too deep: ${actual} levels, at most ${maximum}; ask for fewer nested fields`,
  cost: (actual, maximum) =>
    `Query is too complex: cost ${actual}, at most ${maximum}; ask for fewer fields or items`,
  aliases: (actual, maximum) => `Query has too many aliases: ${actual}, at most ${maximum}`,
  directives: (actual, maximum) => `Query has too many directives: ${actual}, at most ${maximum}`,
};

const MAXIMUM: Record<LimitName, number> = {
  depth: GRAPHQL_LIMITS.maxDepth,
  cost: GRAPHQL_LIMITS.maxCost,
  aliases: GRAPHQL_LIMITS.maxAliases,
  directives: GRAPHQL_LIMITS.maxDirectives,
};

/** Refuses an operation over any limit, naming the limit, the maximum and what it found. */
export const limitsRule: ValidationRule = (context) => {
  const measurer = new DocumentMeasurer(context);
  return {
    OperationDefinition(operation) {
      const measure = measurer.operation(operation);
      for (const limit of Object.keys(MAXIMUM) as LimitName[]) {
        const actual = measure[limit];
        if (actual > MAXIMUM[limit]) {
          context.reportError(
            new GraphQLError(OVER_LIMIT[limit](actual, MAXIMUM[limit]), {
              nodes: operation,
              extensions: { code: VALIDATION_FAILED, limit, maximum: MAXIMUM[limit], actual },
            }),
          );
        }
      }
      return false;
    },
  };
};

/** Apollo's parse options: the token limit stops a huge document before it becomes a tree. */
export const parseOptions = { maxTokens: GRAPHQL_LIMITS.maxTokens };

/** An error found before execution, with the code Apollo gives it on HTTP, for graphql-ws. */
export function withCode(error: GraphQLError, code: string): GraphQLError {
  if (error.extensions?.code) return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code },
  });
}

// graphql-ws parses and validates every subscribe message itself: remember recent documents by
// their text, and their validation by document, so a client repeating an operation costs a lookup.
const RECENT_DOCUMENTS = 500;
/** Larger texts are parsed each time, so the cache stays within a few megabytes. */
const CACHED_SOURCE_CHARS = 10_000;
const documents = new Map<string, DocumentNode | GraphQLError>();
const validated = new WeakMap<DocumentNode, { schema: GraphQLSchema; errors: readonly GraphQLError[] }>();

/** Parses with the token limit; a syntax error is thrown as a GraphQLError with its code. */
export function parseWithLimits(source: string): DocumentNode {
  let parsed = documents.get(source);
  if (!parsed) {
    try {
      parsed = parse(source, parseOptions);
    } catch (error) {
      parsed =
        error instanceof GraphQLError
          ? withCode(error, PARSE_FAILED)
          : new GraphQLError(String(error), { extensions: { code: PARSE_FAILED } });
    }
    if (source.length <= CACHED_SOURCE_CHARS) {
      if (documents.size >= RECENT_DOCUMENTS) documents.delete(documents.keys().next().value as string);
      documents.set(source, parsed);
    }
  }
  if (parsed instanceof GraphQLError) throw parsed;
  return parsed;
}

/** The specified rules and the limits, each error with its code (graphql-ws sends them as they are). */
export function validateWithLimits(schema: GraphQLSchema, document: DocumentNode): readonly GraphQLError[] {
  const known = validated.get(document);
  if (known?.schema === schema) return known.errors;
  const errors = validate(schema, document, [...specifiedRules, limitsRule]).map((e) =>
    withCode(e, VALIDATION_FAILED),
  );
  validated.set(document, { schema, errors });
  return errors;
}
