import 'reflect-metadata';
import { plainToInstance, Type } from 'class-transformer';
import { IsInt, Length, Max, Min, ValidateNested, validateSync } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { problemOfInputError, problemsOfValidation } from './input-problems.js';

class Reply {
  @Length(1, 5, { message: 'must be 1 to 5 characters' })
  title!: string;
}

class Settings {
  @IsInt({ message: 'must be a whole number' })
  @Min(0, { message: 'must be 0 or more' })
  @Max(10, { message: 'must be 10 or less' })
  limit!: number;

  @ValidateNested({ each: true })
  @Type(() => Reply)
  replies!: Reply[];
}

describe('problemsOfValidation', () => {
  it('lists every constraint of every field, nested and listed inputs with their paths', () => {
    const input = plainToInstance(Settings, { limit: -1.5, replies: [{ title: 'ok' }, { title: '' }] });
    const problems = problemsOfValidation(validateSync(input));
    // class-validator's order of one field's constraints is its own; the fields keep the input's order.
    expect(problems).toHaveLength(3);
    expect(problems.slice(0, 2)).toEqual(
      expect.arrayContaining([
        { field: 'limit', problem: 'must be 0 or more' },
        { field: 'limit', problem: 'must be a whole number' },
      ]),
    );
    expect(problems[2]).toEqual({ field: 'replies[1].title', problem: 'must be 1 to 5 characters' });
  });
});

describe('problemOfInputError', () => {
  it("names the path inside the variable, or the variable, and graphql-js's problem", () => {
    expect(
      problemOfInputError(
        'Variable "$input" got invalid value "soon" at "input.thresholds.dropoutSeconds"; Int cannot represent non-integer value: "soon"',
      ),
    ).toEqual({
      field: 'thresholds.dropoutSeconds',
      problem: 'Int cannot represent non-integer value: "soon"',
    });
    expect(
      problemOfInputError(
        'Variable "$role" got invalid value "BOSS"; Value "BOSS" does not exist in "Role" enum.',
      ),
    ).toEqual({
      field: 'role',
      problem: 'Value "BOSS" does not exist in "Role" enum.',
    });
    expect(problemOfInputError('Variable "$id" of required type "ID!" was not provided.')).toEqual({
      field: 'id',
      problem: 'of required type "ID!" was not provided.',
    });
    expect(problemOfInputError('name: is taken', 'name')).toEqual({
      field: 'name',
      problem: 'name: is taken',
    });
  });
});
