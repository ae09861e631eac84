import { createConnection, createPool, type Pool } from 'mysql2/promise';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { ALL_MIGRATIONS } from '../../../../migrations/index.js';

/** Splits `mysql://user:pass@host:port/db` into connection settings and the database name. */
export function parseDatabaseUrl(url: string) {
  const u = new URL(url);
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]{1,64}$/.test(database)) {
    throw new Error('DATABASE_URL: the database name must be 1 to 64 letters, digits or "_"');
  }
  // `?socket=/run/mysqld/mysqld.sock`: MariaDB on this machine through its Unix socket, which
  // costs less per query than TCP over loopback (host and port are then ignored).
  const socketPath = u.searchParams.get('socket') || undefined;
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database,
    ...(socketPath ? { socketPath } : {}),
  };
}

/** Creates the database on first start, so a fresh machine needs no manual step. */
export async function ensureDatabase(url: string): Promise<void> {
  const { database, ...server } = parseDatabaseUrl(url);
  const connection = await createConnection(server);
  try {
    await connection.query(
      `CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } finally {
    await connection.end();
  }
}

export function dataSourceOptions(url: string): DataSourceOptions {
  const { socketPath } = parseDatabaseUrl(url);
  const withoutQuery = new URL(url);
  withoutQuery.search = '';
  return {
    type: 'mysql',
    url: withoutQuery.toString(),
    ...(socketPath ? { socketPath } : {}),
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z',
    synchronize: false,
    migrationsRun: false,
    migrations: ALL_MIGRATIONS,
    migrationsTableName: 'migrations',
    // BIGINT and DECIMAL as strings would surprise callers doing arithmetic; our ids are UUIDs.
    supportBigNumbers: true,
    bigNumberStrings: false,
    extra: { connectionLimit: 10 },
  };
}

/**
 * Opens the data source with every session in UTC, so database defaults (CURRENT_TIMESTAMP) and the
 * dates the app writes agree whatever zone the database server runs in.
 */
/**
 * Every session of the shared pool: UTC, and READ COMMITTED as its default isolation, the level of
 * the hot paths (ingest, routing), which then start a transaction in one statement instead of two.
 * Transactions.run names REPEATABLE READ for every other transaction, as MySQL's default was.
 */
const SESSION_SETTINGS = [
  "SET time_zone = '+00:00'",
  'SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED',
];

export async function openDataSource(options: DataSourceOptions): Promise<DataSource> {
  const dataSource = await new DataSource(options).initialize();
  const pool = (
    dataSource.driver as unknown as { pool: { on(event: 'connection', fn: (c: UtcSession) => void): void } }
  ).pool;
  pool.on('connection', (connection) => {
    for (const statement of SESSION_SETTINGS) void connection.query(statement);
  });
  // The one connection opened by initialize() predates the hook; it is the only free one now.
  for (const statement of SESSION_SETTINGS) await dataSource.query(statement);
  return dataSource;
}
type UtcSession = { query(sql: string): unknown };

/**
 * A small pool of its own, with the data source's settings and UTC sessions: for a statement that
 * must never queue for a connection behind the rest of the process (the webhook's acknowledgement).
 * Connections open on demand; `end()` closes them.
 */
export function openPool(url: string, connectionLimit: number): Pool {
  const pool = createPool({
    ...parseDatabaseUrl(url),
    connectionLimit,
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z',
    supportBigNumbers: true,
    bigNumberStrings: false,
  });
  pool.on('connection', (connection: UtcSession) => void connection.query("SET time_zone = '+00:00'"));
  return pool;
}

/**
 * Runs pending migrations under a MySQL named lock: several instances starting together
 * apply each migration once, the others wait and find nothing left to do.
 */
export async function runMigrationsExclusively(dataSource: DataSource): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    const [row] = (await runner.query(`SELECT GET_LOCK('parley_migrations', 120) AS got`)) as {
      got: number;
    }[];
    if (Number(row?.got) !== 1)
      throw new Error('Timed out waiting for another instance to finish migrations');
    try {
      await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await runner.query(`SELECT RELEASE_LOCK('parley_migrations')`);
    }
  } finally {
    await runner.release();
  }
}
