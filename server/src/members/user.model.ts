import { Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Presence, Role } from '@parley/libs/shared/roles.js';

registerEnumType(Role, { name: 'Role' });
registerEnumType(Presence, { name: 'Presence', description: 'What the agent chose.' });

@ObjectType('User')
export class UserModel {
  @Field(() => ID)
  id!: string;

  @Field()
  username!: string;

  @Field()
  displayName!: string;

  @Field(() => Role)
  role!: Role;

  @Field(() => Presence)
  presence!: Presence;

  @Field(() => String, { nullable: true })
  breakReason!: string | null;

  @Field()
  presenceSince!: Date;

  @Field({ description: 'False once an admin deactivated the user: they can no longer sign in.' })
  active!: boolean;
}
