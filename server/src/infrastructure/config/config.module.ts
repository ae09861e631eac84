import { DynamicModule, Global, Module } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { AppConfig } from './config.js';

export const APP_CONFIG = Symbol('APP_CONFIG');
/**
 * This running instance's id (a fresh UUID per boot): what other instances know it by, so that
 * what it leaves behind in Redis when it crashes (its agents' sockets) can be found and cleared.
 */
export const INSTANCE_ID = Symbol('INSTANCE_ID');

/** The validated configuration as an injectable value (`@Inject(APP_CONFIG)`), and the instance's id. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: INSTANCE_ID, useFactory: () => randomUUID() },
      ],
      exports: [APP_CONFIG, INSTANCE_ID],
    };
  }
}
