import { Field, Int, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { Inject } from '@nestjs/common';
import { Role } from '@parley/libs/shared/roles.js';
import { Roles } from '../infrastructure/access/access.js';
import type { AppConfig } from '../infrastructure/config/config.js';
import { APP_CONFIG } from '../infrastructure/config/config.module.js';
import { WebhookDeliveries } from './inbound/webhook-deliveries.service.js';
import { WebhookHealth } from './webhook-health.js';

@ObjectType('MessengerSettings', {
  description: 'What an admin pastes into the Meta app to go live, and whether webhooks arrive.',
})
export class MessengerSettingsModel {
  @Field({
    description: "PUBLIC_URL/webhooks/messenger: the Callback URL of the Meta app's Messenger webhook.",
  })
  webhookUrl!: string;

  @Field({ description: "FACEBOOK_VERIFY_TOKEN: the Verify token of the Meta app's webhook." })
  verifyToken!: string;

  @Field({ description: 'FACEBOOK_APP_ID.' })
  appId!: string;

  @Field({ description: 'Where Parley sends Graph calls (GRAPH_API_URL/GRAPH_API_VERSION).' })
  graphApiUrl!: string;

  @Field(() => Date, {
    nullable: true,
    description: 'When the last correctly signed webhook POST arrived; null if none yet.',
  })
  lastWebhookAt!: Date | null;

  @Field(() => Date, {
    nullable: true,
    description: 'When the last POST with a missing or wrong signature was refused; null if none.',
  })
  lastRejectedWebhookAt!: Date | null;

  @Field(() => Int, {
    description:
      'Webhook deliveries whose processing FAILED after every attempt; failedWebhookDeliveries lists them.',
  })
  failedDeliveries!: number;
}

@Resolver()
export class MessengerSettingsResolver {
  constructor(
    private readonly health: WebhookHealth,
    private readonly deliveries: WebhookDeliveries,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Query(() => MessengerSettingsModel, { description: 'ADMIN only.' })
  @Roles(Role.ADMIN)
  async messengerSettings(): Promise<MessengerSettingsModel> {
    const [last, failedDeliveries] = await Promise.all([this.health.last(), this.deliveries.failedCount()]);
    return {
      webhookUrl: `${this.config.publicUrl}/webhooks/messenger`,
      verifyToken: this.config.facebookVerifyToken,
      appId: this.config.facebookAppId,
      graphApiUrl: `${this.config.graphApiUrl}/${this.config.graphApiVersion}`,
      ...last,
      failedDeliveries,
    };
  }
}
