import { Inject, Injectable, Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { AppConfig } from '../../infrastructure/config/config.js';
import { APP_CONFIG } from '../../infrastructure/config/config.module.js';
import { redactUrl } from '../../infrastructure/logging/redact-url.js';
import { REDIS } from '../../infrastructure/redis/redis.module.js';
import { MESSENGER_WEBHOOK_FIELDS } from '@parley/libs/messenger/webhook-fields.js';
import { GraphError } from './graph-error.js';

/** The permissions the login dialog asks for; each is needed (docs/facebook.md says what for). */
export const REQUIRED_PERMISSIONS = [
  'pages_show_list',
  'pages_messaging',
  'pages_manage_metadata',
  'pages_read_engagement',
] as const;

export interface UserToken {
  accessToken: string;
  /** Seconds until it expires; null when Facebook gives none (it does not expire by date). */
  expiresIn: number | null;
}

export interface PermissionGrant {
  permission: string;
  status: 'granted' | 'declined' | 'expired' | string;
}

export interface ManagedPage {
  id: string;
  name: string;
  accessToken: string;
  tasks: string[];
}

export interface TokenDebug {
  appId: string | null;
  type: string | null;
  isValid: boolean;
  /** Seconds since the epoch; 0 means never. */
  expiresAt: number | null;
  scopes: string[];
  profileId: string | null;
  /** Why Facebook considers it invalid, when it says. */
  error: { code: number | null; subcode: number | null; message: string } | null;
}

export interface SubscribedApp {
  id: string;
  name?: string;
  subscribedFields: string[];
}

type Params = Record<string, string | number | undefined>;

interface FacebookErrorBody {
  error?: { message?: string; code?: number; error_subcode?: number; fbtrace_id?: string };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Parley's only way to Facebook's Graph API ({GRAPH_API_URL}/{GRAPH_API_VERSION}): global fetch
 * with a timeout, every failure a GraphError (classified by code/subcode), tokens never logged.
 */
@Injectable()
export class GraphClient {
  private readonly logger = new Logger('Graph');
  private readonly sendLimiter: RateLimiterRedis;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) redis: Redis,
  ) {
    // Per page, in Redis so every instance counts against the same budget (Meta allows 300/s).
    this.sendLimiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${config.redisPrefix}:graph-send`,
      points: config.graphSendPerSecond,
      duration: 1,
    });
  }

  /** `{GRAPH_API_URL}/{version}` */
  get baseUrl(): string {
    return `${this.config.graphApiUrl}/${this.config.graphApiVersion}`;
  }

  /** The app access token `APP_ID|APP_SECRET` (debug_token). */
  private get appToken(): string {
    return `${this.config.facebookAppId}|${this.config.facebookAppSecret}`;
  }

  /**
   * Any Graph call: `path` is relative to the version (`me/accounts`, `123/messages`); `token`
   * goes in `access_token`. JSON body for POST (or FormData, sent as multipart). The Send API goes
   * through sendAsPage, uploads through uploadAttachment.
   */
  async call<T>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    options: { token?: string; params?: Params; body?: unknown; timeoutMs?: number } = {},
  ): Promise<T> {
    const url = new URL(`${this.baseUrl}/${path.replace(/^\/+/, '')}`);
    for (const [name, value] of Object.entries({ ...options.params, access_token: options.token })) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const started = Date.now();
    const timeoutMs = options.timeoutMs ?? this.config.graphApiTimeoutMs;
    // A FormData body (multipart upload) sets its own content type, with the boundary.
    const form = options.body instanceof FormData ? options.body : undefined;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: options.body === undefined || form ? {} : { 'content-type': 'application/json' },
        body: form ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      const why = timedOut
        ? `no answer within ${timeoutMs} ms`
        : error instanceof Error
          ? ((error.cause as Error | undefined)?.message ?? error.message)
          : String(error);
      this.logger.warn(`${method} ${redactUrl(url.toString())} failed: ${why}`);
      throw new GraphError(why, null, null, 0);
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = undefined;
    }
    const fbError = (body as FacebookErrorBody | undefined)?.error;
    if (!response.ok || fbError) {
      const error = new GraphError(
        fbError?.message ?? `HTTP ${response.status}`,
        typeof fbError?.code === 'number' ? fbError.code : null,
        typeof fbError?.error_subcode === 'number' ? fbError.error_subcode : null,
        response.status,
        fbError?.fbtrace_id ?? null,
      );
      this.logger.warn(
        `${method} ${redactUrl(url.toString())} answered ${response.status} (${error.kind}, code ${error.code ?? '-'}/${error.subcode ?? '-'}, fbtrace ${error.fbtraceId ?? '-'}) in ${Date.now() - started} ms`,
      );
      throw error;
    }
    if (body === undefined)
      throw new GraphError('Facebook answered something that is not JSON', null, null, response.status);
    return body as T;
  }

  /** Login dialog code → short-lived user token. */
  async exchangeCode(code: string, redirectUri: string): Promise<UserToken> {
    const answer = await this.call<{ access_token: string; expires_in?: number }>(
      'GET',
      'oauth/access_token',
      {
        params: {
          client_id: this.config.facebookAppId,
          client_secret: this.config.facebookAppSecret,
          redirect_uri: redirectUri,
          code,
        },
      },
    );
    return { accessToken: answer.access_token, expiresIn: answer.expires_in ?? null };
  }

  /** A user token → a long-lived one (about 60 days); also renews a long-lived one. */
  async exchangeUserToken(userToken: string): Promise<UserToken> {
    const answer = await this.call<{ access_token: string; expires_in?: number }>(
      'GET',
      'oauth/access_token',
      {
        params: {
          grant_type: 'fb_exchange_token',
          client_id: this.config.facebookAppId,
          client_secret: this.config.facebookAppSecret,
          fb_exchange_token: userToken,
        },
      },
    );
    return { accessToken: answer.access_token, expiresIn: answer.expires_in ?? null };
  }

  async permissions(userToken: string): Promise<PermissionGrant[]> {
    const answer = await this.call<{ data?: PermissionGrant[] }>('GET', 'me/permissions', {
      token: userToken,
    });
    return answer.data ?? [];
  }

  /** The pages the person administers, with their page tokens and the tasks they may do. */
  async listPages(userToken: string): Promise<ManagedPage[]> {
    const pages: ManagedPage[] = [];
    let after: string | undefined;
    do {
      const answer = await this.call<{
        data?: { id: string; name: string; access_token: string; tasks?: string[] }[];
        paging?: { cursors?: { after?: string }; next?: string };
      }>('GET', 'me/accounts', {
        token: userToken,
        params: { fields: 'id,name,access_token,tasks', limit: 100, after },
      });
      for (const p of answer.data ?? []) {
        pages.push({ id: String(p.id), name: p.name, accessToken: p.access_token, tasks: p.tasks ?? [] });
      }
      after = answer.paging?.next ? answer.paging.cursors?.after : undefined;
    } while (after && pages.length < 1_000);
    return pages;
  }

  page(pageId: string, pageToken: string, fields = 'id,name'): Promise<{ id: string; name: string }> {
    return this.call('GET', encodeURIComponent(pageId), { token: pageToken, params: { fields } });
  }

  async subscribedApps(pageId: string, pageToken: string): Promise<SubscribedApp[]> {
    const answer = await this.call<{ data?: { id: string; name?: string; subscribed_fields?: string[] }[] }>(
      'GET',
      `${encodeURIComponent(pageId)}/subscribed_apps`,
      { token: pageToken },
    );
    return (answer.data ?? []).map((a) => ({
      id: String(a.id),
      name: a.name,
      subscribedFields: a.subscribed_fields ?? [],
    }));
  }

  /** Subscribes Parley's app to the page's Messenger webhook fields (idempotent). */
  async subscribeApp(pageId: string, pageToken: string): Promise<void> {
    await this.call('POST', `${encodeURIComponent(pageId)}/subscribed_apps`, {
      token: pageToken,
      params: { subscribed_fields: MESSENGER_WEBHOOK_FIELDS.join(',') },
    });
  }

  async unsubscribeApp(pageId: string, pageToken: string): Promise<void> {
    await this.call('DELETE', `${encodeURIComponent(pageId)}/subscribed_apps`, { token: pageToken });
  }

  /**
   * A customer's name and picture (`{PSID}?fields=first_name,last_name,profile_pic`) with the page
   * token. Facebook answers 100/2018218 when the person has no profile Parley may read.
   */
  async profile(
    psid: string,
    pageToken: string,
  ): Promise<{ firstName: string | null; lastName: string | null; profilePic: string | null }> {
    const answer = await this.call<{ first_name?: string; last_name?: string; profile_pic?: string }>(
      'GET',
      encodeURIComponent(psid),
      { token: pageToken, params: { fields: 'first_name,last_name,profile_pic' } },
    );
    return {
      firstName: answer.first_name || null,
      lastName: answer.last_name || null,
      profilePic: answer.profile_pic || null,
    };
  }

  /** What Facebook knows of a token, asked with the app token. */
  async debugToken(inputToken: string): Promise<TokenDebug> {
    const answer = await this.call<{
      data?: {
        app_id?: string | number;
        type?: string;
        is_valid?: boolean;
        expires_at?: number;
        scopes?: string[];
        profile_id?: string | number;
        error?: { code?: number; subcode?: number; message?: string };
      };
    }>('GET', 'debug_token', { token: this.appToken, params: { input_token: inputToken } });
    const d = answer.data ?? {};
    return {
      appId: d.app_id === undefined ? null : String(d.app_id),
      type: d.type ?? null,
      isValid: d.is_valid === true,
      expiresAt: d.expires_at ?? null,
      scopes: d.scopes ?? [],
      profileId: d.profile_id === undefined ? null : String(d.profile_id),
      error: d.error
        ? { code: d.error.code ?? null, subcode: d.error.subcode ?? null, message: d.error.message ?? '' }
        : null,
    };
  }

  /**
   * A Send API call as the page (`POST {pageId}/messages`), waiting for the page's share of the
   * per-second budget first so Parley never runs into Meta's 300/s (error 613).
   */
  async sendAsPage<T = { recipient_id: string; message_id?: string }>(
    pageId: string,
    pageToken: string,
    body: unknown,
  ): Promise<T> {
    await this.takeSendSlot(pageId);
    return this.call<T>('POST', `${encodeURIComponent(pageId)}/messages`, { token: pageToken, body });
  }

  /**
   * Uploads a file to the page's attachments (`POST {pageId}/message_attachments`, multipart) and
   * answers its attachment_id, to send with `payload: {attachment_id}`. Files take longer than
   * other calls: six times GRAPH_API_TIMEOUT_MS.
   */
  async uploadAttachment(
    pageId: string,
    pageToken: string,
    file: { type: 'image' | 'video' | 'audio' | 'file'; bytes: Blob; name: string },
  ): Promise<string> {
    const form = new FormData();
    form.append(
      'message',
      JSON.stringify({ attachment: { type: file.type, payload: { is_reusable: true } } }),
    );
    form.append('filedata', file.bytes, file.name);
    await this.takeSendSlot(pageId);
    const answer = await this.call<{ attachment_id?: string | number }>(
      'POST',
      `${encodeURIComponent(pageId)}/message_attachments`,
      { token: pageToken, body: form, timeoutMs: this.uploadTimeoutMs },
    );
    if (answer.attachment_id === undefined)
      throw new GraphError('Facebook gave no attachment_id for the upload', null, null, 200);
    return String(answer.attachment_id);
  }

  /** How long an attachment upload may take. */
  get uploadTimeoutMs(): number {
    return this.config.graphApiTimeoutMs * 6;
  }

  /** Typing indicator or seen mark in the customer's chat (`sender_action`, alone in its call). */
  async senderAction(
    pageId: string,
    pageToken: string,
    psid: string,
    action: 'typing_on' | 'typing_off' | 'mark_seen',
  ): Promise<void> {
    await this.sendAsPage(pageId, pageToken, { recipient: { id: psid }, sender_action: action });
  }

  /** Waits (a second at most per try) until the page may send once more. */
  async takeSendSlot(pageId: string): Promise<void> {
    for (;;) {
      try {
        await this.sendLimiter.consume(pageId);
        return;
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        await sleep(Math.max(rejection.msBeforeNext, 5));
      }
    }
  }
}
