import type { JobsOptions } from 'bullmq';

/**
 * Every queue and job Parley has, by name. One queue per kind of work, so heavy jobs never starve
 * light ones; each job names its queue and states its retry and retention policy explicitly.
 */
export enum QueueName {
  Auth = 'auth',
  Facebook = 'facebook',
  Routing = 'routing',
  Messenger = 'messenger',
}

export enum JobName {
  /** Stamps an API key's lastUsedAt off the request path (one job per key per minute). */
  RecordApiKeyUse = 'auth.record-api-key-use',
  /** Checks every connected page's token and webhook subscription (repeating, TOKEN_CHECK_INTERVAL_MINUTES). */
  CheckPageTokens = 'facebook.check-page-tokens',
  /** Renews popup user tokens close to expiry and re-reads their page tokens (repeating, TOKEN_REFRESH_INTERVAL_MINUTES). */
  RenewUserTokens = 'facebook.renew-user-tokens',
  /** After an agent's last socket closed: OFFLINE unless one reconnected within PRESENCE_GRACE_SECONDS. */
  PresenceGrace = 'routing.presence-grace',
  /** Closes the sockets of instances whose heartbeat lapsed (repeating, every PRESENCE_HEARTBEAT_SECONDS, worker role). */
  SweepPresence = 'routing.sweep-presence',
  /** Routes a campaign's queue head(s) under its routing lock (after ingest, close, transfer, member and campaign changes). */
  RouteCampaign = 'routing.route-campaign',
  /** An offer's timeout (jobId `offer-<offerId>`, delayed OFFER_TIMEOUT_SECONDS): withdraws it if still pending. */
  OfferExpired = 'routing.offer-expired',
  /** A user's presence changed: AVAILABLE routes their campaigns, OFFLINE revokes their pending offers. */
  AgentPresenceRouting = 'routing.agent-presence',
  /** When a campaign's first waiting interaction may become ABANDONED (jobId `abandon-<campaignId>-<at>`): routes the campaign, which abandons what is due. */
  CheckAbandoned = 'routing.check-abandoned',
  /** Safety net (repeating, every 10 s, worker role): expires overdue offers, routes every campaign with QUEUED interactions. */
  SweepRouting = 'routing.sweep',
  /** Applies every event of one stored webhook delivery (jobId `delivery-<id>`). */
  ProcessDelivery = 'messenger.process-delivery',
  /** Re-enqueues deliveries still PENDING after a crash or a lost enqueue (repeating, every minute, and at start). */
  SweepDeliveries = 'messenger.sweep-deliveries',
  /** Deletes PROCESSED deliveries older than DELIVERY_RETENTION_DAYS, in small batches (repeating, hourly). */
  PurgeDeliveries = 'messenger.purge-deliveries',
  /** Reads a contact's name and picture from the user profile API (jobId `profile-<contactId>`). */
  FetchContactProfile = 'messenger.fetch-contact-profile',
  /** Copies a message's attachments from Facebook's expiring URLs into Parley's storage (jobId `attachments-<messageId>`). */
  StoreAttachments = 'messenger.store-attachments',
  /** Sends one stored PENDING message to the customer (jobId `send-<messageId>`, or `send-<messageId>-<why>` when started again). */
  SendMessage = 'messenger.send-message',
  /** A page's token works again (connected, activated, checked ACTIVE): its PENDING messages are started again, in order. */
  ResumePageSends = 'messenger.resume-page-sends',
  /** A customer wrote to a closed campaign: its after-hours message, once a day per conversation. */
  AfterHoursReply = 'messenger.after-hours-reply',
  /** A customer's message left them QUEUED: their place and estimated wait, at most once a minute. */
  AnnounceQueuePosition = 'messenger.announce-queue-position',
}

export interface JobPayloads {
  [JobName.RecordApiKeyUse]: { apiKeyId: string; usedAt: string };
  [JobName.CheckPageTokens]: Record<string, never>;
  [JobName.RenewUserTokens]: Record<string, never>;
  [JobName.PresenceGrace]: { userId: string; closedAt: string };
  [JobName.SweepPresence]: Record<string, never>;
  [JobName.ProcessDelivery]: { deliveryId: number };
  /**
   * `announce`: an interaction whose customer just wrote; if this pass leaves it QUEUED and the
   * campaign announces queue positions, messenger.announce-queue-position follows.
   */
  [JobName.RouteCampaign]: { campaignId: string; announce?: string };
  [JobName.OfferExpired]: { offerId: string };
  [JobName.AgentPresenceRouting]: { userId: string };
  [JobName.CheckAbandoned]: { campaignId: string; interactionId: string };
  [JobName.SweepRouting]: Record<string, never>;
  [JobName.SweepDeliveries]: Record<string, never>;
  [JobName.PurgeDeliveries]: Record<string, never>;
  [JobName.FetchContactProfile]: { contactId: string; campaignId: string };
  [JobName.StoreAttachments]: { messageId: string };
  [JobName.SendMessage]: { messageId: string };
  [JobName.ResumePageSends]: { pageId: string };
  /** `at`: when the customer wrote (ISO), which decides open or closed. */
  [JobName.AfterHoursReply]: { interactionId: string; at: string };
  [JobName.AnnounceQueuePosition]: { interactionId: string };
}

export interface JobDefinition {
  queue: QueueName;
  options: JobsOptions;
}

const DAY = 24 * 3600;
const HOUR_OF_1K = { age: 3600, count: 1_000 };
const HOUR_OF_10K = { age: 3600, count: 10_000 };
const WEEK_OF_1K = { age: 7 * DAY, count: 1_000 };
const WEEK_OF_10K = { age: 7 * DAY, count: 10_000 };

/**
 * A job retried with exponential backoff from `firstDelayMs`. By default finished jobs are kept an
 * hour and failed ones a week (at most 1,000 of each), for inspection.
 */
function retried(
  queue: QueueName,
  attempts: number,
  firstDelayMs: number,
  keep: Pick<JobsOptions, 'removeOnComplete' | 'removeOnFail'> = {},
): JobDefinition {
  return {
    queue,
    options: {
      attempts,
      backoff: { type: 'exponential', delay: firstDelayMs },
      removeOnComplete: keep.removeOnComplete ?? HOUR_OF_1K,
      removeOnFail: keep.removeOnFail ?? WEEK_OF_1K,
    },
  };
}

/** A repeating run: never retried (the next run does the same work); the last 100 are kept. */
function scheduled(queue: QueueName, keepFailedSeconds = 7 * DAY): JobDefinition {
  return {
    queue,
    options: {
      attempts: 1,
      removeOnComplete: { count: 100 },
      removeOnFail: { age: keepFailedSeconds, count: 100 },
    },
  };
}

export const JOB_DEFINITIONS: { readonly [J in JobName]: JobDefinition } = {
  [JobName.RecordApiKeyUse]: retried(QueueName.Auth, 5, 1_000, {
    removeOnFail: { age: 7 * DAY, count: 5_000 },
  }),
  [JobName.CheckPageTokens]: scheduled(QueueName.Facebook),
  [JobName.RenewUserTokens]: scheduled(QueueName.Facebook),
  [JobName.PresenceGrace]: retried(QueueName.Routing, 5, 1_000),
  [JobName.SweepPresence]: scheduled(QueueName.Routing, DAY),
  // Routing jobs are idempotent (each re-reads everything under the campaign's lock), so retries are
  // safe; the sweep catches whatever still slips through.
  [JobName.RouteCampaign]: retried(QueueName.Routing, 5, 500, { removeOnComplete: true }),
  [JobName.OfferExpired]: retried(QueueName.Routing, 5, 500, { removeOnComplete: HOUR_OF_10K }),
  [JobName.AgentPresenceRouting]: retried(QueueName.Routing, 5, 500, { removeOnComplete: true }),
  [JobName.CheckAbandoned]: retried(QueueName.Routing, 3, 1_000, {
    removeOnComplete: HOUR_OF_10K,
    removeOnFail: { age: DAY, count: 1_000 },
  }),
  [JobName.SweepRouting]: scheduled(QueueName.Routing, DAY),
  // The handler counts its own attempts in webhook_deliveries and marks FAILED after the last.
  [JobName.ProcessDelivery]: retried(QueueName.Messenger, 6, 1_000, {
    removeOnComplete: HOUR_OF_10K,
    removeOnFail: WEEK_OF_10K,
  }),
  [JobName.SweepDeliveries]: scheduled(QueueName.Messenger, DAY),
  [JobName.PurgeDeliveries]: scheduled(QueueName.Messenger),
  // Removed once done either way, so the next stale-profile message can enqueue the same jobId again.
  [JobName.FetchContactProfile]: retried(QueueName.Messenger, 4, 2_000, {
    removeOnComplete: true,
    removeOnFail: true,
  }),
  // Facebook's links last days; retries cover a slow or briefly failing CDN well within that.
  [JobName.StoreAttachments]: retried(QueueName.Messenger, 8, 2_000),
  // Temporary errors and rate limits retry with backoff, about 20 minutes in all; a message that
  // waits for an earlier one retries the same way.
  [JobName.SendMessage]: retried(QueueName.Messenger, 12, 500, {
    removeOnComplete: HOUR_OF_10K,
    removeOnFail: WEEK_OF_10K,
  }),
  [JobName.ResumePageSends]: retried(QueueName.Messenger, 5, 1_000),
  [JobName.AfterHoursReply]: retried(QueueName.Messenger, 5, 1_000),
  // Its once-a-minute guard is in the row, so a retry never announces twice.
  [JobName.AnnounceQueuePosition]: retried(QueueName.Messenger, 5, 1_000),
};

/**
 * Jobs that coalesce by a key: of all the jobs added with one key, at most one waits and one runs
 * (BullMQ deduplication with keepLastIfActive; an add while one runs is kept and queued when it
 * ends). For work that reads everything afresh when it runs, where ten triggers need one run after
 * the last of them, not ten runs side by side waiting for the same lock.
 */
export const COALESCE_BY: { readonly [J in JobName]?: (data: JobPayloads[J]) => string } = {
  // A pass routes the campaign's whole queue under the campaign's lock: a burst of new chats needs
  // one pass after the last of them, and parallel passes would only queue for the lock, each
  // holding a database connection meanwhile. A pass that must announce one customer's place keys
  // on that customer too: coalesced into another pass, the announcement would be lost.
  [JobName.RouteCampaign]: ({ campaignId, announce }) =>
    announce ? `route-${campaignId}-${announce}` : `route-${campaignId}`,
};

/** Worker concurrency per queue. */
export const QUEUE_CONCURRENCY: { readonly [Q in QueueName]: number } = {
  [QueueName.Auth]: 4,
  // One token job at a time per process; a Redis lock keeps it to one across processes.
  [QueueName.Facebook]: 1,
  [QueueName.Routing]: 8,
  // Conversations are serialised by a row lock on the contact, so deliveries may run side by side.
  [QueueName.Messenger]: 8,
};
