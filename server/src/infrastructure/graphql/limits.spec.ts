import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { MAX_QUERY_DEPTH, validateWithLimits } from './limits.js';

// A self-referencing type, as campaigns -> members -> user -> ... will be.
const schema = buildSchema('type Node { id: ID! child: Node } type Query { node: Node }');

const nested = (depth: number) => {
  let selection = 'id';
  for (let i = 1; i < depth; i++) selection = `child { ${selection} }`;
  return parse(`{ node { ${selection} } }`);
};

describe('query depth limit', () => {
  it('accepts a query at the limit', () => {
    expect(validateWithLimits(schema, nested(MAX_QUERY_DEPTH))).toEqual([]);
  });

  it('refuses one level deeper, saying so', () => {
    const errors = validateWithLimits(schema, nested(MAX_QUERY_DEPTH + 1));
    expect(errors.map((e) => e.message).join()).toMatch(/exceeds maximum operation depth of 10/);
  });
});
