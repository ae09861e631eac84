import type { ValidationError } from 'class-validator';
import type { FieldProblem } from '@parley/libs/shared/validation.js';

/**
 * Every constraint class-validator found, nested inputs included, each with its path
 * (`thresholds.dropoutSeconds`, `cannedResponses[1].title`), in the order of the input.
 */
export function problemsOfValidation(errors: readonly ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = /^\d+$/.test(error.property)
      ? `${parent}[${error.property}]`
      : parent
        ? `${parent}.${error.property}`
        : error.property;
    return [
      ...Object.values(error.constraints ?? {}).map((problem) => ({ field, problem })),
      ...problemsOfValidation(error.children ?? [], field),
    ];
  });
}

// graphql-js words its variable errors as `Variable "$input" got invalid value 99 at "input.penalty"; <problem>`
// or `Variable "$id" of required type "ID!" was not provided.`
const INVALID_VALUE = /^Variable "\$([^"]+)" got invalid value .*?(?: at "([^"]+)")?; (.*)$/s;
const VARIABLE = /^Variable "\$([^"]+)" (.*)$/s;

/**
 * The problem a GraphQL input error names, as `{ field, problem }`. Inside a variable the field is
 * the path within its value (`thresholds.dropoutSeconds` for `$input`), as the validation pipe and
 * the campaign rules name fields; otherwise it is the variable's name.
 */
export function problemOfInputError(message: string, field?: unknown): FieldProblem {
  const invalid = INVALID_VALUE.exec(message);
  if (invalid) {
    const [, variable, path, problem] = invalid;
    const inner = path?.startsWith(`${variable}.`) ? path.slice(variable.length + 1) : path;
    return { field: inner ?? variable, problem };
  }
  const variable = VARIABLE.exec(message);
  if (variable) return { field: variable[1], problem: variable[2] };
  return { field: typeof field === 'string' ? field : 'input', problem: message };
}
