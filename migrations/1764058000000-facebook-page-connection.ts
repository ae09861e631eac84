import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Facebook page connection: one page belongs to at most one campaign (a unique index, so races
 * end in a duplicate-key error rather than two campaigns on one page), when and how it was
 * connected, and its tokens in a table of their own so reading campaigns never carries secrets.
 * Tokens are stored sealed (AES-256-GCM, `v1:iv:tag:ciphertext`), never in plain text.
 */
export class FacebookPageConnection1764058000000 implements MigrationInterface {
  name = 'FacebookPageConnection1764058000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE campaigns
        ADD COLUMN pageConnectedAt DATETIME(3) NULL AFTER pageName,
        ADD COLUMN pageConnectedThrough ENUM('POPUP','PAGE_TOKEN') NULL AFTER pageConnectedAt,
        DROP INDEX IDX_campaigns_pageId,
        ADD UNIQUE KEY UQ_campaigns_pageId (pageId)`);
    await q.query(`
      CREATE TABLE campaign_page_tokens (
        campaignId CHAR(36) NOT NULL,
        pageTokenCiphertext VARCHAR(2000) NOT NULL,
        userTokenCiphertext VARCHAR(2000) NULL,
        userTokenExpiresAt DATETIME(3) NULL,
        connectedByUserId CHAR(36) NULL,
        createdAt DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        updatedAt DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
        PRIMARY KEY (campaignId),
        KEY IDX_campaign_page_tokens_userTokenExpiresAt (userTokenExpiresAt),
        CONSTRAINT FK_campaign_page_tokens_campaign FOREIGN KEY (campaignId) REFERENCES campaigns (id) ON DELETE CASCADE,
        CONSTRAINT FK_campaign_page_tokens_user FOREIGN KEY (connectedByUserId) REFERENCES users (id) ON DELETE SET NULL
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE campaign_page_tokens');
    await q.query(`
      ALTER TABLE campaigns
        DROP INDEX UQ_campaigns_pageId,
        ADD KEY IDX_campaigns_pageId (pageId),
        DROP COLUMN pageConnectedThrough,
        DROP COLUMN pageConnectedAt`);
  }
}
