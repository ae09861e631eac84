import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Access tokens carry the user's session version; bumping it signs every session out. */
export class UserSessionVersion1764057800000 implements MigrationInterface {
  name = 'UserSessionVersion1764057800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE users ADD COLUMN sessionVersion INT NOT NULL DEFAULT 0');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE users DROP COLUMN sessionVersion');
  }
}
