import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, LessThan, Not, Repository } from 'typeorm';
import { graphErrorReason } from '@parley/libs/messenger/graph-errors.js';
import { pageTokenProblem } from '@parley/libs/messenger/page-token.js';
import { Channel, PageConnectionKind, TokenStatus } from '@parley/libs/shared/campaigns.js';
import type { AppConfig } from '../../infrastructure/config/config.js';
import { APP_CONFIG } from '../../infrastructure/config/config.module.js';
import { SecretBox } from '../../infrastructure/crypto/secret-box.js';
import { isDuplicateKey } from '../../infrastructure/database/errors.js';
import { ErrorCode, ParleyError } from '../../infrastructure/errors/parley-error.js';
import { Transactions } from '../../infrastructure/events/after-commit.js';
import { JobName } from '../../infrastructure/queues/queue-registry.js';
import { GraphError } from '../../messenger/graph/graph-error.js';
import { GraphClient } from '../../messenger/graph/graph.client.js';
import { CampaignEntity } from '../campaign.entity.js';
import { CampaignsService } from '../campaigns.service.js';
import { CampaignPageTokenEntity } from './campaign-page-token.entity.js';

/** A page to attach to a campaign, with what proves Parley may act for it. */
export interface PageToAttach {
  campaignId: string;
  pageId: string;
  pageName: string;
  pageToken: string;
  through: PageConnectionKind;
  userToken?: { token: string; expiresAt: Date | null };
  connectedByUserId?: string | null;
}

/** FACEBOOK_ERROR with Facebook's codes, as the API contract says. */
export function facebookError(message: string, code: number | null, subcode: number | null): ParleyError {
  return new ParleyError(ErrorCode.FACEBOOK_ERROR, message, { facebook: { code, subcode } });
}

/** A GraphError as the API answers it: unreachable → SERVICE_UNAVAILABLE (retry), else FACEBOOK_ERROR. */
export function apiErrorOf(error: GraphError, what: string): ParleyError {
  if (error.isTransient) {
    return ParleyError.serviceUnavailable(`${what}: ${error.reason}; nothing was changed, try again shortly`);
  }
  return facebookError(`${what}: ${error.reason}`, error.code, error.subcode);
}

/**
 * A campaign's Facebook page: connecting it (popup or page token), checking its token and
 * subscription, renewing the popup's user token, disconnecting it, and marking it INACTIVE the
 * moment any Graph call refuses its token. Every visible change publishes CampaignChanged.
 */
@Injectable()
export class FacebookConnectionService {
  private readonly logger = new Logger('FacebookConnection');

  constructor(
    @InjectRepository(CampaignEntity) private readonly campaigns: Repository<CampaignEntity>,
    @InjectRepository(CampaignPageTokenEntity) private readonly tokens: Repository<CampaignPageTokenEntity>,
    private readonly campaignsService: CampaignsService,
    private readonly transactions: Transactions,
    private readonly graph: GraphClient,
    private readonly box: SecretBox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The campaign, if it is a MESSENGER one (VOICE campaigns have no page): else BAD_USER_INPUT. */
  async messengerCampaign(campaignId: string): Promise<CampaignEntity> {
    const campaign = await this.campaignsService.getById(campaignId);
    if (campaign.channel !== Channel.MESSENGER) {
      throw ParleyError.badInput(
        'campaignId',
        `"${campaign.name}" is a ${campaign.channel} campaign; only MESSENGER campaigns have a Facebook page`,
      );
    }
    return campaign;
  }

  /** The campaign already answering this page, other than `campaignId`. */
  async otherCampaignOfPage(pageId: string, campaignId: string): Promise<CampaignEntity | null> {
    const other = await this.campaigns.findOne({ where: { pageId } });
    return other && other.id !== campaignId ? other : null;
  }

  pageTakenError(pageName: string, other: CampaignEntity): ParleyError {
    return new ParleyError(
      ErrorCode.CONFLICT,
      `The page "${pageName}" is already connected to the campaign "${other.name}"; disconnect it there first`,
      { campaignId: other.id, campaignName: other.name },
    );
  }

  /**
   * Subscribes the page to the webhook fields, then, in one transaction with the campaign row
   * locked, stores the page and its sealed tokens and sets ACTIVE. The subscription is made before
   * the transaction so no row lock is held across a Graph call; it is idempotent, and a page that
   * turns out to be taken keeps a subscription it needs for its own campaign anyway. The unique
   * index on campaigns.pageId decides races: the loser gets CONFLICT and nothing changes.
   */
  async attachPage(input: PageToAttach): Promise<CampaignEntity> {
    const taken = await this.otherCampaignOfPage(input.pageId, input.campaignId);
    if (taken) throw this.pageTakenError(input.pageName, taken);
    await this.graph.subscribeApp(input.pageId, input.pageToken);
    const now = new Date();
    let previous: { pageId: string; token: string } | null = null;
    try {
      await this.transactions.run(async (uow) => {
        const [campaign] = await this.campaignsService.lockForUpdate(uow.em, [input.campaignId]);
        if (campaign.channel !== Channel.MESSENGER)
          throw ParleyError.badInput('campaignId', 'is not a MESSENGER campaign');
        const old = await uow.em.findOneBy(CampaignPageTokenEntity, { campaignId: input.campaignId });
        if (old && campaign.pageId && campaign.pageId !== input.pageId) {
          previous = { pageId: campaign.pageId, token: this.box.open(old.pageTokenCiphertext) };
        }
        await uow.em.update(
          CampaignEntity,
          { id: input.campaignId },
          {
            pageId: input.pageId,
            pageName: input.pageName,
            pageConnectedAt: now,
            pageConnectedThrough: input.through,
            tokenStatus: TokenStatus.ACTIVE,
            tokenCheckedAt: now,
            tokenError: null,
          },
        );
        await uow.em.upsert(
          CampaignPageTokenEntity,
          {
            campaignId: input.campaignId,
            pageTokenCiphertext: this.box.seal(input.pageToken),
            userTokenCiphertext: input.userToken ? this.box.seal(input.userToken.token) : null,
            userTokenExpiresAt: input.userToken?.expiresAt ?? null,
            connectedByUserId: input.connectedByUserId ?? null,
          },
          ['campaignId'],
        );
        this.campaignsService.announce(uow, input.campaignId);
        // Replies that waited for a working token go now, in the order they were written.
        uow.enqueue(JobName.ResumePageSends, { pageId: input.pageId });
      });
    } catch (error) {
      if (isDuplicateKey(error)) {
        const other = await this.otherCampaignOfPage(input.pageId, input.campaignId);
        if (other) throw this.pageTakenError(input.pageName, other);
      }
      throw error;
    }
    if (previous) await this.unsubscribeQuietly(previous);
    return this.campaignsService.getById(input.campaignId);
  }

  /** connectFacebookPage: validates a page token an admin holds, then attaches the page. Nothing is stored on a refusal. */
  async connectWithPageToken(campaignId: string, pageId: string, pageToken: string): Promise<CampaignEntity> {
    const campaign = await this.messengerCampaign(campaignId);
    pageId = pageId.trim();
    pageToken = pageToken.trim();
    if (!/^\d{1,30}$/.test(pageId))
      throw ParleyError.badInput('pageId', 'must be the numeric id of the Facebook page');
    if (!pageToken) throw ParleyError.badInput('pageAccessToken', 'must not be empty');
    try {
      const problem = await this.tokenProblem(pageToken, pageId);
      if (problem?.kind === 'invalid')
        throw facebookError(
          `Facebook refused the page token: ${problem.reason}`,
          problem.code,
          problem.subcode,
        );
      if (problem) throw ParleyError.badInput('pageAccessToken', problem.reason);
      const page = await this.graph.page(pageId, pageToken);
      const taken = await this.otherCampaignOfPage(pageId, campaign.id);
      if (taken) throw this.pageTakenError(page.name, taken);
      return await this.attachPage({
        campaignId,
        pageId,
        pageName: page.name,
        pageToken,
        through: PageConnectionKind.PAGE_TOKEN,
      });
    } catch (error) {
      if (error instanceof GraphError) throw apiErrorOf(error, 'Facebook refused the page token');
      throw error;
    }
  }

  /**
   * Checks the token (debug_token) and the subscription (re-subscribing a dropped one) and
   * refreshes the page name. A refused token sets INACTIVE with the reason. Facebook unreachable
   * (timeout, 5xx, rate limit) changes nothing and answers SERVICE_UNAVAILABLE: not knowing is no
   * reason to stop a page. Publishes CampaignChanged on every check, as tokenCheckedAt changes and
   * cached answers (and the console's "checked at") must follow it.
   */
  async checkToken(campaignId: string): Promise<CampaignEntity> {
    const campaign = await this.campaignsService.getById(campaignId);
    const row = campaign.pageId ? await this.tokens.findOneBy({ campaignId }) : null;
    if (!campaign.pageId || !row) {
      throw ParleyError.badInput(
        'campaignId',
        `"${campaign.name}" has no Facebook page connected; activate it first`,
      );
    }
    const pageId = campaign.pageId;
    const pageToken = this.box.open(row.pageTokenCiphertext);
    let status: TokenStatus = TokenStatus.ACTIVE;
    let reason: string | null = null;
    let pageName: string | undefined;
    try {
      const problem = await this.tokenProblem(pageToken, pageId);
      if (problem) {
        status = TokenStatus.INACTIVE;
        reason = problem.reason;
      } else {
        const apps = await this.graph.subscribedApps(pageId, pageToken);
        if (!apps.some((app) => app.id === this.config.facebookAppId)) {
          this.logger.warn(
            `Page ${pageId} (campaign ${campaignId}) had lost its webhook subscription; subscribing again`,
          );
          await this.graph.subscribeApp(pageId, pageToken);
        }
        pageName = (await this.graph.page(pageId, pageToken)).name;
      }
    } catch (error) {
      if (!(error instanceof GraphError)) throw error;
      if (!error.refusesToken) throw apiErrorOf(error, 'Facebook could not check the page token');
      status = TokenStatus.INACTIVE;
      reason = error.reason;
    }
    await this.recordCheck(campaignId, pageId, { status, reason, pageName });
    return this.campaignsService.getById(campaignId);
  }

  /**
   * Runs `work` with the campaign's page token. A GraphError saying the token is refused or lacks
   * a permission marks the campaign INACTIVE at once (with the reason) before it is rethrown:
   * this is how every Graph call, the send job's included, keeps tokenStatus true.
   */
  async withPageToken<T>(
    campaignId: string,
    work: (token: string, pageId: string) => Promise<T>,
  ): Promise<T> {
    const campaign = await this.campaigns.findOneBy({ id: campaignId });
    const row = campaign?.pageId ? await this.tokens.findOneBy({ campaignId }) : null;
    if (!campaign?.pageId || !row) {
      throw ParleyError.badInput('campaignId', `campaign ${campaignId} has no Facebook page connected`);
    }
    try {
      return await work(this.box.open(row.pageTokenCiphertext), campaign.pageId);
    } catch (error) {
      if (error instanceof GraphError && error.refusesToken) {
        await this.recordCheck(campaignId, campaign.pageId, {
          status: TokenStatus.INACTIVE,
          reason: error.reason,
        });
      }
      throw error;
    }
  }

  /**
   * Renews the popup's long-lived user token (fb_exchange_token) and re-reads the page token from
   * me/accounts. A refusal sets INACTIVE; Facebook unreachable leaves everything for the next run.
   */
  async renewUserToken(campaignId: string): Promise<'renewed' | 'refused' | 'skipped'> {
    const campaign = await this.campaigns.findOneBy({ id: campaignId });
    const row = campaign?.pageId ? await this.tokens.findOneBy({ campaignId }) : null;
    if (!campaign?.pageId || !row?.userTokenCiphertext) return 'skipped';
    const pageId = campaign.pageId;
    const refuse = async (why: string) => {
      await this.recordCheck(campaignId, pageId, {
        status: TokenStatus.INACTIVE,
        reason: `Facebook refused to renew the login of the person who connected the page: ${why}; activate again`,
      });
      return 'refused' as const;
    };
    try {
      const renewed = await this.graph.exchangeUserToken(this.box.open(row.userTokenCiphertext));
      const page = (await this.graph.listPages(renewed.accessToken)).find((p) => p.id === pageId);
      if (!page) return await refuse('that person no longer administers the page');
      await this.transactions.run(async (uow) => {
        const [locked] = await this.campaignsService.lockForUpdate(uow.em, [campaignId]);
        if (locked.pageId !== pageId) return;
        await uow.em.update(
          CampaignPageTokenEntity,
          { campaignId },
          {
            userTokenCiphertext: this.box.seal(renewed.accessToken),
            userTokenExpiresAt: renewed.expiresIn ? new Date(Date.now() + renewed.expiresIn * 1000) : null,
            pageTokenCiphertext: this.box.seal(page.accessToken),
          },
        );
      });
      return 'renewed';
    } catch (error) {
      if (!(error instanceof GraphError)) throw error;
      if (error.isTransient) {
        this.logger.warn(
          `Could not renew the user token of campaign ${campaignId}: ${error.reason}; next run retries`,
        );
        return 'skipped';
      }
      return refuse(error.reason);
    }
  }

  /** Unsubscribes the page (best effort), forgets its tokens, sets NOT_CONNECTED. The page name stays, as a setting. */
  async disconnect(campaignId: string): Promise<CampaignEntity> {
    const campaign = await this.messengerCampaign(campaignId);
    const row = await this.tokens.findOneBy({ campaignId });
    if (campaign.pageId && row) {
      await this.unsubscribeQuietly({
        pageId: campaign.pageId,
        token: this.box.open(row.pageTokenCiphertext),
      });
    }
    await this.transactions.run(async (uow) => {
      await this.campaignsService.lockForUpdate(uow.em, [campaignId]);
      await uow.em.delete(CampaignPageTokenEntity, { campaignId });
      await uow.em.update(
        CampaignEntity,
        { id: campaignId },
        {
          pageId: null,
          pageConnectedAt: null,
          pageConnectedThrough: null,
          tokenStatus: TokenStatus.NOT_CONNECTED,
          tokenCheckedAt: null,
          tokenError: null,
        },
      );
      this.campaignsService.announce(uow, campaignId);
    });
    return this.campaignsService.getById(campaignId);
  }

  /** Campaigns with a page connected, for the health job. */
  async connectedCampaignIds(): Promise<string[]> {
    const rows = await this.campaigns.find({ select: { id: true }, where: { pageId: Not(IsNull()) } });
    return rows.map((r) => r.id);
  }

  /** ACTIVE popup connections whose user token expires before `before`, for the refresh job. */
  async campaignsToRenew(before: Date): Promise<string[]> {
    const rows = await this.tokens.find({
      select: { campaignId: true },
      where: { userTokenCiphertext: Not(IsNull()), userTokenExpiresAt: LessThan(before) },
    });
    if (!rows.length) return [];
    const active = await this.campaigns.find({
      select: { id: true, tokenStatus: true, pageConnectedThrough: true },
      where: rows.map((r) => ({ id: r.campaignId })),
    });
    return active
      .filter(
        (c) => c.tokenStatus === TokenStatus.ACTIVE && c.pageConnectedThrough === PageConnectionKind.POPUP,
      )
      .map((c) => c.id);
  }

  /** Stores a check's result if the campaign still has that page; always announced (tokenCheckedAt changes). */
  private async recordCheck(
    campaignId: string,
    pageId: string,
    result: { status: TokenStatus; reason: string | null; pageName?: string },
  ): Promise<void> {
    await this.transactions.run(async (uow) => {
      const [campaign] = await this.campaignsService.lockForUpdate(uow.em, [campaignId]);
      if (campaign.pageId !== pageId) return;
      await uow.em.update(
        CampaignEntity,
        { id: campaignId },
        {
          tokenStatus: result.status,
          tokenError: result.reason ? result.reason.slice(0, 1000) : null,
          tokenCheckedAt: new Date(),
          ...(result.pageName ? { pageName: result.pageName.slice(0, 200) } : {}),
        },
      );
      if (result.status === TokenStatus.INACTIVE && campaign.tokenStatus !== TokenStatus.INACTIVE) {
        this.logger.warn(`Campaign ${campaignId} (page ${pageId}) is INACTIVE: ${result.reason}`);
      }
      // A working token: replies that waited for it go now (after every check, so one whose job
      // was lost is picked up within TOKEN_CHECK_INTERVAL_MINUTES too).
      if (result.status === TokenStatus.ACTIVE) uow.enqueue(JobName.ResumePageSends, { pageId });
      this.campaignsService.announce(uow, campaignId);
    });
  }

  /** What debug_token says is wrong with a page token for this page and app, in words; null when it is fine. */
  private async tokenProblem(pageToken: string, pageId: string) {
    return pageTokenProblem(
      await this.graph.debugToken(pageToken),
      { pageId, appId: this.config.facebookAppId },
      (code, subcode, message) => graphErrorReason({ code, subcode }, message),
    );
  }

  private async unsubscribeQuietly(page: { pageId: string; token: string }): Promise<void> {
    try {
      await this.graph.unsubscribeApp(page.pageId, page.token);
    } catch (error) {
      const reason = error instanceof GraphError ? error.reason : String(error);
      this.logger.warn(
        `Could not unsubscribe page ${page.pageId} (${reason}); its tokens are forgotten anyway`,
      );
    }
  }
}
