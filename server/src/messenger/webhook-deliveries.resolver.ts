import {
  Args,
  Field,
  ID,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  registerEnumType,
} from '@nestjs/graphql';
import { Role } from '@parley/libs/shared/roles.js';
import { Roles } from '../infrastructure/access/access.js';
import { ParleyError } from '../infrastructure/errors/parley-error.js';
import { type DeliverySummary, WebhookDeliveries } from './inbound/webhook-deliveries.service.js';

export const WebhookDeliveryStatus = {
  PENDING: 'PENDING',
  PROCESSED: 'PROCESSED',
  FAILED: 'FAILED',
} as const;
registerEnumType(WebhookDeliveryStatus, {
  name: 'WebhookDeliveryStatus',
  description: 'Where a stored webhook delivery is: PENDING -> PROCESSED, or FAILED after its last attempt.',
  valuesMap: {
    PENDING: { description: 'Stored, its events not applied yet (a job is on it, or the sweep will be).' },
    PROCESSED: { description: 'Every event applied.' },
    FAILED: { description: 'Processing failed after every attempt: it waits for an admin to replay it.' },
  },
});

const MAX_FIRST = 100;

@ObjectType('WebhookDelivery', {
  description:
    "One webhook POST Facebook sent, as Parley stored it. Only a summary: the body holds customers' words and is never served.",
})
export class WebhookDeliveryModel implements DeliverySummary {
  @Field(() => ID, { description: 'The delivery (ascending in order of arrival).' })
  id!: string;

  @Field(() => Date, { description: 'When Parley stored it, before answering Facebook.' })
  receivedAt!: Date;

  @Field(() => WebhookDeliveryStatus, { description: 'Where it is.' })
  status!: DeliverySummary['status'];

  @Field(() => String, {
    nullable: true,
    description: 'The body\'s "object" ("page" for Messenger); null when the body is not JSON.',
  })
  object!: string | null;

  @Field(() => [String], { description: "The pages it is for (its entries' ids, each once)." })
  pageIds!: string[];

  @Field(() => Int, { description: 'How many events (messages, reads, reactions ...) it carries.' })
  events!: number;

  @Field(() => Int, { description: 'Processing attempts since it arrived or was last replayed.' })
  attempts!: number;

  @Field(() => String, { nullable: true, description: 'Why the last attempt failed, in words.' })
  lastError!: string | null;

  @Field(() => Int, { description: "The body's size in bytes." })
  size!: number;
}

/**
 * FAILED webhook deliveries, for admins: list them and put them back to be processed. ADMIN only,
 * like the Messenger settings they sit in: a supervisor runs conversations, not the Meta app.
 */
@Resolver(() => WebhookDeliveryModel)
export class WebhookDeliveriesResolver {
  constructor(private readonly deliveries: WebhookDeliveries) {}

  @Query(() => [WebhookDeliveryModel], {
    description:
      'ADMIN only. Webhook deliveries whose processing FAILED after every attempt, newest first. messengerSettings.failedDeliveries counts them.',
  })
  @Roles(Role.ADMIN)
  failedWebhookDeliveries(
    @Args('first', {
      type: () => Int,
      defaultValue: 20,
      description: `How many, 1 to ${MAX_FIRST}.`,
    })
    first: number,
    @Args('before', {
      type: () => ID,
      nullable: true,
      description: 'Only those older than this delivery (the last one of the previous page).',
    })
    before?: string | null,
  ): Promise<WebhookDeliveryModel[]> {
    if (first < 1 || first > MAX_FIRST)
      throw ParleyError.badInput('first', `must be between 1 and ${MAX_FIRST}`);
    return this.deliveries.failed(first, before ?? null);
  }

  @Mutation(() => WebhookDeliveryModel, {
    description:
      'ADMIN only. Puts a FAILED delivery back to be processed (PENDING, attempts from 0). Events already applied change nothing, so each message still appears once. NOT_FOUND for an unknown id; CONFLICT when it is not FAILED.',
  })
  @Roles(Role.ADMIN)
  replayWebhookDelivery(
    @Args('id', { type: () => ID, description: 'The FAILED delivery.' }) id: string,
  ): Promise<WebhookDeliveryModel> {
    return this.deliveries.replay(id);
  }

  @Mutation(() => Int, {
    description: 'ADMIN only. Replays every FAILED delivery (as replayWebhookDelivery); answers how many.',
  })
  @Roles(Role.ADMIN)
  replayFailedDeliveries(): Promise<number> {
    return this.deliveries.replayAllFailed();
  }
}
