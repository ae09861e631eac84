import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CampaignsModule } from '../campaigns/campaigns.module.js';
import { CampaignFacebookModule } from '../campaigns/facebook/facebook.module.js';
import { AttachmentLinks } from './attachments/attachment-links.js';
import { AttachmentStore } from './attachments/attachment-store.js';
import { AttachmentsController } from './attachments/attachments.controller.js';
import { StoreAttachmentsJob } from './attachments/store-attachments.job.js';
import { UploadsController } from './attachments/uploads.controller.js';
import { ContactEntity } from './contacts/contact.entity.js';
import { OutboundMessages } from './outbound/outbound-messages.service.js';
import { SendMessageJob } from './outbound/send-message.job.js';
import { SenderActions } from './outbound/sender-actions.service.js';
import { ContactsService } from './contacts/contacts.service.js';
import { ConversationsService } from './conversations.service.js';
import { GraphModule } from './graph/graph.module.js';
import { InboundEvents } from './inbound/inbound-events.service.js';
import { WebhookDeliveries } from './inbound/webhook-deliveries.service.js';
import { MessageAnnouncements } from './message-events.js';
import { MessageEntity } from './message.entity.js';
import { MessengerSettingsResolver } from './messenger-settings.resolver.js';
import { WebhookDeliveriesResolver } from './webhook-deliveries.resolver.js';
import { MessengerWebhookController } from './webhook.controller.js';
import { WebhookHealth } from './webhook-health.js';

/**
 * Messenger's side of Parley: the webhook and its settings, the durable ingest of deliveries,
 * contacts and messages (docs/messenger.md). The Graph client is GraphModule. What becomes of a
 * conversation's interaction is routing's, asked through the ConversationRouting port it provides.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([ContactEntity, MessageEntity]),
    CampaignsModule,
    CampaignFacebookModule,
    GraphModule,
  ],
  controllers: [MessengerWebhookController, AttachmentsController, UploadsController],
  providers: [
    WebhookHealth,
    MessengerSettingsResolver,
    WebhookDeliveriesResolver,
    ContactsService,
    ConversationsService,
    InboundEvents,
    MessageAnnouncements,
    WebhookDeliveries,
    AttachmentStore,
    AttachmentLinks,
    StoreAttachmentsJob,
    OutboundMessages,
    SendMessageJob,
    SenderActions,
  ],
  exports: [
    ContactsService,
    ConversationsService,
    AttachmentStore,
    AttachmentLinks,
    OutboundMessages,
    SenderActions,
  ],
})
export class MessengerModule {}
