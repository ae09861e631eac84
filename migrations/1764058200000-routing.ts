import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Routing: per-campaign routing state (the row every routing transaction locks first, and
 * RRMEMORY's memory), the offers made to agents, the record of every decision, and the agents
 * excluded from an interaction because they let its offer time out. See docs/routing.md.
 */
export class Routing1764058200000 implements MigrationInterface {
  name = 'Routing1764058200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE campaign_routing_state (
        campaignId CHAR(36) NOT NULL,
        lastAssignedUserId CHAR(36) NULL,
        lastAssignedPosition INT NULL,
        updatedAt DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
        PRIMARY KEY (campaignId),
        CONSTRAINT FK_routing_state_campaign FOREIGN KEY (campaignId) REFERENCES campaigns (id) ON DELETE CASCADE
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await q.query(`
      CREATE TABLE interaction_offers (
        id CHAR(36) NOT NULL,
        interactionId CHAR(36) NOT NULL,
        campaignId CHAR(36) NOT NULL,
        userId CHAR(36) NOT NULL,
        status ENUM('PENDING','ACCEPTED','REVOKED','EXPIRED') NOT NULL DEFAULT 'PENDING',
        offeredAt DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        expiresAt DATETIME(3) NOT NULL,
        endedAt DATETIME(3) NULL,
        PRIMARY KEY (id),
        KEY IDX_offers_campaign_user_status (campaignId, userId, status),
        KEY IDX_offers_interaction_status (interactionId, status),
        KEY IDX_offers_status_expires (status, expiresAt),
        CONSTRAINT FK_offers_interaction FOREIGN KEY (interactionId) REFERENCES interactions (id) ON DELETE CASCADE,
        CONSTRAINT FK_offers_user FOREIGN KEY (userId) REFERENCES users (id) ON DELETE CASCADE
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await q.query(`
      CREATE TABLE routing_decisions (
        id CHAR(36) NOT NULL,
        interactionId CHAR(36) NOT NULL,
        campaignId CHAR(36) NOT NULL,
        strategy VARCHAR(20) NOT NULL,
        candidates JSON NOT NULL,
        chosenUserIds JSON NOT NULL,
        reason VARCHAR(1000) NOT NULL,
        decidedAt DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        PRIMARY KEY (id),
        KEY IDX_routing_decisions_interaction (interactionId, decidedAt),
        CONSTRAINT FK_routing_decisions_interaction FOREIGN KEY (interactionId) REFERENCES interactions (id) ON DELETE CASCADE
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await q.query(
      'ALTER TABLE interactions ADD COLUMN excludedUserIds JSON NULL AFTER lastCustomerMessageAt',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE interactions DROP COLUMN excludedUserIds');
    await q.query('DROP TABLE routing_decisions');
    await q.query('DROP TABLE interaction_offers');
    await q.query('DROP TABLE campaign_routing_state');
  }
}
