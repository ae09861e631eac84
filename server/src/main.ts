import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { join } from 'node:path';
import { AppModule } from './app.module.js';
import { type AppConfig, ConfigError, loadConfig } from './infrastructure/config/config.js';
import { devSecretStore } from './infrastructure/config/dev-secrets.js';
import { createHttpLogger, createRootLogger, PinoNestLogger } from './infrastructure/logging/logger.js';

/** Builds the Nest application for a configuration (also used by the integration tests). */
export async function createParley(config: AppConfig) {
  const logger = createRootLogger(config.logLevel);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger: new PinoNestLogger(logger),
    // Webhook signatures are checked over the exact bytes Facebook sent.
    rawBody: true,
  });
  app.use(createHttpLogger(logger));
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.enableShutdownHooks();
  return { app, logger };
}

async function main() {
  let config: AppConfig;
  try {
    config = loadConfig(process.env, devSecretStore(join(process.cwd(), '.parley/dev-secrets.json')));
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const { app, logger } = await createParley(config);
  if (config.generatedSecrets.length) {
    logger.warn(
      `Development secrets generated for ${config.generatedSecrets.join(', ')} (kept in .parley/dev-secrets.json). ` +
        'Set them in the environment before going to production.',
    );
  }
  await app.listen(config.port);
  logger.info(`Parley (${config.role}) is listening on ${config.publicUrl}`);
}

// Only when run as the entry point, not when imported by tests.
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main().catch((error: unknown) => {
    // A setting found wrong only at start-up (a weak ADMIN_PASSWORD) reads like any other.
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  });
}
