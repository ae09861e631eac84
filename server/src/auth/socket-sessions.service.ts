import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { PubSubService, Trigger } from '../infrastructure/pubsub/pubsub.service.js';
import type { CredentialRevoked } from './api-keys.service.js';
import { AuthService } from './auth.service.js';
import type { Principal } from './principal.js';

/** graphql-ws close codes: no valid credentials, and credentials that lost their rights. */
export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_FORBIDDEN = 4403;

interface ClosableSocket {
  close(code: number, reason: string): void;
}

export interface WsConnectContext {
  connectionParams?: Readonly<Record<string, unknown>>;
  extra: { socket: ClosableSocket; principal?: Principal; expiryTimer?: NodeJS.Timeout };
}

/**
 * Authenticates graphql-ws connections from `connectionParams` and keeps this instance's open
 * sockets by credential, so a revoked API key (or a deactivated user) loses its subscriptions on
 * every instance at once.
 */
@Injectable()
export class SocketSessions implements OnModuleInit {
  private readonly logger = new Logger('Sockets');
  private readonly open = new Map<ClosableSocket, Principal>();

  constructor(
    private readonly auth: AuthService,
    private readonly pubsub: PubSubService,
  ) {}

  async onModuleInit() {
    await this.pubsub.subscribe<CredentialRevoked>(Trigger.CredentialRevoked, (revoked) =>
      this.closeWhere(revoked),
    );
  }

  /** graphql-ws onConnect: false refuses the connection (the socket is already closed with a reason). */
  async connect(ctx: WsConnectContext): Promise<boolean> {
    const params = ctx.connectionParams ?? {};
    const authorization = params['authorization'] ?? params['Authorization'];
    const apiKey = params['apiKey'];
    let principal: Principal | null = null;
    if (typeof authorization === 'string' && /^Bearer\s+\S+$/i.test(authorization)) {
      principal = await this.auth.principalFromAccessToken(authorization.replace(/^Bearer\s+/i, ''));
    } else if (typeof apiKey === 'string') {
      principal = await this.auth.principalFromApiKey(apiKey);
    } else {
      ctx.extra.socket.close(
        CLOSE_UNAUTHORIZED,
        'Unauthorized: send authorization or apiKey in connectionParams',
      );
      return false;
    }
    if (!principal) {
      ctx.extra.socket.close(CLOSE_UNAUTHORIZED, 'Unauthorized: invalid, expired or revoked credentials');
      return false;
    }
    ctx.extra.principal = principal;
    this.open.set(ctx.extra.socket, principal);
    if (principal.kind === 'user' && principal.tokenExpiresAt) {
      // A socket must not outlive the token that opened it.
      const ms = principal.tokenExpiresAt * 1000 - Date.now();
      ctx.extra.expiryTimer = setTimeout(
        () => ctx.extra.socket.close(CLOSE_UNAUTHORIZED, 'Unauthorized: access token expired'),
        Math.min(Math.max(ms, 0), 2_147_000_000),
      );
    }
    return true;
  }

  disconnect(ctx: WsConnectContext) {
    if (ctx.extra.expiryTimer) clearTimeout(ctx.extra.expiryTimer);
    this.open.delete(ctx.extra.socket);
  }

  private closeWhere(revoked: CredentialRevoked) {
    for (const [socket, principal] of this.open) {
      const matches =
        (revoked.apiKeyId && principal.kind === 'apiKey' && principal.apiKeyId === revoked.apiKeyId) ||
        (revoked.userId && principal.kind === 'user' && principal.userId === revoked.userId);
      if (matches) {
        socket.close(CLOSE_FORBIDDEN, `Forbidden: ${revoked.reason}`);
        this.open.delete(socket);
      }
    }
    this.logger.debug(`Credential revoked: ${revoked.reason}`);
  }
}
