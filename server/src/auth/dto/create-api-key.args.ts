import { ArgsType, Field } from '@nestjs/graphql';
import { Transform } from 'class-transformer';
import { IsEnum, Length } from 'class-validator';
import { Role } from '@parley/libs/shared/roles.js';
import { API_KEY_NAME_MAX } from '@parley/libs/shared/user-rules.js';

@ArgsType()
export class CreateApiKeyArgs {
  @Field({ description: 'What the key is for, 1 to 100 characters; trimmed.' })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @Length(1, API_KEY_NAME_MAX, { message: `must be 1 to ${API_KEY_NAME_MAX} characters` })
  name!: string;

  @Field(() => Role, { description: 'What the key may do: the rights of a user with this role.' })
  @IsEnum(Role, { message: 'must be ADMIN, SUPERVISOR or AGENT' })
  role!: Role;
}
