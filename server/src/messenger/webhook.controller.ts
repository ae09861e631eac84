import { Controller, Get, HttpCode, Inject, Logger, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { createHmac } from 'node:crypto';
import { Public } from '../infrastructure/access/access.js';
import type { AppConfig } from '../infrastructure/config/config.js';
import { APP_CONFIG } from '../infrastructure/config/config.module.js';
import { sameSecret } from '../infrastructure/crypto/secret-box.js';
import { WebhookDeliveries } from './inbound/webhook-deliveries.service.js';
import { WebhookHealth } from './webhook-health.js';

/**
 * Facebook gives up on an answer after 5 s: a store still running by then answers 503 instead, so
 * Facebook retries (a row that lands late is only processed twice, which changes nothing).
 */
export const STORE_TIMEOUT_MS = 4_000;

/** `sha256=<lowercase hex HMAC-SHA256 of the raw body with the app secret>` matches the header, in constant time. */
export function signatureMatches(rawBody: Buffer | undefined, header: unknown, appSecret: string): boolean {
  if (!rawBody || typeof header !== 'string') return false;
  const expected = `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
  return sameSecret(header.trim().toLowerCase(), expected);
}

/**
 * Meta's Messenger webhook (docs/facebook.md#webhook). Public: Meta authenticates with the verify
 * token (GET) and the X-Hub-Signature-256 signature (POST), checked over the raw bytes.
 *
 * The POST stores the exact bytes in webhook_deliveries and only then answers 200; the events are
 * applied by a job (docs/messenger.md). If the store fails it answers 503 so Facebook retries.
 */
@Controller('webhooks/messenger')
@Public()
export class MessengerWebhookController {
  private readonly logger = new Logger('MessengerWebhook');

  constructor(
    private readonly health: WebhookHealth,
    private readonly deliveries: WebhookDeliveries,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Verification: echo hub.challenge as plain text when the verify token matches; else 403. */
  @Get()
  verify(@Query() query: Record<string, unknown>, @Res() res: Response) {
    const mode = query['hub.mode'];
    const token = query['hub.verify_token'];
    const challenge = query['hub.challenge'];
    if (
      mode === 'subscribe' &&
      typeof token === 'string' &&
      typeof challenge === 'string' &&
      sameSecret(token, this.config.facebookVerifyToken)
    ) {
      res.status(200).type('text/plain').send(challenge);
      return;
    }
    res.status(403).type('text/plain').send('Forbidden');
  }

  @Post()
  @HttpCode(200)
  async receive(@Req() req: Request & { rawBody?: Buffer }, @Res() res: Response) {
    if (!signatureMatches(req.rawBody, req.headers['x-hub-signature-256'], this.config.facebookAppSecret)) {
      this.logger.warn('Refused a webhook POST with a missing or wrong X-Hub-Signature-256');
      await this.health.record('rejected').catch(() => undefined);
      res.status(403).type('text/plain').send('Forbidden');
      return;
    }
    void this.health.record('accepted').catch(() => undefined);
    let deliveryId: number;
    let timer: NodeJS.Timeout | undefined;
    try {
      deliveryId = await Promise.race([
        this.deliveries.store(req.rawBody!),
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${STORE_TIMEOUT_MS} ms`)),
            STORE_TIMEOUT_MS,
          );
        }),
      ]);
    } catch (error) {
      this.logger.error(
        `Could not store a webhook delivery; answered 503 so Facebook retries: ${error instanceof Error ? error.message : String(error)}`,
      );
      res.status(503).type('text/plain').send('Service Unavailable');
      return;
    } finally {
      clearTimeout(timer);
    }
    res.status(200).type('text/plain').send('EVENT_RECEIVED');
    void this.deliveries.enqueue(deliveryId);
  }
}
