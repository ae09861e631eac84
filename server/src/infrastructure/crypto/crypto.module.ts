import { Global, Module } from '@nestjs/common';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { SecretBox } from './secret-box.js';

/** The SecretBox keyed with ENCRYPTION_KEY, for any module that keeps secrets at rest. */
@Global()
@Module({
  providers: [
    {
      provide: SecretBox,
      inject: [APP_CONFIG],
      useFactory: (c: AppConfig) => new SecretBox(c.encryptionKey),
    },
  ],
  exports: [SecretBox],
})
export class CryptoModule {}
