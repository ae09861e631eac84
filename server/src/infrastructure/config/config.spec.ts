import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const generated = (name: string) =>
  name === 'ENCRYPTION_KEY' ? 'ab'.repeat(32) : `generated-${name}-0123456789abcdef`;

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env, generated);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('loadConfig', () => {
  it('starts with no configuration at all in development, generating and naming the secrets', () => {
    const config = loadConfig({}, generated);
    expect(config).toMatchObject({
      env: 'development',
      role: 'all',
      port: 3000,
      databaseUrl: 'mysql://root@127.0.0.1:3306/parley',
      redisUrl: 'redis://127.0.0.1:6379',
      publicUrl: 'http://localhost:3000',
      graphApiVersion: 'v25.0',
    });
    expect(config.generatedSecrets).toEqual([
      'JWT_SECRET',
      'ENCRYPTION_KEY',
      'FACEBOOK_APP_SECRET',
      'FACEBOOK_VERIFY_TOKEN',
    ]);
    expect(config.encryptionKey).toHaveLength(32);
  });

  it('names each bad variable and says what is wrong', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      ROLE: 'boss',
      DATABASE_URL: 'postgres://x/y',
      GRAPH_API_VERSION: '25',
      DEMO_DATA: 'maybe',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'PORT: must be a number',
        'ROLE: must be all, api or worker',
        'DATABASE_URL: must be a URL starting with mysql:// or mariadb://',
        'GRAPH_API_VERSION: must look like v25.0',
        'DEMO_DATA: must be true or false',
      ]),
    );
  });

  it('trusts no proxy unless told, and reads hops or addresses', () => {
    expect(loadConfig({}, generated).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }, generated).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'loopback' }, generated).trustProxy).toBe('loopback');
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8,127.0.0.1' }, generated).trustProxy).toBe(
      '10.0.0.0/8,127.0.0.1',
    );
    expect(problemsOf({ TRUST_PROXY: 'everyone' })).toEqual([
      'TRUST_PROXY: must be a number of proxy hops, loopback, linklocal, uniquelocal or a list of addresses',
    ]);
  });

  it('reads the Facebook settings, with their defaults', () => {
    expect(loadConfig({}, generated)).toMatchObject({
      facebookDialogUrl: 'http://127.0.0.1:3001',
      graphApiTimeoutMs: 10_000,
      graphSendPerSecond: 250,
      tokenCheckIntervalMinutes: 60,
      tokenRefreshIntervalMinutes: 360,
      tokenRefreshBeforeDays: 20,
    });
    expect(
      loadConfig(
        {
          GRAPH_API_URL: 'https://graph.facebook.com/',
          FACEBOOK_DIALOG_URL: 'https://www.facebook.com/',
          TOKEN_CHECK_INTERVAL_MINUTES: '15',
          TOKEN_REFRESH_INTERVAL_MINUTES: '60',
          TOKEN_REFRESH_BEFORE_DAYS: '30',
        },
        generated,
      ),
    ).toMatchObject({
      graphApiUrl: 'https://graph.facebook.com',
      facebookDialogUrl: 'https://www.facebook.com',
      tokenCheckIntervalMinutes: 15,
      tokenRefreshIntervalMinutes: 60,
      tokenRefreshBeforeDays: 30,
    });
    expect(loadConfig({ GRAPH_API_URL: 'http://sim:9' }, generated).facebookDialogUrl).toBe('http://sim:9');
    expect(problemsOf({ TOKEN_CHECK_INTERVAL_MINUTES: '0', TOKEN_REFRESH_BEFORE_DAYS: 'soon' })).toEqual([
      'TOKEN_CHECK_INTERVAL_MINUTES: must be between 1 and 1440',
      'TOKEN_REFRESH_BEFORE_DAYS: must be a number',
    ]);
    expect(problemsOf({ GRAPH_SEND_PER_SECOND: '301' })).toEqual([
      'GRAPH_SEND_PER_SECOND: must be between 1 and 300',
    ]);
  });

  it('refuses out-of-range numbers', () => {
    expect(problemsOf({ PORT: '70000' })).toEqual(['PORT: must be between 0 and 65535']);
    expect(problemsOf({ JWT_TTL_SECONDS: '5' })).toEqual(['JWT_TTL_SECONDS: must be between 60 and 2592000']);
  });

  it('refuses a short JWT secret and a wrong-sized encryption key without echoing them', () => {
    const problems = problemsOf({ JWT_SECRET: 'hunter2', ENCRYPTION_KEY: 'c2hvcnQ=' });
    expect(problems).toEqual([
      'JWT_SECRET: must be at least 32 characters',
      'ENCRYPTION_KEY: must be 32 bytes, as 64 hex characters or base64',
    ]);
    expect(problems.join()).not.toContain('hunter2');
  });

  it('requires every secret in production instead of generating it', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    expect(problems).toEqual([
      'JWT_SECRET: is required when NODE_ENV=production',
      'ENCRYPTION_KEY: is required when NODE_ENV=production',
      'FACEBOOK_APP_SECRET: is required when NODE_ENV=production',
      'FACEBOOK_VERIFY_TOKEN: is required when NODE_ENV=production',
    ]);
  });

  it('wants the first admin complete', () => {
    expect(problemsOf({ ADMIN_USERNAME: 'root' })).toEqual([
      'ADMIN_USERNAME and ADMIN_PASSWORD: set both or neither',
    ]);
    expect(problemsOf({ ADMIN_USERNAME: 'root', ADMIN_PASSWORD: 'short' })).toEqual([
      'ADMIN_PASSWORD: must be at least 8 characters',
    ]);
  });

  it('reads given values, treating empty ones as unset', () => {
    const config = loadConfig(
      {
        ROLE: 'worker',
        PORT: '8080',
        PUBLIC_URL: 'https://parley.example.com/',
        ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
        JWT_SECRET: 'x'.repeat(40),
        REDIS_URL: '',
      },
      generated,
    );
    expect(config).toMatchObject({ role: 'worker', port: 8080, publicUrl: 'https://parley.example.com' });
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.encryptionKey.equals(Buffer.alloc(32, 7))).toBe(true);
    expect(config.generatedSecrets).not.toContain('JWT_SECRET');
  });

  it('puts all problems in one readable message', () => {
    let message = '';
    try {
      loadConfig({ PORT: '-1', ROLE: 'x' }, generated);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split('\n')[0]).toBe('Invalid configuration:');
    expect(message).toContain('\n  - PORT: must be between 0 and 65535');
    expect(message).toContain('\n  - ROLE: must be all, api or worker');
  });
  it('allows CORS for no origin by default and for each listed origin when set', () => {
    expect(loadConfig({}, generated).corsOrigins).toEqual([]);
    expect(
      loadConfig({ CORS_ORIGINS: 'https://tools.example.com, http://localhost:4200,' }, generated)
        .corsOrigins,
    ).toEqual(['https://tools.example.com', 'http://localhost:4200']);
  });

  it('refuses CORS origins that are not bare scheme://host[:port] origins', () => {
    for (const value of ['*', 'tools.example.com', 'https://tools.example.com/', 'ftp://x.example']) {
      expect(problemsOf({ CORS_ORIGINS: value }), value).toEqual([
        expect.stringMatching(/^CORS_ORIGINS: ".*" is not an origin; write it as scheme:\/\/host\[:port\]/),
      ]);
    }
  });
});
