import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sending replies safely (docs/messenger.md#sending). `sentParts`: how many of a message's Send API
 * calls Facebook accepted (its text first, then each attachment), so a retry resumes after them.
 * `sendingSince`: when a worker claimed the message to call Facebook; while that claim is fresh no
 * other worker sends it, and after a crash the echo has that long to arrive before a re-send. The
 * index finds a page's PENDING replies when its token works again.
 */
export class OutboundSending1764058600000 implements MigrationInterface {
  name = 'OutboundSending1764058600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE messages
        ADD COLUMN sentParts TINYINT UNSIGNED NOT NULL DEFAULT 0 AFTER status,
        ADD COLUMN sendingSince DATETIME(3) NULL AFTER sentParts,
        ADD KEY IDX_messages_status_page_sentAt (status, pageId, sentAt)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE messages
        DROP INDEX IDX_messages_status_page_sentAt,
        DROP COLUMN sendingSince,
        DROP COLUMN sentParts`);
  }
}
