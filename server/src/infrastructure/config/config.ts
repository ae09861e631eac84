import { z } from 'zod';

/**
 * Every setting Parley reads, validated once at boot (docs/operations.md#configuration).
 * A bad variable stops the start with its name and what is wrong; secret values are never echoed.
 */
export type ServerRole = 'all' | 'api' | 'worker';

export interface AppConfig {
  env: 'development' | 'production' | 'test';
  role: ServerRole;
  port: number;
  databaseUrl: string;
  redisUrl: string;
  /** Namespaces every Redis key and channel, so several Parleys (or test runs) can share one Redis. */
  redisPrefix: string;
  publicUrl: string;
  graphApiUrl: string;
  graphApiVersion: string;
  facebookAppId: string;
  facebookAppSecret: string;
  facebookVerifyToken: string;
  /** Where the Facebook login dialog is (https://www.facebook.com for Meta; the simulator serves it itself). */
  facebookDialogUrl: string;
  /** How long one Graph API call may take before it counts as Facebook unreachable. */
  graphApiTimeoutMs: number;
  /** Send API calls per second per page, shared by every instance (Meta allows 300). */
  graphSendPerSecond: number;
  /** How often the token health job checks every connected page. */
  tokenCheckIntervalMinutes: number;
  /** How often the token refresh job looks for user tokens close to expiry. */
  tokenRefreshIntervalMinutes: number;
  /** A user token that expires within this many days is renewed. */
  tokenRefreshBeforeDays: number;
  /** An agent whose last socket closed goes OFFLINE after this long, unless a socket reconnects. */
  presenceGraceSeconds: number;
  /**
   * How often each instance says it is alive (PRESENCE_HEARTBEAT_SECONDS); one silent for three
   * beats is taken as crashed and its agents' sockets as closed.
   */
  presenceHeartbeatSeconds: number;
  /** Where attachment bytes are kept (relative to the working directory unless absolute). */
  attachmentsDir: string;
  /** The largest attachment kept or accepted, in bytes (ATTACHMENT_MAX_MB; Messenger allows 25 MB). */
  attachmentMaxBytes: number;
  /** An offer not accepted within this long is withdrawn and the interaction routed again without that agent. */
  offerTimeoutSeconds: number;
  /**
   * A job's lock lasts this long and is renewed at half of it while the job runs; a worker that died
   * (crash, kill -9) stops renewing, and after up to twice this long another worker takes its
   * active jobs back (BullMQ's lockDuration and stalledInterval). 30 is BullMQ's default.
   */
  jobLockSeconds: number;
  /**
   * A reply whose Send API call may have reached Facebook (no answer: timeout, crash) is not sent
   * again before this long, so that its echo can mark it SENT instead (docs/messenger.md#sending).
   */
  outboundEchoWaitSeconds: number;
  /** A PENDING webhook delivery older than this has lost its job: the delivery sweep enqueues it again. */
  deliverySweepAfterSeconds: number;
  /** PROCESSED webhook deliveries are deleted this many days after processing (FAILED ones are kept). */
  deliveryRetentionDays: number;
  jwtSecret: string;
  jwtTtlSeconds: number;
  /** 32 bytes for AES-256-GCM. */
  encryptionKey: Buffer;
  adminUsername?: string;
  adminPassword?: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  demoData: boolean;
  /** Built Angular client served at `/`; absent means API only. */
  clientDir?: string;
  /** Where the emitted GraphQL schema is written (development and tests); undefined keeps it in memory. */
  schemaFile?: string;
  /**
   * Express `trust proxy`: behind a reverse proxy the client address (used by the sign-in rate
   * limit) comes from X-Forwarded-For only for the hops trusted here.
   */
  trustProxy: number | string | false;
  /** Browser origins allowed to call the API cross-origin (CORS); empty sends no CORS headers. */
  corsOrigins: string[];
  /** Names of the secrets that were generated for development because they were not set. */
  generatedSecrets: string[];
}

/** Secrets that development may generate when unset; production must set them. */
export const GENERATED_IN_DEVELOPMENT = [
  'JWT_SECRET',
  'ENCRYPTION_KEY',
  'FACEBOOK_APP_SECRET',
  'FACEBOOK_VERIFY_TOKEN',
] as const;
export type GeneratedSecretName = (typeof GENERATED_IN_DEVELOPMENT)[number];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const urlWithProtocol = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );

/** A whole number from min to max; the message names the range (written plainly, e.g. 2592000). */
const wholeNumber = (min: number, max: number) =>
  z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(min, `must be between ${min} and ${max}`)
    .max(max, `must be between ${min} and ${max}`);

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const encryptionKey = z.string().transform((value, ctx) => {
  const key = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  if (key.length !== 32) {
    ctx.addIssue({ code: 'custom', message: 'must be 32 bytes, as 64 hex characters or base64' });
    return z.NEVER;
  }
  return key;
});

/** `https://a.example,http://localhost:4200`: each item a bare origin (scheme, host, optional port). */
const originList = z.string().transform((value, ctx) => {
  const origins = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  for (const origin of origins) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== origin) {
      ctx.addIssue({
        code: 'custom',
        message: `"${origin}" is not an origin; write it as scheme://host[:port], e.g. https://tools.example.com`,
      });
      return z.NEVER;
    }
  }
  return origins;
});

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  ROLE: z.enum(['all', 'api', 'worker'], { message: 'must be all, api or worker' }).default('all'),
  PORT: wholeNumber(0, 65535).default(3000),
  DATABASE_URL: urlWithProtocol(['mysql:', 'mariadb:']).default('mysql://root@127.0.0.1:3306/parley'),
  REDIS_URL: urlWithProtocol(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,40}$/, 'must be 1 to 40 letters, digits, "_" or "-"')
    .default('parley'),
  PUBLIC_URL: urlWithProtocol(['http:', 'https:']).optional(),
  GRAPH_API_URL: urlWithProtocol(['http:', 'https:']).default('http://127.0.0.1:3001'),
  GRAPH_API_VERSION: z
    .string()
    .regex(/^v\d+\.\d+$/, 'must look like v25.0')
    .default('v25.0'),
  FACEBOOK_APP_ID: z
    .string()
    .regex(/^\d{1,20}$/, 'must be the numeric Meta app id')
    .default('100000000000001'),
  FACEBOOK_DIALOG_URL: urlWithProtocol(['http:', 'https:']).optional(),
  GRAPH_API_TIMEOUT_MS: wholeNumber(1000, 120000).default(10000),
  GRAPH_SEND_PER_SECOND: wholeNumber(1, 300).default(250),
  TOKEN_CHECK_INTERVAL_MINUTES: wholeNumber(1, 1440).default(60),
  TOKEN_REFRESH_INTERVAL_MINUTES: wholeNumber(5, 10080).default(360),
  TOKEN_REFRESH_BEFORE_DAYS: wholeNumber(1, 365).default(20),
  PRESENCE_GRACE_SECONDS: wholeNumber(0, 600).default(30),
  PRESENCE_HEARTBEAT_SECONDS: wholeNumber(1, 300).default(10),
  ATTACHMENTS_DIR: z.string().default('.parley/attachments'),
  ATTACHMENT_MAX_MB: wholeNumber(1, 25).default(25),
  OFFER_TIMEOUT_SECONDS: wholeNumber(1, 3600).default(30),
  JOB_LOCK_SECONDS: wholeNumber(2, 600).default(30),
  DELIVERY_SWEEP_AFTER_SECONDS: wholeNumber(1, 3600).default(30),
  DELIVERY_RETENTION_DAYS: wholeNumber(1, 3650).default(7),
  OUTBOUND_ECHO_WAIT_SECONDS: wholeNumber(1, 3600).default(60),
  FACEBOOK_APP_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  FACEBOOK_VERIFY_TOKEN: z.string().min(8, 'must be at least 8 characters').optional(),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_TTL_SECONDS: wholeNumber(60, 2_592_000).default(43_200),
  ENCRYPTION_KEY: encryptionKey.optional(),
  ADMIN_USERNAME: z
    .string()
    .regex(/^[A-Za-z0-9._-]{3,50}$/, 'must be 3 to 50 letters, digits, ".", "_" or "-"')
    .optional(),
  ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').max(200).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DEMO_DATA: booleanFlag.default(false),
  TRUST_PROXY: z
    .string()
    .regex(
      /^(\d{1,2}|loopback|linklocal|uniquelocal|[\d.:/a-fA-F]+(,[\d.:/a-fA-F]+)*)$/,
      'must be a number of proxy hops, loopback, linklocal, uniquelocal or a list of addresses',
    )
    .optional(),
  CORS_ORIGINS: originList.optional(),
  CLIENT_DIR: z.string().optional(),
  SCHEMA_FILE: z.string().optional(),
});

/**
 * Validates the environment. `generateSecret` supplies development secrets that are not set
 * (production refuses to start without them).
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  generateSecret: (name: GeneratedSecretName) => string = () => {
    throw new Error('no development secrets available');
  },
): AppConfig {
  // Empty strings count as unset: `FOO= npm start` should mean "use the default".
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`),
    );
  }
  const v = parsed.data;
  const problems: string[] = [];
  const generatedSecrets: string[] = [];
  const secret = (name: GeneratedSecretName, value: string | undefined): string | undefined => {
    if (value !== undefined) return value;
    if (v.NODE_ENV === 'production') {
      problems.push(`${name}: is required when NODE_ENV=production`);
      return undefined;
    }
    generatedSecrets.push(name);
    return generateSecret(name);
  };
  if ((v.ADMIN_USERNAME === undefined) !== (v.ADMIN_PASSWORD === undefined)) {
    problems.push('ADMIN_USERNAME and ADMIN_PASSWORD: set both or neither');
  }
  const jwtSecret = secret('JWT_SECRET', v.JWT_SECRET);
  const rawKey = v.ENCRYPTION_KEY ?? secret('ENCRYPTION_KEY', undefined);
  const appSecret = secret('FACEBOOK_APP_SECRET', v.FACEBOOK_APP_SECRET);
  const verifyToken = secret('FACEBOOK_VERIFY_TOKEN', v.FACEBOOK_VERIFY_TOKEN);
  let key: Buffer | undefined;
  if (typeof rawKey === 'string') {
    const checked = encryptionKey.safeParse(rawKey);
    if (checked.success) key = checked.data;
    else problems.push('ENCRYPTION_KEY: generated key is not 32 bytes');
  } else key = rawKey;
  if (problems.length) throw new ConfigError(problems);

  return {
    env: v.NODE_ENV,
    role: v.ROLE,
    port: v.PORT,
    databaseUrl: v.DATABASE_URL,
    redisUrl: v.REDIS_URL,
    redisPrefix: v.REDIS_PREFIX,
    publicUrl: (v.PUBLIC_URL ?? `http://localhost:${v.PORT}`).replace(/\/+$/, ''),
    graphApiUrl: v.GRAPH_API_URL.replace(/\/+$/, ''),
    graphApiVersion: v.GRAPH_API_VERSION,
    facebookAppId: v.FACEBOOK_APP_ID,
    facebookAppSecret: appSecret!,
    facebookVerifyToken: verifyToken!,
    facebookDialogUrl: (v.FACEBOOK_DIALOG_URL ?? v.GRAPH_API_URL).replace(/\/+$/, ''),
    graphApiTimeoutMs: v.GRAPH_API_TIMEOUT_MS,
    graphSendPerSecond: v.GRAPH_SEND_PER_SECOND,
    tokenCheckIntervalMinutes: v.TOKEN_CHECK_INTERVAL_MINUTES,
    tokenRefreshIntervalMinutes: v.TOKEN_REFRESH_INTERVAL_MINUTES,
    tokenRefreshBeforeDays: v.TOKEN_REFRESH_BEFORE_DAYS,
    presenceGraceSeconds: v.PRESENCE_GRACE_SECONDS,
    presenceHeartbeatSeconds: v.PRESENCE_HEARTBEAT_SECONDS,
    attachmentsDir: v.ATTACHMENTS_DIR,
    attachmentMaxBytes: v.ATTACHMENT_MAX_MB * 1024 * 1024,
    offerTimeoutSeconds: v.OFFER_TIMEOUT_SECONDS,
    jobLockSeconds: v.JOB_LOCK_SECONDS,
    deliverySweepAfterSeconds: v.DELIVERY_SWEEP_AFTER_SECONDS,
    deliveryRetentionDays: v.DELIVERY_RETENTION_DAYS,
    outboundEchoWaitSeconds: v.OUTBOUND_ECHO_WAIT_SECONDS,
    jwtSecret: jwtSecret!,
    jwtTtlSeconds: v.JWT_TTL_SECONDS,
    encryptionKey: key!,
    adminUsername: v.ADMIN_USERNAME,
    adminPassword: v.ADMIN_PASSWORD,
    logLevel: v.LOG_LEVEL,
    demoData: v.DEMO_DATA,
    clientDir: v.CLIENT_DIR,
    trustProxy:
      v.TRUST_PROXY === undefined
        ? false
        : /^\d+$/.test(v.TRUST_PROXY)
          ? Number(v.TRUST_PROXY)
          : v.TRUST_PROXY,
    schemaFile: v.SCHEMA_FILE,
    corsOrigins: v.CORS_ORIGINS ?? [],
    generatedSecrets,
  };
}

export const rolesIncludeApi = (role: ServerRole) => role === 'all' || role === 'api';
export const rolesIncludeWorker = (role: ServerRole) => role === 'all' || role === 'worker';
