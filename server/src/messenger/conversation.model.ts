import { Field, ID, InputType, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Allow } from 'class-validator';
import type { AttachmentType } from '@parley/libs/messenger/webhook-events.js';

/** GraphQL enums need objects; the values are those of the messages table and webhook-events.ts. */
export const AttachmentTypeEnum = { IMAGE: 'IMAGE', VIDEO: 'VIDEO', AUDIO: 'AUDIO', FILE: 'FILE' } as const;
export const MessageDirectionEnum = { INBOUND: 'INBOUND', OUTBOUND: 'OUTBOUND' } as const;
export const DeliveryStatusEnum = {
  PENDING: 'PENDING',
  SENT: 'SENT',
  DELIVERED: 'DELIVERED',
  READ: 'READ',
  FAILED: 'FAILED',
} as const;

registerEnumType(AttachmentTypeEnum, {
  name: 'AttachmentType',
  description: 'What a message attachment holds.',
  valuesMap: {
    IMAGE: { description: 'A picture (stickers included).' },
    VIDEO: { description: 'A video.' },
    AUDIO: { description: 'A voice or audio clip.' },
    FILE: { description: 'Any other file.' },
  },
});
registerEnumType(MessageDirectionEnum, {
  name: 'MessageDirection',
  description: 'Which way a message went.',
  valuesMap: {
    INBOUND: { description: 'From the customer to the page.' },
    OUTBOUND: { description: 'From the page (an agent, or the page inbox) to the customer.' },
  },
});
registerEnumType(DeliveryStatusEnum, {
  name: 'DeliveryStatus',
  description: 'Where a message is on its way; never steps back. Inbound messages are DELIVERED.',
  valuesMap: {
    PENDING: { description: 'Stored, not yet accepted by Facebook.' },
    SENT: { description: 'Facebook accepted it.' },
    DELIVERED: { description: "On the customer's device (inbound messages: received by Parley)." },
    READ: { description: 'The customer read it.' },
    FAILED: { description: 'Facebook refused it; error says why.' },
  },
});

@ObjectType('Contact', { description: 'A customer of one page: one per page and PSID.' })
export class ContactModel {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field({ description: "The customer's page-scoped id: only meaningful with pageId." })
  psid!: string;

  @Field({ description: 'The Facebook page the customer writes to.' })
  pageId!: string;

  @Field({ description: 'From the profile API; "Messenger user <last 4 of PSID>" when there is none.' })
  name!: string;

  @Field(() => String, {
    nullable: true,
    description: "Facebook's picture URL (it expires; refetched daily).",
  })
  profilePicUrl!: string | null;
}

@ObjectType('Attachment', { description: 'A file sent with a message.' })
export class AttachmentModel {
  @Field(() => AttachmentTypeEnum, { description: 'What it holds.' })
  type!: string;

  @Field({
    description:
      "Where to fetch it: a signed link to Parley's copy, valid 12 hours (ask again for a fresh one), or Facebook's own URL until the copy is made.",
  })
  url!: string;

  @Field(() => String, { nullable: true, description: 'The file name, when known.' })
  name?: string | null;
}

@InputType('AttachmentInput', { description: 'A file to send with a message (sendMessage).' })
export class AttachmentInputModel {
  @Field(() => AttachmentTypeEnum, {
    description: 'What it holds; for a file from POST /uploads, the type found in its content wins.',
  })
  @Allow()
  type!: AttachmentType;

  @Field({
    description:
      'From POST /uploads, or a public URL. An upload link works for 12 hours; any other URL must be https, and Facebook fetches it.',
  })
  @Allow()
  url!: string;

  @Field(() => String, { nullable: true, description: 'The file name shown; up to 255 characters.' })
  @Allow()
  name?: string | null;
}

@ObjectType('Message', { description: 'One Messenger message of an interaction, either way.' })
export class MessageModel {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field(() => ID, { description: 'The interaction it belongs to.' })
  interactionId!: string;

  @Field(() => MessageDirectionEnum, { description: 'From the customer (INBOUND) or to them (OUTBOUND).' })
  direction!: string;

  @Field(() => String, {
    nullable: true,
    description: 'The text, if any (a postback shows its button title).',
  })
  text!: string | null;

  @Field(() => [AttachmentModel], { description: 'Files sent with it; empty when none.' })
  attachments!: AttachmentModel[];

  /** Resolved by the routing module's field resolver from sentByUserId. */
  sentByUserId!: string | null;

  @Field({ description: "When it was sent (Facebook's event time), the order messages are listed in." })
  createdAt!: Date;

  @Field(() => DeliveryStatusEnum, { description: 'Where it is on its way.' })
  status!: string;

  @Field(() => String, { nullable: true, description: 'Why it FAILED.' })
  error!: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      "The customer's reaction to it in Messenger (an emoji, or Facebook's name for it), the latest one; null when none or taken back.",
  })
  reaction!: string | null;
}
