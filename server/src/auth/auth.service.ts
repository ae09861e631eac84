import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import * as argon2 from 'argon2';
import jsonwebtoken from 'jsonwebtoken';
import type { KeyObject } from 'node:crypto';
import type { AppConfig } from '../infrastructure/config/config.js';
import { APP_CONFIG } from '../infrastructure/config/config.module.js';
import { ErrorCode, ParleyError } from '../infrastructure/errors/parley-error.js';
import type { UserEntity } from '../members/user.entity.js';
import { UsersService } from '../members/users.service.js';
import { ApiKeysService } from './api-keys.service.js';
import { accountKey, LoginThrottle } from './login-throttle.service.js';
import type { Authenticator, Credentials, Principal } from '../infrastructure/access/access.js';
import { jwtKeyOf, UserAccessCache } from './user-access-cache.js';

const { verify: verifyJwt } = jsonwebtoken;

export interface AccessTokenClaims {
  sub: string;
  exp: number;
  /** The user's sessionVersion when the token was issued. */
  sv?: number;
}

/** A dummy hash to verify against for unknown usernames, so timing does not reveal which exist. */
const DUMMY_HASH = argon2.hash('parley-dummy-password', { type: argon2.argon2id });

export const WRONG_CREDENTIALS = 'Wrong username or password';

@Injectable()
export class AuthService implements Authenticator {
  private readonly jwtKey: KeyObject;

  constructor(
    private readonly users: UsersService,
    private readonly apiKeys: ApiKeysService,
    private readonly jwt: JwtService,
    private readonly throttle: LoginThrottle,
    private readonly access: UserAccessCache,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.jwtKey = jwtKeyOf(config);
  }

  /**
   * Checks a password sign-in, counting failures against the account and the address. Every
   * refusal, a deactivated account's included, answers the same words whether or not the password
   * was right, so the answer never confirms a password.
   */
  async verifyPassword(username: string, password: string, ip: string): Promise<UserEntity> {
    const user = await this.users.findWithPasswordHash(username);
    const account = accountKey(user, username);
    await this.throttle.assertAllowed(account, ip);
    const ok = user
      ? await argon2.verify(user.passwordHash, password)
      : await argon2.verify(await DUMMY_HASH, password).then(() => false);
    if (!user || !ok || !user.active) {
      await this.throttle.recordFailure(account, ip);
      throw new ParleyError(ErrorCode.UNAUTHENTICATED, WRONG_CREDENTIALS);
    }
    await this.throttle.recordSuccess(account);
    return user;
  }

  issueAccessToken(user: UserEntity): string {
    return this.jwt.sign({ sub: user.id, sv: user.sessionVersion }, { expiresIn: this.config.jwtTtlSeconds });
  }

  /** Authenticator: the bearer token wins when a caller sends both. */
  async authenticate(credentials: Credentials) {
    if (credentials.authorization !== undefined) {
      const token = /^Bearer\s+(\S+)$/i.exec(credentials.authorization)?.[1];
      const principal = token ? await this.principalFromAccessToken(token) : null;
      return principal
        ? { principal }
        : { problem: 'The access token is invalid or has expired; sign in again' };
    }
    if (credentials.apiKey !== undefined) {
      const principal = await this.apiKeys.authenticate(credentials.apiKey);
      return principal ? { principal } : { problem: 'The API key is not valid or has been revoked' };
    }
    return null;
  }

  /**
   * The current principal of a verified token: role, active flag and session version come from
   * the user's row (cached briefly, see UserAccessCache), never from the token.
   */
  async principalFromClaims(claims: Partial<AccessTokenClaims>): Promise<Principal | null> {
    // A token that never expires is refused, whoever signed it.
    if (typeof claims.sub !== 'string' || typeof claims.exp !== 'number') return null;
    const user = await this.access.get(claims.sub);
    if (!user || !user.active || user.sessionVersion !== (claims.sv ?? 0)) return null;
    return {
      kind: 'user',
      userId: user.id,
      role: user.role,
      username: user.username,
      tokenExpiresAt: claims.exp,
    };
  }

  async principalFromAccessToken(token: string): Promise<Principal | null> {
    let claims: Partial<AccessTokenClaims>;
    try {
      // A KeyObject made once: given the secret as a string, jsonwebtoken rebuilds the key on
      // every call, which was the largest cost of an authenticated request.
      claims = verifyJwt(token, this.jwtKey, { algorithms: ['HS256'] }) as Partial<AccessTokenClaims>;
    } catch {
      return null;
    }
    return this.principalFromClaims(claims);
  }
}
