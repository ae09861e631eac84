import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DATE_TIME_SPEC } from './date-time.scalar.js';
import { undocumented } from './schema-docs.js';

// The committed schema is what the server emits (test/integration/platform.spec.ts checks they match).
const schema = buildSchema(readFileSync(join(import.meta.dirname, '../../../schema.gql'), 'utf8'));

describe('the emitted schema documents itself', () => {
  it('describes every type, field, argument, input field and enum value', () => {
    expect(undocumented(schema)).toEqual([]);
  });

  it('points DateTime to its specification', () => {
    expect(schema.getType('DateTime')).toMatchObject({ specifiedByURL: DATE_TIME_SPEC });
  });

  it('names what is missing', () => {
    const bare = buildSchema('"Reads." type Query { "Ok." a(b: Int): Int c: E } enum E { "Yes." X Y }');
    expect(undocumented(bare)).toEqual(['E', 'E.Y', 'Query.a(b)', 'Query.c']);
  });
});
