import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { AppConfig } from '../../infrastructure/config/config.js';
import { APP_CONFIG } from '../../infrastructure/config/config.module.js';
import { type AccessTokenClaims, AuthService } from '../auth.service.js';
import { jwtKeyOf } from '../user-access-cache.js';

/**
 * `Authorization: Bearer <accessToken>` on HTTP routes outside GraphQL (GraphQL authenticates once
 * per request when it builds its context, through the same AuthService).
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A KeyObject (jsonwebtoken takes one; the typings only say string | Buffer): see jwtKeyOf.
      secretOrKey: jwtKeyOf(config) as unknown as string,
      algorithms: ['HS256'],
    });
  }

  validate(claims: AccessTokenClaims) {
    return this.auth.principalFromClaims(claims);
  }
}
