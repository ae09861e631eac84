import 'reflect-metadata';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DestinationStream } from 'pino';
import { type AppConfig, ConfigError, loadConfig } from './infrastructure/config/config.js';
import { devSecretStore } from './infrastructure/config/dev-secrets.js';
import { corsOptions, securityHeaders } from './infrastructure/http/security.js';
import { createHttpLogger, createRootLogger, PinoNestLogger } from './infrastructure/logging/logger.js';
import { webhookBody } from './messenger/webhook-body.js';
import { assertServicesReachable, ServiceUnreachableError } from './infrastructure/startup/reachability.js';

/** Builds the Nest application for a configuration (also used by the integration tests). */
export async function createParley(config: AppConfig, options: { logStream?: DestinationStream } = {}) {
  const logger = createRootLogger(config.logLevel, options.logStream);
  // Loaded here, not at the top: a start that cannot reach Redis or MySQL fails before paying the
  // seconds of CPU that Nest and every module take to load.
  const [{ NestFactory }, { AppModule }] = await Promise.all([
    import('@nestjs/core'),
    import('./app.module.js'),
  ]);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger: new PinoNestLogger(logger),
    // Webhook signatures are checked over the exact bytes Facebook sent.
    rawBody: true,
  });
  app.use(createHttpLogger(logger));
  // Before Nest's own parsers: the webhook's raw bytes, up to 1 MB, for its signature check.
  app.use('/webhooks/messenger', webhookBody());
  app.use(securityHeaders(config));
  const cors = corsOptions(config);
  if (cors) app.enableCors(cors);
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
  try {
    await assertServicesReachable(config);
  } catch (error) {
    if (error instanceof ServiceUnreachableError) {
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

/** Compares real paths: Node resolves a symlinked entry to its target, but argv keeps the link. */
function isEntryPoint(): boolean {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

// Only when run as the entry point, not when imported by tests.
if (isEntryPoint()) {
  main().catch((error: unknown) => {
    // A setting found wrong only at start-up (a weak ADMIN_PASSWORD) reads like any other.
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  });
}
