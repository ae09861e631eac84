import { DataSource } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/src/infrastructure/config/config.js';
import { createParley } from '../../server/src/main.js';
import { testEnvironment } from '../support/server.js';

// Its own file: a server that failed to start shares nothing with one that runs.
describe('the first admin', () => {
  it('refuses to start with a weak ADMIN_PASSWORD on an empty database, saying which setting', async () => {
    const environment = testEnvironment({ ADMIN_USERNAME: 'root.admin', ADMIN_PASSWORD: 'password-123' });
    const { app } = await createParley(loadConfig(environment.env));
    try {
      await expect(app.init()).rejects.toThrow(
        /ADMIN_PASSWORD: is too easy to guess\..*\(it becomes the password of the first admin "root\.admin"\)/,
      );
      const [{ users }] = await app.get(DataSource).query('SELECT COUNT(*) AS users FROM users');
      expect(Number(users)).toBe(0);
    } finally {
      await app.close().catch(() => undefined);
      await environment.cleanup();
    }
  });
});
