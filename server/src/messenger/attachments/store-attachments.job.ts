import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { Repository } from 'typeorm';
import type { AppConfig } from '../../infrastructure/config/config.js';
import { APP_CONFIG } from '../../infrastructure/config/config.module.js';
import { Transactions } from '../../infrastructure/events/after-commit.js';
import { JobHandler } from '../../infrastructure/queues/job-handler.decorator.js';
import { JobName, type JobPayloads } from '../../infrastructure/queues/queue-registry.js';
import { redactUrl } from '../../infrastructure/logging/redact-url.js';
import { type MessageAttachment, MessageEntity } from '../message.entity.js';
import { AttachmentStore, AttachmentTooLarge } from './attachment-store.js';
import { MessageAnnouncements } from '../message-events.js';

const DOWNLOAD_TIMEOUT_MS = 30_000;
/** `type/subtype` and nothing else: the stored type is sent back as a Content-Type header. */
const MEDIA_TYPE = /^[a-z]+\/[a-z0-9.+-]{1,100}$/i;

/** A failure that retrying will not mend: the attachment keeps Facebook's link and the reason. */
class Unfetchable extends Error {}

/**
 * Copies a message's attachments from Facebook's expiring URLs into Parley's storage, once each:
 * an attachment that has its key (or a permanent failure) is skipped, so a retried or repeated job
 * changes nothing. Temporary failures (network, 5xx) throw, and BullMQ retries.
 */
@Injectable()
export class StoreAttachmentsJob {
  private readonly logger = new Logger('StoreAttachments');

  constructor(
    @InjectRepository(MessageEntity) private readonly messages: Repository<MessageEntity>,
    private readonly store: AttachmentStore,
    private readonly transactions: Transactions,
    private readonly announce: MessageAnnouncements,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @JobHandler(JobName.StoreAttachments)
  async run({ messageId }: JobPayloads[JobName.StoreAttachments]): Promise<{ stored: number }> {
    const message = await this.messages.findOneBy({ id: messageId });
    if (!message) return { stored: 0 };
    const attachments: MessageAttachment[] = [];
    let stored = 0;
    let retry: unknown = null;
    for (const attachment of message.attachments) {
      if (attachment.key || attachment.error || !/^https?:\/\//.test(attachment.url)) {
        attachments.push(attachment);
        continue;
      }
      try {
        attachments.push({ ...attachment, ...(await this.download(attachment.url)) });
        stored++;
      } catch (error) {
        if (error instanceof Unfetchable || error instanceof AttachmentTooLarge) {
          attachments.push({ ...attachment, error: error.message });
          this.logger.warn(`Attachment of message ${messageId} not kept: ${error.message}`);
        } else {
          attachments.push(attachment);
          retry ??= error;
        }
      }
    }
    if (stored || attachments.some((a, i) => a.error && !message.attachments[i].error)) {
      await this.transactions.run(async (uow) => {
        await uow.em.update(MessageEntity, { id: messageId }, { attachments });
        await this.announce.messages(
          uow,
          [{ id: messageId, interactionId: message.interactionId }],
          'UPDATED',
        );
      });
    }
    if (retry) throw retry;
    return { stored };
  }

  private async download(url: string): Promise<Pick<MessageAttachment, 'key' | 'contentType' | 'size'>> {
    const response = await fetch(url, {
      signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS),
      redirect: 'follow',
    });
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      const reason = `Facebook answered ${response.status} for ${redactUrl(url)}`;
      // 4xx (expired or removed link) will not change by retrying; 5xx may.
      if (response.status >= 400 && response.status < 500) throw new Unfetchable(reason);
      throw new Error(reason);
    }
    const declared = Number(response.headers.get('content-length') ?? 0);
    if (declared > 0 && declared > this.config.attachmentMaxBytes) {
      await response.body.cancel();
      throw new AttachmentTooLarge(this.config.attachmentMaxBytes);
    }
    const type = (response.headers.get('content-type') ?? '').split(';')[0].trim();
    const { key, size } = await this.store.save(
      Readable.fromWeb(response.body as WebReadableStream<Uint8Array>),
      this.config.attachmentMaxBytes,
    );
    return {
      key,
      size,
      contentType: MEDIA_TYPE.test(type) ? type.toLowerCase() : 'application/octet-stream',
    };
  }
}
