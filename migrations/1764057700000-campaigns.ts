import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Campaigns with their canned responses and members, and the first columns of interactions: the
 * table exists now so a campaign with history cannot be deleted (a later migration extends it).
 */
export class Campaigns1764057700000 implements MigrationInterface {
  name = 'Campaigns1764057700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE campaigns (
        id CHAR(36) NOT NULL,
        name VARCHAR(100) NOT NULL,
        channel ENUM('MESSENGER','VOICE') NOT NULL DEFAULT 'MESSENGER',
        enabled TINYINT(1) NOT NULL DEFAULT 1,
        serviceLevelTarget INT NOT NULL DEFAULT 80,
        strategy ENUM('RINGALL','LEASTRECENT','FEWESTCALLS','RANDOM','RRMEMORY','LINEAR','WRANDOM','MANUAL')
          NOT NULL DEFAULT 'RRMEMORY',
        timezone VARCHAR(64) NOT NULL,
        schedule JSON NOT NULL,
        serviceLevelSeconds INT NOT NULL DEFAULT 30,
        dropoutSeconds INT NOT NULL DEFAULT 300,
        chatTimeSeconds INT NOT NULL DEFAULT 900,
        acdMaxWaiting INT NOT NULL DEFAULT 10,
        maxInteractionsPerAgent INT NOT NULL DEFAULT 3,
        afterHoursMessage VARCHAR(2000) NULL,
        pageId VARCHAR(64) NULL,
        pageName VARCHAR(200) NULL,
        tokenStatus ENUM('NOT_CONNECTED','ACTIVE','INACTIVE') NOT NULL DEFAULT 'NOT_CONNECTED',
        tokenCheckedAt DATETIME(3) NULL,
        tokenError VARCHAR(1000) NULL,
        createdAt DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        updatedAt DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
        PRIMARY KEY (id),
        UNIQUE KEY UQ_campaigns_name (name),
        KEY IDX_campaigns_pageId (pageId)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await q.query(`
      CREATE TABLE canned_responses (
        id CHAR(36) NOT NULL,
        campaignId CHAR(36) NOT NULL,
        position INT NOT NULL,
        title VARCHAR(100) NOT NULL,
        text VARCHAR(2000) NOT NULL,
        createdAt DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        updatedAt DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
        PRIMARY KEY (id),
        KEY IDX_canned_responses_campaign_position (campaignId, position),
        CONSTRAINT FK_canned_responses_campaign FOREIGN KEY (campaignId) REFERENCES campaigns (id) ON DELETE CASCADE
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await q.query(`
      CREATE TABLE campaign_members (
        id CHAR(36) NOT NULL,
        campaignId CHAR(36) NOT NULL,
        userId CHAR(36) NOT NULL,
        penalty INT NOT NULL DEFAULT 0,
        position INT NOT NULL,
        createdAt DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        updatedAt DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
        PRIMARY KEY (id),
        UNIQUE KEY UQ_campaign_members_campaign_user (campaignId, userId),
        KEY IDX_campaign_members_user (userId),
        CONSTRAINT FK_campaign_members_campaign FOREIGN KEY (campaignId) REFERENCES campaigns (id) ON DELETE CASCADE,
        CONSTRAINT FK_campaign_members_user FOREIGN KEY (userId) REFERENCES users (id) ON DELETE CASCADE
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    // RESTRICT: history is never lost by deleting its campaign; the service says so first, this is the backstop.
    await q.query(`
      CREATE TABLE interactions (
        id CHAR(36) NOT NULL,
        campaignId CHAR(36) NOT NULL,
        status ENUM('QUEUED','OFFERED','ACTIVE','CLOSED','ABANDONED') NOT NULL DEFAULT 'QUEUED',
        createdAt DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        updatedAt DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
        PRIMARY KEY (id),
        KEY IDX_interactions_campaign_status (campaignId, status),
        CONSTRAINT FK_interactions_campaign FOREIGN KEY (campaignId) REFERENCES campaigns (id) ON DELETE RESTRICT
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE interactions');
    await q.query('DROP TABLE campaign_members');
    await q.query('DROP TABLE canned_responses');
    await q.query('DROP TABLE campaigns');
  }
}
