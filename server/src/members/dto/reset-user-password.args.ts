import { ArgsType, Field, ID } from '@nestjs/graphql';
import { Allow, Length } from 'class-validator';
import { PASSWORD_MAX, PASSWORD_MIN } from '@parley/libs/shared/user-rules.js';

@ArgsType()
export class ResetUserPasswordArgs {
  @Field(() => ID, { description: 'The user whose password is replaced.' })
  @Allow()
  id!: string;

  @Field({ description: 'The new password, 8 to 200 characters.' })
  @Length(PASSWORD_MIN, PASSWORD_MAX, { message: `must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters` })
  password!: string;
}
