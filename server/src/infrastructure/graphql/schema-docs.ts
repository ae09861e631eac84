import {
  isEnumType,
  isInputObjectType,
  isIntrospectionType,
  isObjectType,
  isSpecifiedScalarType,
} from 'graphql';
import type { GraphQLNamedType, GraphQLSchema } from 'graphql';

const ROOT_DESCRIPTIONS = {
  Query: 'Reads. Each needs an access token or an API key.',
  Mutation:
    'Changes. Each but login needs an access token or an API key; bad input is refused with BAD_USER_INPUT listing every problem.',
  Subscription: 'Live events over graphql-ws on /graphql, authenticated in connectionParams.',
} as const;

/**
 * Code-first Nest gives the root types no description; set them here (transformSchema), so the
 * emitted schema documents every type.
 */
export function describeRootTypes(schema: GraphQLSchema): GraphQLSchema {
  for (const type of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    const description = type && ROOT_DESCRIPTIONS[type.name as keyof typeof ROOT_DESCRIPTIONS];
    if (type && description && !type.description) type.description = description;
  }
  return schema;
}

/** Every element of the schema that has no description, as `Type`, `Type.field`, `Type.field(arg)` or `Enum.VALUE`. */
export function undocumented(schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  const check = (path: string, description: string | null | undefined) => {
    if (!description?.trim()) missing.push(path);
  };
  const own = (type: GraphQLNamedType) => !isIntrospectionType(type) && !isSpecifiedScalarType(type);
  for (const type of Object.values(schema.getTypeMap()).filter(own)) {
    check(type.name, type.description);
    if (isObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        check(`${type.name}.${field.name}`, field.description);
        for (const arg of field.args) check(`${type.name}.${field.name}(${arg.name})`, arg.description);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields()))
        check(`${type.name}.${field.name}`, field.description);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) check(`${type.name}.${value.name}`, value.description);
    }
  }
  return missing.sort();
}
