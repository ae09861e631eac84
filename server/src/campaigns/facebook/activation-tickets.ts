import { Inject, Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import type { AppConfig } from '../../infrastructure/config/config.js';
import { APP_CONFIG } from '../../infrastructure/config/config.module.js';
import { hmac, sameSecret, SecretBox } from '../../infrastructure/crypto/secret-box.js';
import { REDIS } from '../../infrastructure/redis/redis.module.js';

/** How long an activation (the state in the login URL, then the page choice) stays usable. */
export const ACTIVATION_TTL_MS = 10 * 60 * 1000;

export interface ActivationState {
  campaignId: string;
  /** Who started it (null for an ADMIN API key). */
  adminUserId: string | null;
  expiresAt: Date;
}

export type StateRefusal = 'forged' | 'expired' | 'replayed';

/** The pages a person may pick from, kept server-side (sealed) between the callback and the choice. */
export interface PagePick {
  campaignId: string;
  adminUserId: string | null;
  userToken: string;
  userTokenExpiresAt: string | null;
  pages: { id: string; name: string; accessToken: string }[];
}

const b64 = (value: string) => Buffer.from(value).toString('base64url');

/**
 * The popup's one-time tickets. The `state` sent through Facebook is `<payload>.<hmac>` (HMAC-SHA256
 * with a key derived from ENCRYPTION_KEY), expires after 10 minutes and is single-use: its nonce is
 * kept in Redis and consumed with GETDEL, so a replayed state is refused on every instance.
 * The page choice gets a random pick id whose record (with the user token) is sealed in Redis.
 */
@Injectable()
export class ActivationTickets {
  private readonly stateKey: Buffer;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly box: SecretBox,
  ) {
    this.stateKey = box.derivedKey('facebook-activation-state');
  }

  private key(kind: 'nonce' | 'pick', id: string) {
    return `${this.config.redisPrefix}:facebook:${kind}:${id}`;
  }

  async issueState(campaignId: string, adminUserId: string | null, now = Date.now()) {
    const nonce = randomBytes(16).toString('base64url');
    const expiresAt = new Date(now + ACTIVATION_TTL_MS);
    await this.redis.set(this.key('nonce', nonce), campaignId, 'PX', ACTIVATION_TTL_MS);
    const payload = b64(JSON.stringify({ c: campaignId, u: adminUserId, n: nonce, e: expiresAt.getTime() }));
    return { state: `${payload}.${hmac(this.stateKey, payload)}`, expiresAt };
  }

  /** The campaign a state names, read without checking it (only to address the popup's message). */
  campaignOfUnverified(state: string | undefined): string {
    try {
      const parsed = JSON.parse(Buffer.from((state ?? '').split('.')[0], 'base64url').toString()) as {
        c?: unknown;
      };
      return typeof parsed.c === 'string' ? parsed.c : '';
    } catch {
      return '';
    }
  }

  /** Checks and consumes a state: a second redemption of the same state is 'replayed'. */
  async redeemState(state: string | undefined, now = Date.now()): Promise<ActivationState | StateRefusal> {
    const [payload, signature, extra] = (state ?? '').split('.');
    if (!payload || !signature || extra !== undefined || !sameSecret(signature, hmac(this.stateKey, payload)))
      return 'forged';
    let parsed: { c: string; u: string | null; n: string; e: number };
    try {
      parsed = JSON.parse(Buffer.from(payload, 'base64url').toString());
    } catch {
      return 'forged';
    }
    if (typeof parsed.e !== 'number' || parsed.e <= now) return 'expired';
    const consumed = await this.redis.getdel(this.key('nonce', parsed.n));
    if (consumed === null) return 'replayed';
    return { campaignId: parsed.c, adminUserId: parsed.u ?? null, expiresAt: new Date(parsed.e) };
  }

  async keepPick(pick: PagePick): Promise<string> {
    const id = randomBytes(24).toString('base64url');
    await this.redis.set(this.key('pick', id), this.box.seal(JSON.stringify(pick)), 'PX', ACTIVATION_TTL_MS);
    return id;
  }

  /** The pick, once: null when unknown, expired or already used. */
  async takePick(id: string | undefined): Promise<PagePick | null> {
    if (!id || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) return null;
    const sealed = await this.redis.getdel(this.key('pick', id));
    return sealed ? (JSON.parse(this.box.open(sealed)) as PagePick) : null;
  }
}
