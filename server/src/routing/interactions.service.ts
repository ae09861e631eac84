import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Role } from '@parley/libs/shared/roles.js';
import type { Principal } from '../infrastructure/access/access.js';
import type { InteractionModel, RoutingDecisionModel } from './interaction.model.js';

const COLUMNS = `i.id, i.campaignId, i.contactId, i.agentId, i.status, i.queuedAt, i.assignedAt,
  i.firstResponseAt, i.closedAt, i.disposition, i.lastCustomerMessageAt`;

const DAY_MS = 24 * 3600_000;

type Row = Omit<InteractionModel, 'windowExpiresAt'>;

const toModel = (r: Row): InteractionModel => ({
  ...r,
  windowExpiresAt: r.lastCustomerMessageAt ? new Date(r.lastCustomerMessageAt.getTime() + DAY_MS) : null,
});

const json = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);

/**
 * Routing's read side, and the access rule for interactions: admins and supervisors (users or API
 * keys) see every interaction; an agent sees the ones they hold, the ones offered to them, and the
 * QUEUED ones of the MANUAL campaigns they belong to. Never cached: interactions change all the time.
 */
@Injectable()
export class InteractionsService {
  constructor(private readonly dataSource: DataSource) {}

  private async query(where: string, params: unknown[]): Promise<InteractionModel[]> {
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM interactions i WHERE ${where}`,
      params,
    )) as Row[];
    return rows.map(toModel);
  }

  async byIds(ids: readonly string[]): Promise<Map<string, InteractionModel>> {
    if (!ids.length) return new Map();
    return new Map((await this.query('i.id IN (?)', [ids])).map((i) => [i.id, i]));
  }

  /** The agent's ACTIVE interactions and those OFFERED to them (a pending offer), oldest first. */
  inbox(userId: string): Promise<InteractionModel[]> {
    return this.query(
      `(i.agentId = ? AND i.status = 'ACTIVE')
        OR (i.status = 'OFFERED' AND EXISTS (SELECT 1 FROM interaction_offers o
              WHERE o.interactionId = i.id AND o.userId = ? AND o.status = 'PENDING'))
       ORDER BY i.queuedAt, i.id`,
      [userId, userId],
    );
  }

  /** QUEUED interactions the caller may take: of MANUAL campaigns they belong to; all for admins and supervisors. */
  pending(principal: Principal, campaignId: string | null): Promise<InteractionModel[]> {
    const filter = campaignId ? 'AND i.campaignId = ?' : '';
    const params: unknown[] = campaignId ? [campaignId] : [];
    if (principal.role !== Role.AGENT) {
      return this.query(`i.status = 'QUEUED' ${filter} ORDER BY i.queuedAt, i.id LIMIT 1000`, params);
    }
    if (principal.kind !== 'user') return Promise.resolve([]);
    return this.query(
      `i.status = 'QUEUED' ${filter}
         AND i.campaignId IN (SELECT m.campaignId FROM campaign_members m JOIN campaigns c ON c.id = m.campaignId
                               WHERE m.userId = ? AND c.strategy = 'MANUAL')
       ORDER BY i.queuedAt, i.id LIMIT 1000`,
      [...params, principal.userId],
    );
  }

  /** The interaction if the caller may see it (the access rule above), else null. */
  async visible(principal: Principal, id: string): Promise<InteractionModel | null> {
    const interaction = (await this.byIds([id])).get(id) ?? null;
    if (!interaction) return null;
    if (principal.role !== Role.AGENT) return interaction;
    if (principal.kind !== 'user') return null;
    return (await this.mayAgentSee(principal.userId, interaction)) ? interaction : null;
  }

  private async mayAgentSee(userId: string, interaction: InteractionModel): Promise<boolean> {
    if (interaction.agentId === userId && interaction.status !== 'QUEUED') return true;
    const [offer] = (await this.dataSource.query(
      "SELECT 1 AS x FROM interaction_offers WHERE interactionId = ? AND userId = ? AND status = 'PENDING'",
      [interaction.id, userId],
    )) as unknown[];
    if (offer) return true;
    if (interaction.status !== 'QUEUED') return false;
    const [manual] = (await this.dataSource.query(
      `SELECT 1 AS x FROM campaign_members m JOIN campaigns c ON c.id = m.campaignId
        WHERE m.userId = ? AND m.campaignId = ? AND c.strategy = 'MANUAL'`,
      [userId, interaction.campaignId],
    )) as unknown[];
    return Boolean(manual);
  }

  async decisions(interactionId: string): Promise<RoutingDecisionModel[]> {
    const rows = (await this.dataSource.query(
      `SELECT id, interactionId, campaignId, strategy, candidates, chosenUserIds, reason, decidedAt
         FROM routing_decisions WHERE interactionId = ? ORDER BY decidedAt, id`,
      [interactionId],
    )) as (Omit<RoutingDecisionModel, 'candidates' | 'chosenUserIds'> & {
      candidates: string | RoutingDecisionModel['candidates'];
      chosenUserIds: string | string[];
    })[];
    return rows.map((r) => ({
      ...r,
      candidates: json(r.candidates).map((c) => ({
        ...c,
        why: c.why ?? null,
        lastEndedAt: c.lastEndedAt ? new Date(c.lastEndedAt) : null,
      })),
      chosenUserIds: json(r.chosenUserIds),
    }));
  }
}
