import { DynamicModule, Module, ValidationPipe } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ServeStaticModule } from '@nestjs/serve-static';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AuthModule } from './auth/auth.module.js';
import { CampaignsModule } from './campaigns/campaigns.module.js';
import { CampaignFacebookModule } from './campaigns/facebook/facebook.module.js';
import { DemoModule } from './demo/demo.module.js';
import { type AppConfig, rolesIncludeApi } from './infrastructure/config/config.js';
import { ConfigModule } from './infrastructure/config/config.module.js';
import { CryptoModule } from './infrastructure/crypto/crypto.module.js';
import { DatabaseModule } from './infrastructure/database/database.module.js';
import { ParleyExceptionFilter } from './infrastructure/errors/exception.filter.js';
import { problemsOfValidation } from './infrastructure/errors/input-problems.js';
import { ParleyError } from './infrastructure/errors/parley-error.js';
import { GraphqlModule } from './infrastructure/graphql/graphql.module.js';
import { HealthModule } from './infrastructure/health/health.module.js';
import { EventsModule } from './infrastructure/events/events.module.js';
import { OpenSocketsModule } from './infrastructure/graphql/open-sockets.module.js';
import { QueuesModule } from './infrastructure/queues/queues.module.js';
import { RedisModule } from './infrastructure/redis/redis.module.js';
import { MembersModule } from './members/members.module.js';
import { RoutingModule } from './routing/routing.module.js';
import { MessengerModule } from './messenger/messenger.module.js';

/** Input validation for every resolver and controller; every problem of every field, nested ones too. */
export const validationPipe = new ValidationPipe({
  transform: true,
  whitelist: true,
  forbidUnknownValues: false,
  exceptionFactory: (errors) => {
    const problems = problemsOfValidation(errors);
    return ParleyError.invalid(problems.length ? problems : [{ field: 'input', problem: 'is not valid' }]);
  },
});

@Module({})
export class AppModule {
  /** Composes Parley for one configuration; ROLE decides what this process serves. */
  static forRoot(config: AppConfig): DynamicModule {
    const serveApi = rolesIncludeApi(config.role);
    const clientDir = config.clientDir ?? join(process.cwd(), 'dist/client/browser');
    const serveClient = serveApi && existsSync(join(clientDir, 'index.html'));
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        RedisModule,
        CryptoModule,
        EventsModule,
        OpenSocketsModule,
        QueuesModule.forRoot(config),
        HealthModule,
        AuthModule,
        CampaignsModule,
        CampaignFacebookModule,
        MembersModule,
        MessengerModule,
        RoutingModule,
        DemoModule,
        ...(serveApi ? [GraphqlModule.forRoot({ authenticatorModule: AuthModule })] : []),
        ...(serveClient
          ? [
              ServeStaticModule.forRoot({
                rootPath: clientDir,
                // Client-side routes fall back to index.html; the API's own paths never do.
                exclude: [
                  '/graphql',
                  '/graphql/{*rest}',
                  '/health',
                  '/health/{*rest}',
                  '/webhooks/{*rest}',
                  '/facebook/{*rest}',
                  '/attachments/{*rest}',
                ],
              }),
            ]
          : []),
      ],
      providers: [
        { provide: APP_PIPE, useValue: validationPipe },
        { provide: APP_FILTER, useClass: ParleyExceptionFilter },
      ],
    };
  }
}
