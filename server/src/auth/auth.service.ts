import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import * as argon2 from 'argon2';
import type { AppConfig } from '../infrastructure/config/config.js';
import { APP_CONFIG } from '../infrastructure/config/config.module.js';
import { ErrorCode, ParleyError } from '../infrastructure/errors/parley-error.js';
import type { UserEntity } from '../members/user.entity.js';
import { UsersService } from '../members/users.service.js';
import { ApiKeysService } from './api-keys.service.js';
import { accountKey, LoginThrottle } from './login-throttle.service.js';
import type { Principal } from './principal.js';

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
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly apiKeys: ApiKeysService,
    private readonly jwt: JwtService,
    private readonly throttle: LoginThrottle,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

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

  /**
   * The current principal of a valid token: role, active flag and session version are read fresh,
   * never trusted from the token.
   */
  async principalFromClaims(claims: AccessTokenClaims): Promise<Principal | null> {
    const user = await this.users.findById(claims.sub);
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
    let claims: AccessTokenClaims;
    try {
      claims = await this.jwt.verifyAsync<AccessTokenClaims>(token, { algorithms: ['HS256'] });
    } catch {
      return null;
    }
    return this.principalFromClaims(claims);
  }

  principalFromApiKey(key: string): Promise<Principal | null> {
    return this.apiKeys.authenticate(key);
  }
}
