import { Module } from '@nestjs/common';
import { MessengerSettingsResolver } from './messenger-settings.resolver.js';
import { MessengerWebhookController } from './webhook.controller.js';
import { WebhookHealth } from './webhook-health.js';

/** Messenger's side of Parley: the webhook and its settings (the Graph client is GraphModule). */
@Module({
  controllers: [MessengerWebhookController],
  providers: [WebhookHealth, MessengerSettingsResolver],
})
export class MessengerModule {}
