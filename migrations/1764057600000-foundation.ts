import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Users (with presence) and API keys. */
export class Foundation1764057600000 implements MigrationInterface {
  name = 'Foundation1764057600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id CHAR(36) NOT NULL,
        username VARCHAR(50) NOT NULL,
        displayName VARCHAR(100) NOT NULL,
        role ENUM('ADMIN','SUPERVISOR','AGENT') NOT NULL,
        passwordHash VARCHAR(255) NOT NULL,
        active TINYINT(1) NOT NULL DEFAULT 1,
        presence ENUM('OFFLINE','AVAILABLE','BREAK') NOT NULL DEFAULT 'OFFLINE',
        breakReason VARCHAR(200) NULL,
        presenceSince DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        createdAt DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        updatedAt DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
        PRIMARY KEY (id),
        UNIQUE KEY UQ_users_username (username),
        KEY IDX_users_role (role)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await q.query(`
      CREATE TABLE api_keys (
        id CHAR(36) NOT NULL,
        name VARCHAR(100) NOT NULL,
        role ENUM('ADMIN','SUPERVISOR','AGENT') NOT NULL,
        keyHash CHAR(64) NOT NULL,
        createdById CHAR(36) NULL,
        lastUsedAt DATETIME(3) NULL,
        revokedAt DATETIME(3) NULL,
        createdAt DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        updatedAt DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
        PRIMARY KEY (id),
        UNIQUE KEY UQ_api_keys_keyHash (keyHash),
        CONSTRAINT FK_api_keys_createdBy FOREIGN KEY (createdById) REFERENCES users (id) ON DELETE SET NULL
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE api_keys');
    await q.query('DROP TABLE users');
  }
}
