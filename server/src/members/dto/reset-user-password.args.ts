import { ArgsType, Field, ID } from '@nestjs/graphql';
import { Allow, Length } from 'class-validator';
import { PASSWORD_MAX, PASSWORD_MIN } from '@parley/libs/shared/user-rules.js';

@ArgsType()
export class ResetUserPasswordArgs {
  @Field(() => ID)
  @Allow()
  id!: string;

  @Field()
  @Length(PASSWORD_MIN, PASSWORD_MAX, { message: `must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters` })
  password!: string;
}
