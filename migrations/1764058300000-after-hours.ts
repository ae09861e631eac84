import type { MigrationInterface, QueryRunner } from 'typeorm';

/** When a conversation last got the after-hours message: it gets it once per day in the campaign's zone. */
export class AfterHours1764058300000 implements MigrationInterface {
  name = 'AfterHours1764058300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE interactions ADD COLUMN afterHoursSentAt DATETIME(3) NULL');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE interactions DROP COLUMN afterHoursSentAt');
  }
}
