import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createConnection } from 'mysql2/promise';
import { loadConfig } from '../../server/src/infrastructure/config/config.js';
import { parseDatabaseUrl } from '../../server/src/infrastructure/database/database.js';
import { createParley } from '../../server/src/main.js';

/** Where the test databases live; each run gets its own database on this server. */
export const TEST_MYSQL = process.env.TEST_DATABASE_SERVER ?? 'mysql://root@127.0.0.1:3306';
export const TEST_REDIS = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const ROOT = join(import.meta.dirname, '../..');

export interface TestEnvironment {
  databaseUrl: string;
  redisPrefix: string;
  env: Record<string, string>;
  /** Drops the database and deletes every Redis key of the run. */
  cleanup(): Promise<void>;
}

/** A fresh database name and Redis prefix, with the environment a Parley process needs to use them. */
export function testEnvironment(extra: Record<string, string> = {}): TestEnvironment {
  const id = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const databaseUrl = `${TEST_MYSQL}/parley_test_${id}`;
  const redisPrefix = `parley-test-${id}`;
  const env = {
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    REDIS_URL: TEST_REDIS,
    REDIS_PREFIX: redisPrefix,
    PORT: '0',
    LOG_LEVEL: 'warn',
    JWT_SECRET: randomBytes(32).toString('hex'),
    ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    FACEBOOK_APP_SECRET: randomBytes(16).toString('hex'),
    FACEBOOK_VERIFY_TOKEN: randomBytes(8).toString('hex'),
    ADMIN_USERNAME: 'admin',
    ADMIN_PASSWORD: 'maple-harbor-train',
    CLIENT_DIR: join(ROOT, 'dist/client/browser'),
    ...extra,
  };
  return {
    databaseUrl,
    redisPrefix,
    env,
    async cleanup() {
      await dropDatabase(databaseUrl);
      await deleteRedisKeys(redisPrefix);
    },
  };
}

export async function dropDatabase(url: string) {
  const { database, ...server } = parseDatabaseUrl(url);
  const connection = await createConnection(server);
  try {
    await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
  } finally {
    await connection.end();
  }
}

export async function deleteRedisKeys(prefix: string) {
  const redis = new Redis(TEST_REDIS);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export interface TestServer {
  baseUrl: string;
  wsUrl: string;
  adminUsername: string;
  adminPassword: string;
  environment: TestEnvironment;
  app: Awaited<ReturnType<typeof createParley>>['app'];
  stop(): Promise<void>;
}

/** Boots the real server in this process on a fresh database; stop() shuts it down and drops the database. */
export async function startTestServer(
  opts: {
    env?: Record<string, string>;
    /** A fixed port, when PUBLIC_URL must name it beforehand. */ port?: number;
  } = {},
): Promise<TestServer> {
  const environment = testEnvironment(opts.env);
  const config = loadConfig(environment.env);
  const { app } = await createParley(config);
  await app.listen(opts.port ?? 0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    adminUsername: environment.env.ADMIN_USERNAME,
    adminPassword: environment.env.ADMIN_PASSWORD,
    environment,
    app,
    async stop() {
      await app.close();
      await environment.cleanup();
    },
  };
}
