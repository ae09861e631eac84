import { GraphQLError, GraphQLScalarType, Kind, print, type ValueNode } from 'graphql';

export const DATE_TIME_SPEC = 'https://scalars.graphql.org/andimarek/date-time';

// RFC 3339 section 5.6: a full date, a time and an offset (Z or ±hh:mm). Date.parse alone would
// also take "2024", "March 3" or an impossible day and quietly move it.
const RFC_3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

const RULE = 'must be an RFC 3339 date-time with an offset, such as 2019-12-03T09:54:33Z';

function parseInstant(value: string): Date | null {
  const match = RFC_3339.exec(value);
  if (!match) return null;
  const [, year, month, day, hour, minute, second] = match.map(Number);
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return null;
  // The calendar check: Date would turn February 30 into March 2.
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > lastDay || hour > 23 || minute > 59 || second > 59) {
    return null;
  }
  return date;
}

function fromInput(value: unknown, shown: string): Date {
  const date = typeof value === 'string' ? parseInstant(value) : null;
  if (!date)
    throw new GraphQLError(`DateTime ${RULE}; got ${shown}`, { extensions: { code: 'BAD_USER_INPUT' } });
  return date;
}

/**
 * Instants on the wire: RFC 3339 strings in UTC out, any offset in, refused when they are not one.
 * Replaces Nest's ISO scalar, which turned a bad string into an Invalid Date without a word.
 */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description:
    'An instant as an RFC 3339 date-time string, such as 2019-12-03T09:54:33Z. Answers are in UTC; inputs may carry any offset.',
  specifiedByURL: DATE_TIME_SPEC,
  serialize(value) {
    const date = value instanceof Date ? value : typeof value === 'string' ? parseInstant(value) : null;
    if (!date || Number.isNaN(date.getTime())) {
      throw new GraphQLError(`DateTime cannot represent ${JSON.stringify(value)}`);
    }
    return date.toISOString();
  },
  parseValue(value) {
    return fromInput(value, JSON.stringify(value));
  },
  parseLiteral(ast: ValueNode) {
    return fromInput(ast.kind === Kind.STRING ? ast.value : undefined, print(ast));
  },
});
