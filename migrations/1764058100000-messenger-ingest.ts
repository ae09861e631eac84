import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Messenger ingest: the raw webhook deliveries (stored before Facebook gets its 200, so a crash
 * loses nothing), contacts (one per page and PSID), messages (deduplicated by page and mid), and
 * the columns interactions need to hold a conversation. One open interaction per campaign and
 * contact is a unique index over a STORED generated column that is NULL once CLOSED (NULLs never
 * collide), so two workers can never open two. MariaDB refuses a bare CHAR column in that
 * expression (its value would depend on PAD_CHAR_TO_FULL_LENGTH); RTRIM makes it deterministic and
 * changes nothing for a UUID.
 */
export class MessengerIngest1764058100000 implements MigrationInterface {
  name = 'MessengerIngest1764058100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_deliveries (
        id BIGINT NOT NULL AUTO_INCREMENT,
        receivedAt DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        body MEDIUMBLOB NOT NULL,
        status ENUM('PENDING','PROCESSED','FAILED') NOT NULL DEFAULT 'PENDING',
        attempts INT NOT NULL DEFAULT 0,
        lastError VARCHAR(1000) NULL,
        processedAt DATETIME(3) NULL,
        PRIMARY KEY (id),
        KEY IDX_webhook_deliveries_status_id (status, id)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await q.query(`
      CREATE TABLE contacts (
        id CHAR(36) NOT NULL,
        pageId VARCHAR(64) NOT NULL,
        psid VARCHAR(64) NOT NULL,
        name VARCHAR(200) NOT NULL,
        firstName VARCHAR(100) NULL,
        lastName VARCHAR(100) NULL,
        profilePicUrl VARCHAR(2000) NULL,
        profileFetchedAt DATETIME(3) NULL,
        hasProfile TINYINT(1) NULL,
        createdAt DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        updatedAt DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
        PRIMARY KEY (id),
        UNIQUE KEY UQ_contacts_page_psid (pageId, psid)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await q.query(`
      ALTER TABLE interactions
        ADD COLUMN contactId CHAR(36) NOT NULL AFTER campaignId,
        ADD COLUMN agentId CHAR(36) NULL AFTER contactId,
        ADD COLUMN queuedAt DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) AFTER status,
        ADD COLUMN assignedAt DATETIME(3) NULL AFTER queuedAt,
        ADD COLUMN firstResponseAt DATETIME(3) NULL AFTER assignedAt,
        ADD COLUMN closedAt DATETIME(3) NULL AFTER firstResponseAt,
        ADD COLUMN disposition VARCHAR(500) NULL AFTER closedAt,
        ADD COLUMN lastCustomerMessageAt DATETIME(3) NULL AFTER disposition,
        ADD COLUMN openContactId CHAR(36) AS (IF(status = 'CLOSED', NULL, RTRIM(contactId))) STORED,
        ADD UNIQUE KEY UQ_interactions_open_contact (campaignId, openContactId),
        ADD KEY IDX_interactions_contact (contactId),
        ADD KEY IDX_interactions_agent_status (agentId, status),
        ADD CONSTRAINT FK_interactions_contact FOREIGN KEY (contactId) REFERENCES contacts (id) ON DELETE RESTRICT,
        ADD CONSTRAINT FK_interactions_agent FOREIGN KEY (agentId) REFERENCES users (id) ON DELETE SET NULL`);
    await q.query(`
      CREATE TABLE messages (
        id CHAR(36) NOT NULL,
        pageId VARCHAR(64) NOT NULL,
        contactId CHAR(36) NOT NULL,
        interactionId CHAR(36) NULL,
        direction ENUM('INBOUND','OUTBOUND') NOT NULL,
        mid VARCHAR(255) NULL,
        text TEXT NULL,
        attachments JSON NOT NULL,
        quickReplyPayload VARCHAR(1000) NULL,
        postbackPayload VARCHAR(1000) NULL,
        replyToMid VARCHAR(255) NULL,
        reaction VARCHAR(32) NULL,
        sentByUserId CHAR(36) NULL,
        sentAt DATETIME(3) NOT NULL,
        status ENUM('PENDING','SENT','DELIVERED','READ','FAILED') NOT NULL,
        error VARCHAR(1000) NULL,
        metadata VARCHAR(1000) NULL,
        createdAt DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        updatedAt DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
        PRIMARY KEY (id),
        UNIQUE KEY UQ_messages_page_mid (pageId, mid),
        KEY IDX_messages_interaction_sentAt (interactionId, sentAt),
        KEY IDX_messages_contact_direction_sentAt (contactId, direction, sentAt),
        CONSTRAINT FK_messages_contact FOREIGN KEY (contactId) REFERENCES contacts (id) ON DELETE RESTRICT,
        CONSTRAINT FK_messages_interaction FOREIGN KEY (interactionId) REFERENCES interactions (id) ON DELETE RESTRICT,
        CONSTRAINT FK_messages_sent_by FOREIGN KEY (sentByUserId) REFERENCES users (id) ON DELETE SET NULL
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE messages');
    await q.query(`
      ALTER TABLE interactions
        DROP FOREIGN KEY FK_interactions_agent,
        DROP FOREIGN KEY FK_interactions_contact,
        DROP INDEX UQ_interactions_open_contact,
        DROP INDEX IDX_interactions_contact,
        DROP INDEX IDX_interactions_agent_status,
        DROP COLUMN openContactId,
        DROP COLUMN lastCustomerMessageAt,
        DROP COLUMN disposition,
        DROP COLUMN closedAt,
        DROP COLUMN firstResponseAt,
        DROP COLUMN assignedAt,
        DROP COLUMN queuedAt,
        DROP COLUMN agentId,
        DROP COLUMN contactId`);
    await q.query('DROP TABLE contacts');
    await q.query('DROP TABLE webhook_deliveries');
  }
}
