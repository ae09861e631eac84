import { Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Presence, Role } from '@parley/libs/shared/roles.js';

registerEnumType(Role, {
  name: 'Role',
  description: 'What a user or API key may do.',
  valuesMap: {
    ADMIN: { description: 'Everything: campaigns, users, members and API keys.' },
    SUPERVISOR: { description: 'Reads every campaign, statistics and history; manages members.' },
    AGENT: { description: 'Their own presence, inbox and interactions, in the campaigns they belong to.' },
  },
});
registerEnumType(Presence, {
  name: 'Presence',
  description: 'What the agent chose.',
  valuesMap: {
    OFFLINE: { description: 'Not working: gets no interactions.' },
    AVAILABLE: { description: "Ready: gets interactions up to each campaign's limit." },
    BREAK: { description: 'Away for a while (breakReason says why): gets no new interactions.' },
  },
});

@ObjectType('User', { description: 'A person who signs in to Parley: an admin, a supervisor or an agent.' })
export class UserModel {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field({ description: 'The sign-in name: 3 to 50 letters, digits, ".", "_" or "-".' })
  username!: string;

  @Field({ description: 'The name shown to colleagues (1 to 100 characters).' })
  displayName!: string;

  @Field(() => Role, { description: 'What the user may do.' })
  role!: Role;

  @Field(() => Presence, { description: 'Whether the agent takes interactions now.' })
  presence!: Presence;

  @Field(() => String, { nullable: true, description: 'Why the agent is on break; null otherwise.' })
  breakReason!: string | null;

  @Field({ description: 'When presence last changed.' })
  presenceSince!: Date;

  @Field({ description: 'False once an admin deactivated the user: they can no longer sign in.' })
  active!: boolean;
}
