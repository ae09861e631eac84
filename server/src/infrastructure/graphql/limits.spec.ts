import { buildSchema, getIntrospectionQuery, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { GRAPHQL_LIMITS, parseWithLimits, validateWithLimits } from './limits.js';

// A self-referencing type, as campaigns -> members -> user -> ... will be.
const schema = buildSchema('type Node { id: ID! child: Node } type Query { node: Node }');

const nested = (depth: number) => {
  let selection = 'id';
  for (let i = 1; i < depth; i++) selection = `child { ${selection} }`;
  return parse(`{ node { ${selection} } }`);
};

const messages = (query: string) =>
  validateWithLimits(schema, parse(query)).map((e) => `${e.extensions.code} ${e.message}`);

describe('GraphQL limits', () => {
  it('accepts a query at the depth limit and refuses one level deeper, saying so', () => {
    expect(validateWithLimits(schema, nested(GRAPHQL_LIMITS.maxDepth))).toEqual([]);
    const [error] = validateWithLimits(schema, nested(GRAPHQL_LIMITS.maxDepth + 1));
    expect(error.message).toBe('Query is too deep: 11 levels, at most 10; ask for fewer nested fields');
    expect(error.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'depth', actual: 11 });
  });

  it('counts aliases and directives', () => {
    const aliases = Array.from({ length: GRAPHQL_LIMITS.maxAliases + 1 }, (_, i) => `a${i}: node { id }`);
    expect(messages(`{ ${aliases.join(' ')} }`)).toEqual([
      'GRAPHQL_VALIDATION_FAILED Query has too many aliases: 31, at most 30',
    ]);
    const skips = Array.from({ length: 26 }, () => 'id @skip(if: false)').join(' ');
    expect(messages(`fragment F on Node { ${skips} } { node { ...F ...F } }`)).toEqual([
      'GRAPHQL_VALIDATION_FAILED Query has too many directives: 52, at most 50',
    ]);
  });

  it('prices a fragment at each spread without walking it again', () => {
    // 5 levels of 5 spreads of 3 fields: 5^4 * 3 = 1875 fields written in a few lines.
    const bomb = [
      'fragment L0 on Node { id child { id } }',
      ...[1, 2, 3, 4].map((n) => `fragment L${n} on Node { ${`...L${n - 1} `.repeat(5)}}`),
      '{ node { ...L4 } }',
    ].join('\n');
    expect(messages(bomb)).toEqual([
      'GRAPHQL_VALIDATION_FAILED Query is too complex: cost 1876, at most 1000; ask for fewer fields or items',
    ]);
  });

  it('reports a fragment cycle, even in an anonymous operation, instead of overflowing the stack', () => {
    const cycle =
      'fragment A on Node { child { ...B } } fragment B on Node { child { ...A } } { node { ...A } }';
    expect(messages(cycle)).toEqual([
      'GRAPHQL_VALIDATION_FAILED Cannot spread fragment "A" within itself via "B".',
    ]);
  });

  it('lets a full introspection query through', () => {
    expect(validateWithLimits(schema, parseWithLimits(getIntrospectionQuery()))).toEqual([]);
  });

  it('stops parsing past the token limit, with the parse code', () => {
    const fields = Array.from({ length: GRAPHQL_LIMITS.maxTokens }, () => 'id').join(' ');
    expect(() => parseWithLimits(`{ node { ${fields} } }`)).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(/Document contains more th\w+ 2000 tokens/),
        extensions: { code: 'GRAPHQL_PARSE_FAILED' },
      }),
    );
  });

  it('validates a document once', () => {
    const document = parseWithLimits('{ node { id } }');
    expect(parseWithLimits('{ node { id } }')).toBe(document);
    expect(validateWithLimits(schema, document)).toBe(validateWithLimits(schema, document));
  });
});
