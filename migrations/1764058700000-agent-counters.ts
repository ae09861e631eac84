import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per agent and campaign, what LEASTRECENT and FEWESTCALLS rank by (docs/routing.md#the-lock):
 * when their last interaction there ended, and how many they completed on `completedDay` (the
 * campaign's local date). Kept by close, so a routing pass reads one row per member instead of
 * aggregating every CLOSED interaction the campaign ever had, a scan that grew with each one.
 * The backfill counts today's by the UTC date: exact from the next local midnight on.
 */
export class AgentCounters1764058700000 implements MigrationInterface {
  name = 'AgentCounters1764058700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE campaign_agent_counters (
        campaignId CHAR(36) NOT NULL,
        userId CHAR(36) NOT NULL,
        lastEndedAt DATETIME(3) NULL,
        completedDay DATE NULL,
        completedOnDay INT UNSIGNED NOT NULL DEFAULT 0,
        PRIMARY KEY (campaignId, userId),
        KEY IDX_agent_counters_user (userId),
        CONSTRAINT FK_agent_counters_campaign FOREIGN KEY (campaignId) REFERENCES campaigns (id) ON DELETE CASCADE,
        CONSTRAINT FK_agent_counters_user FOREIGN KEY (userId) REFERENCES users (id) ON DELETE CASCADE
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
    await q.query(`
      INSERT INTO campaign_agent_counters (campaignId, userId, lastEndedAt, completedDay, completedOnDay)
      SELECT campaignId, agentId, MAX(closedAt), UTC_DATE(), SUM(closedAt >= UTC_DATE())
        FROM interactions
       WHERE status = 'CLOSED' AND agentId IS NOT NULL AND closedAt IS NOT NULL
       GROUP BY campaignId, agentId`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE campaign_agent_counters');
  }
}
