import { Field, InputType } from '@nestjs/graphql';
import { Transform } from 'class-transformer';
import { IsEnum, Length, Matches } from 'class-validator';
import { Role } from '@parley/libs/shared/roles.js';
import {
  DISPLAY_NAME_MAX,
  PASSWORD_MAX,
  PASSWORD_MIN,
  USERNAME_PATTERN,
  USERNAME_RULE,
} from '@parley/libs/shared/user-rules.js';
import { normalizeUsername } from '@parley/libs/shared/usernames.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

@InputType({ description: 'A new user account.' })
export class CreateUserInput {
  @Field({
    description:
      'Unique sign-in name: 3 to 50 letters, digits, ".", "_" or "-"; stored normalised (lowercase, without surrounding or invisible spaces).',
  })
  // "Ana ", "ａｎａ" and "ANA" are one name; validated as it will be stored.
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? normalizeUsername(value) : value,
  )
  @Matches(USERNAME_PATTERN, { message: USERNAME_RULE })
  username!: string;

  @Field({ description: 'The name shown to colleagues, 1 to 100 characters; trimmed.' })
  @Transform(trim)
  @Length(1, DISPLAY_NAME_MAX, { message: `must be 1 to ${DISPLAY_NAME_MAX} characters` })
  displayName!: string;

  @Field({
    description: '8 to 200 characters; refused if common or built from the username or display name.',
  })
  @Length(PASSWORD_MIN, PASSWORD_MAX, { message: `must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters` })
  password!: string;

  @Field(() => Role, { description: 'What the user may do.' })
  @IsEnum(Role, { message: 'must be ADMIN, SUPERVISOR or AGENT' })
  role!: Role;
}
