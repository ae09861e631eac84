import { Args, Field, ID, Mutation, ObjectType, Resolver } from '@nestjs/graphql';
import { Role } from '@parley/libs/shared/roles.js';
import { CurrentPrincipal, type Principal, Roles } from '../../infrastructure/access/access.js';
import { CampaignModel } from '../campaign.model.js';
import { FacebookActivationService } from './facebook-activation.service.js';
import { FacebookConnectionService } from './facebook-connection.service.js';

@ObjectType('FacebookActivation', { description: 'Where to send the person who activates the campaign.' })
export class FacebookActivationModel {
  @Field({ description: 'Open in a popup: Facebook login, page choice, permissions.' })
  authorizeUrl!: string;

  @Field(() => Date, {
    description: 'When the signed state inside authorizeUrl stops being accepted (10 minutes).',
  })
  expiresAt!: Date;
}

const campaignIdArg = { type: () => ID, description: 'The MESSENGER campaign.' } as const;

@Resolver()
export class FacebookResolver {
  constructor(
    private readonly activation: FacebookActivationService,
    private readonly connection: FacebookConnectionService,
  ) {}

  @Mutation(() => FacebookActivationModel, {
    description:
      "ADMIN. Begin the 'Activate with Facebook' popup flow (MESSENGER campaigns only, else BAD_USER_INPUT).",
  })
  @Roles(Role.ADMIN)
  startFacebookActivation(
    @CurrentPrincipal() principal: Principal,
    @Args('campaignId', campaignIdArg) campaignId: string,
  ): Promise<FacebookActivationModel> {
    return this.activation.start(campaignId, principal.kind === 'user' ? principal.userId : null);
  }

  @Mutation(() => CampaignModel, {
    description:
      'ADMIN. Validates the token (debug_token + page fields) and subscribes the page. Bad token: FACEBOOK_ERROR with extensions.facebook {code, subcode} and the reason; nothing stored. Page already on another campaign: CONFLICT.',
  })
  @Roles(Role.ADMIN)
  connectFacebookPage(
    @Args('campaignId', campaignIdArg) campaignId: string,
    @Args('pageId', { description: "The Facebook page's numeric id." }) pageId: string,
    @Args('pageAccessToken', {
      description: 'A page access token of that page for this Meta app (e.g. a system-user token).',
    })
    pageAccessToken: string,
  ): Promise<CampaignModel> {
    return this.connection.connectWithPageToken(campaignId, pageId, pageAccessToken);
  }

  @Mutation(() => CampaignModel, {
    description:
      'ADMIN or SUPERVISOR. Checks the token and the page subscription against Facebook now (re-subscribes a dropped one).',
  })
  @Roles(Role.ADMIN, Role.SUPERVISOR)
  checkCampaignToken(@Args('campaignId', campaignIdArg) campaignId: string): Promise<CampaignModel> {
    return this.connection.checkToken(campaignId);
  }

  @Mutation(() => CampaignModel, {
    description:
      'ADMIN. Unsubscribes the page (best effort), forgets its tokens; tokenStatus becomes NOT_CONNECTED.',
  })
  @Roles(Role.ADMIN)
  disconnectFacebookPage(@Args('campaignId', campaignIdArg) campaignId: string): Promise<CampaignModel> {
    return this.connection.disconnect(campaignId);
  }
}
