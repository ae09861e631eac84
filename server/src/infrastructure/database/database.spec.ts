import { describe, expect, it } from 'vitest';
import { dataSourceOptions, parseDatabaseUrl } from './database.js';

describe('DATABASE_URL', () => {
  it('names host, port, user, password and database', () => {
    expect(parseDatabaseUrl('mysql://parley:s%40cret@db.internal:3307/parley')).toEqual({
      host: 'db.internal',
      port: 3307,
      user: 'parley',
      password: 's@cret',
      database: 'parley',
    });
  });

  it('reaches MariaDB through its Unix socket with ?socket=', () => {
    const url = 'mysql://root@127.0.0.1/parley?socket=/run/mysqld/mysqld.sock';
    expect(parseDatabaseUrl(url)).toMatchObject({
      database: 'parley',
      socketPath: '/run/mysqld/mysqld.sock',
    });
    const options = dataSourceOptions(url) as { url: string; socketPath?: string };
    expect(options.socketPath).toBe('/run/mysqld/mysqld.sock');
    // TypeORM reads the database name from the URL: the query must not become part of it.
    expect(options.url).toBe('mysql://root@127.0.0.1/parley');
  });

  it('refuses a database name that is not plain letters, digits or _', () => {
    expect(() => parseDatabaseUrl('mysql://root@127.0.0.1/par-ley')).toThrow(/database name/);
  });
});
