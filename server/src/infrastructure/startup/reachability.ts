import { Redis } from 'ioredis';
import { createConnection } from 'mysql2/promise';
import type { AppConfig } from '../config/config.js';

/** How long the start waits for Redis or MySQL to answer before giving up. */
export const REACHABILITY_TIMEOUT_MS = 3_000;

/**
 * Redis or MySQL cannot be used. The message is one line naming the service, the variable and the
 * address (never its password), and how to start a local instance.
 */
export class ServiceUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServiceUnreachableError';
  }
}

/** The URL as it may be printed: any password is removed. */
export function withoutPassword(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(unparseable URL)';
  }
}

const reasonOf = (error: unknown): string => {
  if (error instanceof AggregateError && error.errors.length) return reasonOf(error.errors[0]);
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown })?.code;
  const reason = message || (typeof code === 'string' ? code : 'no answer');
  return reason.replace(/\s+/g, ' ').trim().replace(/\.+$/, '');
};

/** Opens one Redis connection without retries and pings it. */
export async function checkRedis(url: string, timeoutMs = REACHABILITY_TIMEOUT_MS): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    // The PING below is the check; ioredis's own INFO ready check would add its own wait.
    enableReadyCheck: false,
    retryStrategy: () => null,
  });
  // The failure is reported once below; without a listener ioredis prints every error with its stack.
  let connectionError: unknown;
  redis.on('error', (error: unknown) => (connectionError ??= error));
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    await Promise.race([redis.connect().then(() => redis.ping()), deadline]);
  } catch (error) {
    // connect() rejects with a bare "Connection is closed"; the socket's error says why.
    const cause = connectionError ?? error;
    const port = new URL(url).port || '6379';
    throw new ServiceUnreachableError(
      `Redis at ${withoutPassword(url)} (REDIS_URL) cannot be reached: ${reasonOf(cause)}. ` +
        `Start it with: redis-server --daemonize yes --bind 127.0.0.1 --port ${port} --save "" --appendonly no`,
    );
  } finally {
    clearTimeout(timer);
    redis.disconnect();
  }
}

/** Signs in to the MySQL server once (the database itself is created later if missing). */
export async function checkMysql(url: string, timeoutMs = REACHABILITY_TIMEOUT_MS): Promise<void> {
  // Parsed here rather than with database.ts, which would load TypeORM before the check.
  const u = new URL(url);
  const server = {
    host: u.hostname,
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
  };
  try {
    const connection = await createConnection({ ...server, connectTimeout: timeoutMs });
    await connection.end();
  } catch (error) {
    const code = (error as { code?: unknown })?.code;
    const denied = code === 'ER_ACCESS_DENIED_ERROR' || code === 'ER_DBACCESS_DENIED_ERROR';
    throw new ServiceUnreachableError(
      denied
        ? `MySQL at ${withoutPassword(url)} (DATABASE_URL) refused the sign-in: ${reasonOf(error)}. ` +
            'Check the user and password in DATABASE_URL.'
        : `MySQL at ${withoutPassword(url)} (DATABASE_URL) cannot be reached: ${reasonOf(error)}. ` +
            'Start it with: start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd',
    );
  }
}

/**
 * Checked before Nest builds the app: a missing Redis or MySQL stops the start within seconds with
 * one line each, instead of modules retrying for ever.
 */
export async function assertServicesReachable(config: Pick<AppConfig, 'redisUrl' | 'databaseUrl'>) {
  const results = await Promise.allSettled([checkRedis(config.redisUrl), checkMysql(config.databaseUrl)]);
  const problems = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (!problems.length) return;
  const unexpected = problems.find((p) => !(p instanceof ServiceUnreachableError));
  if (unexpected) throw unexpected;
  throw new ServiceUnreachableError(problems.map((p) => (p as Error).message).join('\n'));
}
