import { Inject, Injectable, Logger } from '@nestjs/common';
import { declinedPermissionsMessage } from '@parley/libs/messenger/page-token.js';
import { PageConnectionKind } from '@parley/libs/shared/campaigns.js';
import type { AppConfig } from '../../infrastructure/config/config.js';
import { APP_CONFIG } from '../../infrastructure/config/config.module.js';
import { ParleyError } from '../../infrastructure/errors/parley-error.js';
import { GraphError } from '../../messenger/graph/graph-error.js';
import { ActiveAdminLookup } from '../campaign-membership.js';
import { GraphClient, REQUIRED_PERMISSIONS } from '../../messenger/graph/graph.client.js';
import { ActivationTickets, type StateRefusal } from './activation-tickets.js';
import { FacebookConnectionService } from './facebook-connection.service.js';
import { type ActivationOutcome, pageChoicePage, resultPage } from './popup-pages.js';

/** An HTML page for the popup and its status. */
export interface PopupAnswer {
  status: number;
  html: string;
}

const REFUSED_STATE: Record<StateRefusal, string> = {
  forged: 'This activation link was not issued by Parley. Start the activation again from Parley.',
  expired: 'This activation link has expired (they last 10 minutes). Start the activation again from Parley.',
  replayed: 'This activation link was already used. Start the activation again from Parley.',
};

/**
 * The "Activate with Facebook" popup (docs/facebook.md#activation): the signed state, Facebook's
 * redirect with a code, the page choice, and the page that tells the console how it ended.
 */
@Injectable()
export class FacebookActivationService {
  private readonly logger = new Logger('FacebookActivation');

  constructor(
    private readonly tickets: ActivationTickets,
    private readonly connection: FacebookConnectionService,
    private readonly graph: GraphClient,
    private readonly admins: ActiveAdminLookup,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get redirectUri(): string {
    return `${this.config.publicUrl}/facebook/callback`;
  }

  /** startFacebookActivation: the login dialog URL with a fresh signed, single-use state. */
  async start(
    campaignId: string,
    adminUserId: string | null,
  ): Promise<{ authorizeUrl: string; expiresAt: Date }> {
    await this.connection.messengerCampaign(campaignId);
    const { state, expiresAt } = await this.tickets.issueState(campaignId, adminUserId);
    const url = new URL(`${this.config.facebookDialogUrl}/${this.config.graphApiVersion}/dialog/oauth`);
    url.searchParams.set('client_id', this.config.facebookAppId);
    url.searchParams.set('redirect_uri', this.redirectUri);
    url.searchParams.set('state', state);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('scope', REQUIRED_PERMISSIONS.join(','));
    return { authorizeUrl: url.toString(), expiresAt };
  }

  private result(
    status: number,
    campaignId: string,
    outcome: ActivationOutcome,
    message: string,
    pageName?: string,
  ): PopupAnswer {
    const origin = new URL(this.config.publicUrl).origin;
    return {
      status,
      html: resultPage(
        {
          type: 'parley:facebook-activation',
          campaignId,
          outcome,
          message,
          ...(pageName ? { pageName } : {}),
        },
        origin,
      ),
    };
  }

  /** GET /facebook/callback: Facebook's redirect after the login dialog. */
  async callback(query: Record<string, unknown>): Promise<PopupAnswer> {
    const text = (name: string) => (typeof query[name] === 'string' ? (query[name] as string) : undefined);
    const rawState = text('state');
    const redeemed = await this.tickets.redeemState(rawState);
    if (typeof redeemed === 'string') {
      return this.result(400, this.tickets.campaignOfUnverified(rawState), 'failed', REFUSED_STATE[redeemed]);
    }
    const { campaignId, adminUserId } = redeemed;
    if (text('error')) {
      return this.result(
        200,
        campaignId,
        'cancelled',
        'You cancelled the Facebook login; the campaign is unchanged. Activate again whenever you are ready.',
      );
    }
    const code = text('code');
    if (!code)
      return this.result(
        400,
        campaignId,
        'failed',
        'Facebook sent no login code. Start the activation again.',
      );
    try {
      const short = await this.graph.exchangeCode(code, this.redirectUri);
      const long = await this.graph.exchangeUserToken(short.accessToken);
      const grants = await this.graph.permissions(long.accessToken);
      const granted = new Set(grants.filter((g) => g.status === 'granted').map((g) => g.permission));
      const declined = REQUIRED_PERMISSIONS.filter((p) => !granted.has(p));
      if (declined.length)
        return this.result(200, campaignId, 'declined', declinedPermissionsMessage(declined));
      const pages = (await this.graph.listPages(long.accessToken)).filter(
        (p) => !p.tasks.length || p.tasks.includes('MESSAGING'),
      );
      if (!pages.length) {
        return this.result(
          200,
          campaignId,
          'no-pages',
          'Your Facebook account administers no page Parley could answer for (you need a page on which you may send messages). Create a page or ask its admin for a role on it, then activate again.',
        );
      }
      const pickId = await this.tickets.keepPick({
        campaignId,
        adminUserId,
        userToken: long.accessToken,
        userTokenExpiresAt: long.expiresIn
          ? new Date(Date.now() + long.expiresIn * 1000).toISOString()
          : null,
        pages: pages.map((p) => ({ id: p.id, name: p.name, accessToken: p.accessToken })),
      });
      return { status: 200, html: pageChoicePage(pickId, campaignId, pages) };
    } catch (error) {
      return this.failure(campaignId, error);
    }
  }

  /** POST /facebook/callback/pages: the page the person picked. */
  async choosePage(body: Record<string, unknown>): Promise<PopupAnswer> {
    const campaignId = typeof body.campaignId === 'string' ? body.campaignId : '';
    const pick = await this.tickets.takePick(typeof body.pick === 'string' ? body.pick : undefined);
    if (!pick) {
      return this.result(
        400,
        campaignId,
        'failed',
        'This page choice has expired or was already used. Start the activation again from Parley.',
      );
    }
    if (pick.adminUserId && !(await this.admins.isActiveAdmin(pick.adminUserId))) {
      return this.result(
        403,
        pick.campaignId,
        'failed',
        'The account that started this activation is no longer an active admin in Parley; nothing was changed.',
      );
    }
    const page = pick.pages.find((p) => p.id === body.pageId);
    if (!page)
      return this.result(
        400,
        pick.campaignId,
        'failed',
        'Choose one of the pages listed. Start the activation again from Parley.',
      );
    try {
      await this.connection.attachPage({
        campaignId: pick.campaignId,
        pageId: page.id,
        pageName: page.name,
        pageToken: page.accessToken,
        through: PageConnectionKind.POPUP,
        userToken: {
          token: pick.userToken,
          expiresAt: pick.userTokenExpiresAt ? new Date(pick.userTokenExpiresAt) : null,
        },
        connectedByUserId: pick.adminUserId,
      });
      return this.result(200, pick.campaignId, 'connected', `Connected to ${page.name}`, page.name);
    } catch (error) {
      return this.failure(pick.campaignId, error);
    }
  }

  private failure(campaignId: string, error: unknown): PopupAnswer {
    if (error instanceof ParleyError) {
      return this.result(
        error.code === 'CONFLICT' ? 409 : 400,
        campaignId,
        'failed',
        `${error.message}. Nothing was changed.`,
      );
    }
    if (error instanceof GraphError) {
      return this.result(
        502,
        campaignId,
        'failed',
        `Facebook refused: ${error.reason}. Nothing was changed; try again.`,
      );
    }
    this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return this.result(
      500,
      campaignId,
      'failed',
      'Something went wrong in Parley; nothing was changed. Try again.',
    );
  }
}
