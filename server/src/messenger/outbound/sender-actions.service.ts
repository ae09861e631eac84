import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { replyWindow } from '@parley/libs/messenger/reply-window.js';
import { TokenStatus } from '@parley/libs/shared/campaigns.js';
import { FacebookConnectionService } from '../../campaigns/facebook/facebook-connection.service.js';
import type { AppConfig } from '../../infrastructure/config/config.js';
import { APP_CONFIG } from '../../infrastructure/config/config.module.js';
import { REDIS } from '../../infrastructure/redis/redis.module.js';
import { GraphError } from '../graph/graph-error.js';
import { GraphClient } from '../graph/graph.client.js';
import { lastCustomerMessageAt } from './outbound-messages.service.js';

/** One typing indicator (or seen mark) per conversation per this long, whatever the keystrokes. */
export const SENDER_ACTION_EVERY_MS = 5_000;

export type SenderAction = 'typing_on' | 'mark_seen';

/**
 * What the customer sees of the agent besides messages: "typing…" while the agent writes, and
 * "seen" once the agent opened the conversation (Send API `sender_action`). Best effort: sent at
 * once from the request (no job: a lost indicator matters to nobody), throttled per conversation
 * in Redis (SET NX PX, shared by every instance), only inside the 24-hour window and while the
 * page's token works. A Facebook refusal is logged, never the agent's error.
 */
@Injectable()
export class SenderActions {
  private readonly logger = new Logger('SenderActions');

  constructor(
    private readonly db: DataSource,
    private readonly graph: GraphClient,
    private readonly connection: FacebookConnectionService,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Whether it went to Facebook; false when throttled, outside the window, or refused. */
  async send(conversation: { interactionId: string; contactId: string }, action: SenderAction) {
    const key = `${this.config.redisPrefix}:sender-action:${action}:${conversation.interactionId}`;
    if ((await this.redis.set(key, '1', 'PX', SENDER_ACTION_EVERY_MS, 'NX')) !== 'OK') {
      if (action === 'mark_seen') await this.seenWhenAllowed(conversation, key);
      return false;
    }
    const [target] = (await this.db.query(
      `SELECT c.pageId, c.psid, k.id AS campaignId, k.tokenStatus
         FROM contacts c JOIN campaigns k ON k.pageId = c.pageId WHERE c.id = ?`,
      [conversation.contactId],
    )) as { pageId: string; psid: string; campaignId: string; tokenStatus: string }[];
    if (!target || target.tokenStatus !== TokenStatus.ACTIVE) return false;
    const window = replyWindow(await lastCustomerMessageAt(this.db, conversation.contactId), new Date());
    if (window.kind !== 'RESPONSE') return false;
    try {
      await this.connection.withPageToken(target.campaignId, (token) =>
        this.graph.senderAction(target.pageId, token, target.psid, action),
      );
      return true;
    } catch (error) {
      if (!(error instanceof GraphError)) throw error;
      this.logger.warn(`${action} for interaction ${conversation.interactionId} not shown: ${error.reason}`);
      return false;
    }
  }

  /**
   * A seen mark asked for while throttled (the customer wrote again within 5 s of the last one)
   * goes out when the throttle ends, or the customer would see their newest messages unseen for as
   * long as the chat stays open. One such mark per conversation, whichever instance asks; in
   * memory (a lost indicator matters to nobody).
   */
  private async seenWhenAllowed(conversation: { interactionId: string; contactId: string }, key: string) {
    const wait = await this.redis.pttl(key);
    if (wait <= 0) return;
    if ((await this.redis.set(`${key}:later`, '1', 'PX', wait, 'NX')) !== 'OK') return;
    setTimeout(() => {
      this.send(conversation, 'mark_seen').catch((error: unknown) =>
        this.logger.warn(
          `mark_seen for interaction ${conversation.interactionId} not shown: ${String(error)}`,
        ),
      );
    }, wait + 20).unref();
  }
}
