import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { unpackCandidates } from '@parley/libs/routing/decision-record.js';
import { Role } from '@parley/libs/shared/roles.js';
import type { Principal } from '../infrastructure/access/access.js';
import { ParleyError } from '../infrastructure/errors/parley-error.js';
import type { InteractionFilterInput, TransferCampaignModel } from './interaction-history.model.js';
import type { InteractionModel, RoutingDecisionModel } from './interaction.model.js';

const COLUMNS = `i.id, i.campaignId, i.contactId, i.agentId, i.status, i.queuedAt, i.assignedAt,
  i.firstResponseAt, i.closedAt, i.disposition, i.lastCustomerMessageAt`;

const DAY_MS = 24 * 3600_000;

type Row = Omit<InteractionModel, 'windowExpiresAt'>;

const toModel = (r: Row): InteractionModel => ({
  ...r,
  windowExpiresAt: r.lastCustomerMessageAt ? new Date(r.lastCustomerMessageAt.getTime() + DAY_MS) : null,
});

/** How many interactions one page of history holds at most, and by default. */
export const HISTORY_PAGE_MAX = 200;
export const HISTORY_PAGE_DEFAULT = 50;
const CONTACT_FILTER_MAX = 200;

/** A place in history (newest first): the interaction's queuedAt and id, opaque to callers. */
const cursorOf = (i: InteractionModel): string =>
  Buffer.from(JSON.stringify([i.queuedAt.getTime(), i.id])).toString('base64url');

function readCursor(cursor: string): { queuedAt: Date; id: string } {
  try {
    const [ms, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof ms === 'number' && Number.isFinite(ms) && typeof id === 'string' && id.length <= 36) {
      return { queuedAt: new Date(ms), id };
    }
  } catch {
    // Not one of ours: said below.
  }
  throw ParleyError.badInput('after', 'is not a cursor from this list: pass a pageInfo.endCursor as it is');
}

/** `%` and `_` typed by a person are letters, not wildcards. */
const likeEscaped = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

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
    return this.picksFrom(userId, interaction.campaignId);
  }

  /** Whether the agent belongs to this MANUAL campaign, and so picks from its queue. */
  async picksFrom(userId: string, campaignId: string): Promise<boolean> {
    const [manual] = (await this.dataSource.query(
      `SELECT 1 AS x FROM campaign_members m JOIN campaigns c ON c.id = m.campaignId
        WHERE m.userId = ? AND m.campaignId = ? AND c.strategy = 'MANUAL'`,
      [userId, campaignId],
    )) as unknown[];
    return Boolean(manual);
  }

  /**
   * Whether the caller may follow this campaign's queue (queueChanged): admins and supervisors any
   * MANUAL campaign's, an agent the MANUAL campaigns they belong to; an AGENT API key none.
   */
  async mayWatchQueue(principal: Principal, campaignId: string): Promise<boolean> {
    if (principal.role !== Role.AGENT) {
      const [manual] = (await this.dataSource.query(
        "SELECT 1 AS x FROM campaigns WHERE id = ? AND strategy = 'MANUAL'",
        [campaignId],
      )) as unknown[];
      return Boolean(manual);
    }
    return principal.kind === 'user' && this.picksFrom(principal.userId, campaignId);
  }

  /**
   * One page of history, newest first (queuedAt, then id). Admins and supervisors see every
   * interaction; an agent only those they handle or closed (agentId is theirs); an AGENT API key none.
   */
  async history(
    principal: Principal,
    filter: InteractionFilterInput | null | undefined,
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<{
    edges: { cursor: string; node: InteractionModel }[];
    hasNextPage: boolean;
    totalCount: number;
  }> {
    const size = first ?? HISTORY_PAGE_DEFAULT;
    const problems: { field: string; problem: string }[] = [];
    if (!Number.isInteger(size) || size < 1 || size > HISTORY_PAGE_MAX) {
      problems.push({ field: 'first', problem: `must be between 1 and ${HISTORY_PAGE_MAX}` });
    }
    const contact = filter?.contact?.trim() ?? '';
    if (contact.length > CONTACT_FILTER_MAX) {
      problems.push({ field: 'filter.contact', problem: `must be at most ${CONTACT_FILTER_MAX} characters` });
    }
    if (filter?.from && filter.to && filter.from >= filter.to) {
      problems.push({ field: 'filter.to', problem: 'must be after filter.from' });
    }
    if (problems.length) throw ParleyError.invalid(problems);
    const position = after ? readCursor(after) : null;

    if (principal.role === Role.AGENT && principal.kind !== 'user') {
      return { edges: [], hasNextPage: false, totalCount: 0 };
    }
    const where: string[] = [];
    const params: unknown[] = [];
    if (principal.role === Role.AGENT && principal.kind === 'user') {
      where.push('i.agentId = ?');
      params.push(principal.userId);
    }
    if (filter?.from) {
      where.push('i.queuedAt >= ?');
      params.push(filter.from);
    }
    if (filter?.to) {
      where.push('i.queuedAt < ?');
      params.push(filter.to);
    }
    if (filter?.closedFrom) {
      where.push('i.closedAt >= ?');
      params.push(filter.closedFrom);
    }
    if (filter?.campaignId) {
      where.push('i.campaignId = ?');
      params.push(filter.campaignId);
    }
    if (filter?.agentId) {
      where.push('i.agentId = ?');
      params.push(filter.agentId);
    }
    if (contact) {
      where.push('i.contactId IN (SELECT c.id FROM contacts c WHERE c.psid = ? OR c.name LIKE ?)');
      params.push(contact, `%${likeEscaped(contact)}%`);
    }
    if (filter?.status?.length) {
      where.push('i.status IN (?)');
      params.push(filter.status);
    }
    const matching = where.length ? where.join(' AND ') : 'TRUE';
    const [{ total }] = (await this.dataSource.query(
      `SELECT COUNT(*) AS total FROM interactions i WHERE ${matching}`,
      params,
    )) as { total: string | number }[];
    const page = position
      ? {
          sql: `${matching} AND (i.queuedAt < ? OR (i.queuedAt = ? AND i.id < ?))`,
          params: [...params, position.queuedAt, position.queuedAt, position.id],
        }
      : { sql: matching, params };
    // One more than asked: whether a next page exists.
    const rows = await this.query(`${page.sql} ORDER BY i.queuedAt DESC, i.id DESC LIMIT ?`, [
      ...page.params,
      size + 1,
    ]);
    return {
      edges: rows.slice(0, size).map((node) => ({ cursor: cursorOf(node), node })),
      hasNextPage: rows.length > size,
      totalCount: Number(total),
    };
  }

  /** The customer's interactions with the same page that began before this one, newest first. */
  previous(interaction: InteractionModel, last: number): Promise<InteractionModel[]> {
    return this.query(
      'i.contactId = ? AND i.id <> ? AND i.queuedAt <= ? ORDER BY i.queuedAt DESC, i.id DESC LIMIT ?',
      [interaction.contactId, interaction.id, interaction.queuedAt, last],
    );
  }

  /** When each of these interactions' PENDING offers to the user expire, by interaction id. */
  async offerExpiries(userId: string, interactionIds: readonly string[]): Promise<Map<string, Date>> {
    if (!interactionIds.length) return new Map();
    const rows = (await this.dataSource.query(
      `SELECT interactionId, expiresAt FROM interaction_offers
        WHERE userId = ? AND status = 'PENDING' AND interactionId IN (?)`,
      [userId, interactionIds],
    )) as { interactionId: string; expiresAt: Date }[];
    return new Map(rows.map((r) => [r.interactionId, r.expiresAt]));
  }

  /**
   * Who an ACTIVE interaction can be handed to: the other active members of its campaign who receive
   * interactions (member of a VOICE campaign), and the campaigns a transfer may move it to. Only its
   * agent, admins and supervisors may ask; others get NOT_FOUND, as if it did not exist.
   */
  async transferTargets(
    principal: Principal,
    interactionId: string,
  ): Promise<{ agentIds: string[]; campaigns: TransferCampaignModel[] }> {
    const interaction = (await this.byIds([interactionId])).get(interactionId);
    const mayHand =
      interaction &&
      (principal.role !== Role.AGENT ||
        (principal.kind === 'user' &&
          interaction.agentId === principal.userId &&
          interaction.status === 'ACTIVE'));
    if (!interaction || !mayHand) throw ParleyError.notFound('Interaction', interactionId);
    const agents = (await this.dataSource.query(
      `SELECT u.id FROM campaign_members m JOIN users u ON u.id = m.userId
        WHERE m.campaignId = ? AND u.active = TRUE AND u.role = 'AGENT' AND u.id <> ?
          AND EXISTS (SELECT 1 FROM campaign_members v JOIN campaigns c ON c.id = v.campaignId
                       WHERE v.userId = u.id AND c.channel = 'VOICE')
        ORDER BY u.displayName, u.username`,
      [interaction.campaignId, interaction.agentId ?? ''],
    )) as { id: string }[];
    // Where a transfer may move it (docs/routing.md#transfer-to-another-campaign): a campaign of the
    // conversation's own page, or of no page; not one where the customer already has an open chat.
    const campaigns = (await this.dataSource.query(
      `SELECT c.id, c.name FROM campaigns c
        WHERE c.channel = 'MESSENGER' AND c.enabled = TRUE AND c.id <> ?
          AND (c.pageId IS NULL OR c.pageId = (SELECT pageId FROM contacts WHERE id = ?))
          AND NOT EXISTS (SELECT 1 FROM interactions o WHERE o.campaignId = c.id AND o.openContactId = ?)
        ORDER BY c.name`,
      [interaction.campaignId, interaction.contactId, interaction.contactId],
    )) as TransferCampaignModel[];
    return { agentIds: agents.map((a) => a.id), campaigns };
  }

  async decisions(interactionId: string): Promise<RoutingDecisionModel[]> {
    const rows = (await this.dataSource.query(
      `SELECT id, interactionId, campaignId, strategy, candidates, chosenUserIds, reason, decidedAt
         FROM routing_decisions WHERE interactionId = ? ORDER BY decidedAt, id`,
      [interactionId],
    )) as (Omit<RoutingDecisionModel, 'candidates' | 'chosenUserIds'> & {
      candidates: string | Parameters<typeof unpackCandidates>[0];
      chosenUserIds: string | string[];
    })[];
    return rows.map((r) => ({
      ...r,
      candidates: unpackCandidates(json(r.candidates)).map((c) => ({ ...c, why: c.why ?? null })),
      chosenUserIds: json(r.chosenUserIds),
    }));
  }
}
