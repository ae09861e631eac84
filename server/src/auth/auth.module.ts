import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AppConfig } from '../infrastructure/config/config.js';
import { Authenticator } from '../infrastructure/access/access.js';
import { APP_CONFIG } from '../infrastructure/config/config.module.js';
import { MembersModule } from '../members/members.module.js';
import { ApiKeyEntity } from './api-key.entity.js';
import { ApiKeysResolver } from './api-keys.resolver.js';
import { ApiKeysService } from './api-keys.service.js';
import { AuthResolver } from './auth.resolver.js';
import { AuthService } from './auth.service.js';
import { AccessGuard } from './guards/access.guard.js';
import { LoginThrottle } from './login-throttle.service.js';
import { SignInLockoutResolver } from './sign-in-lockout.resolver.js';
import { UserAccessCache } from './user-access-cache.js';
import { SocketSessions } from './socket-sessions.service.js';
import { ApiKeyStrategy } from './strategies/api-key.strategy.js';
import { JwtStrategy } from './strategies/jwt.strategy.js';
import { LocalStrategy } from './strategies/local.strategy.js';

@Module({
  imports: [
    MembersModule,
    PassportModule,
    TypeOrmModule.forFeature([ApiKeyEntity]),
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        secret: config.jwtSecret,
        signOptions: { algorithm: 'HS256', expiresIn: config.jwtTtlSeconds },
      }),
    }),
  ],
  providers: [
    AuthService,
    UserAccessCache,
    { provide: Authenticator, useExisting: AuthService },
    ApiKeysService,
    LoginThrottle,
    SocketSessions,
    LocalStrategy,
    JwtStrategy,
    ApiKeyStrategy,
    AuthResolver,
    ApiKeysResolver,
    SignInLockoutResolver,
    { provide: APP_GUARD, useClass: AccessGuard },
  ],
  exports: [AuthService, ApiKeysService, Authenticator],
})
export class AuthModule {}
