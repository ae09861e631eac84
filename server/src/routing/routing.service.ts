// The write side of routing: offers, accept, close, transfer, expiry, revocation and abandonment.
//
// HOW THE CAPACITY INVARIANT HOLDS (docs/routing.md#the-lock)
//
// Every operation that can add to an agent's load in a campaign (route, a MANUAL take, transfer in
// or out, offer expiry, revoke, abandonment) runs in one short MySQL transaction that FIRST locks
// that campaign's row of `campaign_routing_state` with SELECT ... FOR UPDATE (the row is created
// lazily, INSERT IGNORE). Inside the lock it counts the loads from the tables (PENDING offers +
// ACTIVE interactions), decides with the pure `chooseAgents`, writes offers/statuses, and commits;
// events and jobs go out only after commit (Transactions). Accepting an offer and closing add no
// load (a PENDING seat becomes an ACTIVE one; a seat is freed), so they lock only the interaction
// and never queue behind a pass; a pass's one-statement count sees each of them wholly before or
// wholly after. Offers are always locked after their interaction, in every path. So:
// - operations on one campaign are serialised, across any number of processes: two routers can
//   never both see "agent has 1 seat free" and both fill it, and two accepts of a RINGALL offer run
//   one after the other (the second finds the offer REVOKED);
// - capacity is per campaign, so a per-campaign lock is exactly as wide as needed: campaigns route in
//   parallel. An operation touching two campaigns (transfer to a campaign) locks both in id order;
// - each transaction reads in READ COMMITTED: every statement sees what is committed when it runs,
//   which under the lock is everything that counts; no gap locks, so ingest inserting new chats
//   into the campaign never waits for a pass;
// - MySQL is the only source of truth. Redis (events, jobs) may lose things or vanish: a lost job
//   only delays routing until the sweep (every 10 s) re-routes, and can never break the invariant,
//   because nothing about loads is cached outside the locked transaction.
// Deadlocks (first creation of the row by two transactions at once) are retried.

import { Inject, Injectable, Logger } from '@nestjs/common';
import { DateTime } from 'luxon';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { type AgentCandidate, eligibility, Presence } from '@parley/libs/routing/agents.js';
import { chooseAgents, type RoutingDecision } from '@parley/libs/routing/choose.js';
import { packCandidates } from '@parley/libs/routing/decision-record.js';
import { abandonAt, isAbandoned, queueOrder } from '@parley/libs/routing/queue.js';
import { Channel, RoutingStrategy } from '@parley/libs/shared/campaigns.js';
import { isValidTimeZone, openedAt, type ScheduleRange } from '@parley/libs/schedule/schedule.js';
import { Role } from '@parley/libs/shared/roles.js';
import {
  InboxChanged,
  type InboxEventKindName,
  InteractionQueued,
  ManualQueueChanged,
} from '../events/catalogue.js';
import type { Principal } from '../infrastructure/access/access.js';
import type { AppConfig } from '../infrastructure/config/config.js';
import { APP_CONFIG } from '../infrastructure/config/config.module.js';
import { ErrorCode, ParleyError } from '../infrastructure/errors/parley-error.js';
import { Transactions, type UnitOfWork } from '../infrastructure/events/after-commit.js';
import { JobName } from '../infrastructure/queues/queue-registry.js';

/** Disposition text limit (the column is VARCHAR(500)). */
export const DISPOSITION_MAX = 500;
/** Queued interactions looked at per routing pass; the next pass (job or sweep) takes the rest. */
const ROUTE_BATCH = 500;
/** Runs of a routing transaction MySQL picks as a deadlock victim (everything is re-read each time). */
const RETRIES = 6;

interface CampaignRow {
  id: string;
  name: string;
  pageId: string | null;
  pageName: string | null;
  channel: string;
  enabled: number | boolean;
  strategy: RoutingStrategy;
  maxInteractionsPerAgent: number;
  timezone: string;
  /** JSON: MariaDB answers it as text. */
  schedule: ScheduleRange[] | string;
  dropoutSeconds: number;
  announceQueuePosition: number | boolean;
  /** The database's clock when the row was read. */
  now: Date;
}

interface StateRow {
  lastAssignedUserId: string | null;
  lastAssignedPosition: number | null;
}

interface InteractionRow {
  id: string;
  campaignId: string;
  contactId: string;
  agentId: string | null;
  status: 'QUEUED' | 'OFFERED' | 'ACTIVE' | 'CLOSED' | 'ABANDONED';
  queuedAt: Date;
  lastCustomerMessageAt: Date | null;
  excludedUserIds: string[] | string | null;
}

const parseIds = (v: string[] | string | null): string[] =>
  v == null ? [] : Array.isArray(v) ? v : (JSON.parse(v) as string[]);

/** The campaign's local date of `at` (yyyy-MM-dd), UTC's for a zone that no longer exists. */
function localDay(at: Date, timezone: string): string {
  const local = DateTime.fromJSDate(at).setZone(isValidTimeZone(timezone) ? timezone : 'UTC');
  return local.toISODate()!;
}

@Injectable()
export class RoutingService {
  private readonly logger = new Logger('Routing');

  constructor(
    private readonly transactions: Transactions,
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * A transaction, retried when MySQL picks it as a deadlock victim (everything is re-read). READ
   * COMMITTED: the campaign's lock is what serialises routing, and every statement sees what was
   * committed before it; REPEATABLE READ's gap locks only made ingest wait for passes.
   */
  private run<T>(work: (uow: UnitOfWork) => Promise<T>): Promise<T> {
    return this.transactions.run(work, { isolation: 'READ COMMITTED', retries: RETRIES - 1 });
  }

  /**
   * THE lock: the campaign's routing row, FOR UPDATE, created on first use. Selected first and
   * inserted only when missing, because INSERT IGNORE on an existing row takes a shared lock that
   * two transactions would then both try to upgrade (a deadlock). Null: the campaign is gone.
   */
  private async lock(em: EntityManager, campaignId: string): Promise<StateRow | null> {
    const select = () =>
      em.query(
        'SELECT lastAssignedUserId, lastAssignedPosition FROM campaign_routing_state WHERE campaignId = ? FOR UPDATE',
        [campaignId],
      ) as Promise<StateRow[]>;
    let [state] = await select();
    if (!state) {
      const [exists] = (await em.query('SELECT id FROM campaigns WHERE id = ?', [campaignId])) as unknown[];
      if (!exists) return null;
      await em.query('INSERT IGNORE INTO campaign_routing_state (campaignId) VALUES (?)', [campaignId]);
      [state] = await select();
    }
    return state ?? null;
  }

  /** The campaign's routing settings, and the database's clock (`now`) in the same round trip. */
  private async campaign(em: EntityManager, id: string): Promise<CampaignRow | null> {
    const [row] = (await em.query(
      `SELECT id, name, pageId, pageName, channel, enabled, strategy, maxInteractionsPerAgent, timezone,
              schedule, dropoutSeconds, announceQueuePosition, NOW(3) AS now
         FROM campaigns WHERE id = ?`,
      [id],
    )) as CampaignRow[];
    return row ?? null;
  }

  /**
   * Every member of the campaign as routing sees them now, loads counted from the tables (PENDING
   * offers + ACTIVE interactions in this campaign), LEASTRECENT's and FEWESTCALLS's figures from
   * campaign_agent_counters (kept by close). Only correct inside the campaign's lock.
   */
  private async candidates(em: EntityManager, campaign: CampaignRow, now: Date): Promise<AgentCandidate[]> {
    // Simple queries joined here: with 500 members, one query joining users and counters and
    // testing VOICE membership per row took MariaDB 10 ms (eq_ref lookups on CHAR(36) unicode
    // keys); these four take about 1.5 ms together.
    const members = (await em.query(
      'SELECT userId, penalty, position FROM campaign_members WHERE campaignId = ?',
      [campaign.id],
    )) as { userId: string; penalty: number; position: number }[];
    if (!members.length) return [];
    const ids = members.map((m) => m.userId);
    const users = (await em.query('SELECT id, presence, active FROM users WHERE id IN (?)', [ids])) as {
      id: string;
      presence: Presence;
      active: number;
    }[];
    const voice = (await em.query(
      `SELECT DISTINCT v.userId FROM campaigns vc JOIN campaign_members v ON v.campaignId = vc.id
        WHERE vc.channel = 'VOICE' AND v.userId IN (?)`,
      [ids],
    )) as { userId: string }[];
    const counters = (await em.query(
      `SELECT userId, lastEndedAt, IF(completedDay = ?, completedOnDay, 0) AS completedToday
         FROM campaign_agent_counters WHERE campaignId = ?`,
      [localDay(now, campaign.timezone), campaign.id],
    )) as { userId: string; lastEndedAt: Date | null; completedToday: number | string }[];
    const loads = await this.loads(em, campaign.id);
    const userOf = new Map(users.map((u) => [u.id, u]));
    const receiving = new Set(voice.map((v) => v.userId));
    const counterOf = new Map(counters.map((c) => [c.userId, c]));
    return members.map((m) => {
      const user = userOf.get(m.userId);
      const counter = counterOf.get(m.userId);
      return {
        userId: m.userId,
        // A deactivated user takes nothing, whatever presence they were left with.
        presence: user?.active ? user.presence : Presence.OFFLINE,
        isMember: true,
        receivesInteractions: receiving.has(m.userId),
        load: loads.get(m.userId) ?? 0,
        penalty: m.penalty,
        position: m.position,
        lastEndedAt: counter?.lastEndedAt ?? null,
        completedToday: Number(counter?.completedToday ?? 0),
      };
    });
  }

  /** OFFERED + ACTIVE per agent in the campaign: PENDING offers (a seat each) and ACTIVE interactions. */
  private async loads(em: EntityManager, campaignId: string): Promise<Map<string, number>> {
    const rows = (await em.query(
      `SELECT userId, COUNT(*) AS n FROM (
         SELECT userId FROM interaction_offers WHERE campaignId = ? AND status = 'PENDING'
         UNION ALL
         SELECT agentId AS userId FROM interactions WHERE campaignId = ? AND status = 'ACTIVE' AND agentId IS NOT NULL
       ) seats GROUP BY userId`,
      [campaignId, campaignId],
    )) as { userId: string; n: string | number }[];
    return new Map(rows.map((r) => [r.userId, Number(r.n)]));
  }

  private inbox(
    uow: UnitOfWork,
    userId: string,
    interactionId: string,
    kind: InboxEventKindName,
    messageId: string | null = null,
  ) {
    uow.publish(InboxChanged, { userId, interactionId, kind, messageId });
  }

  private async record(em: EntityManager, interactionId: string, campaignId: string, d: RoutingDecision) {
    await em.query(
      `INSERT INTO routing_decisions (id, interactionId, campaignId, strategy, candidates, chosenUserIds, reason)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [
        randomUUID(),
        interactionId,
        campaignId,
        d.strategy,
        JSON.stringify(packCandidates(d.candidates)),
        JSON.stringify(d.chosen),
        d.reason.slice(0, 1000),
      ],
    );
  }

  /** PENDING offers to `userIds`, each with its timeout job; the interaction becomes OFFERED. */
  private async makeOffers(uow: UnitOfWork, interactionId: string, campaignId: string, userIds: string[]) {
    for (const userId of userIds) {
      const offerId = randomUUID();
      await uow.em.query(
        `INSERT INTO interaction_offers (id, interactionId, campaignId, userId, status, offeredAt, expiresAt)
         VALUES (?, ?, ?, ?, 'PENDING', NOW(3), DATE_ADD(NOW(3), INTERVAL ? SECOND))`,
        [offerId, interactionId, campaignId, userId, this.config.offerTimeoutSeconds],
      );
      uow.enqueue(
        JobName.OfferExpired,
        { offerId },
        { jobId: `offer-${offerId}`, delay: this.config.offerTimeoutSeconds * 1000 },
      );
      this.inbox(uow, userId, interactionId, 'OFFERED');
    }
    await uow.em.query("UPDATE interactions SET status = 'OFFERED', agentId = NULL WHERE id = ?", [
      interactionId,
    ]);
  }

  /**
   * Routes the campaign's queue in order while its head can be offered (FIFO). When no agent is
   * eligible for the head the pass stops: later interactions wait behind it. One exception, so
   * that no chat sits while an eligible agent exists: when the head's only otherwise-eligible
   * agents are excluded from it (they let its offer time out), the next interaction is tried.
   * Queued interactions past `dropoutSeconds` are marked ABANDONED on the way; the others get a
   * delayed check at their `abandonAt`. MANUAL, disabled and non-MESSENGER campaigns offer nothing;
   * a campaign closed by its schedule does nothing (the sweep routes it within seconds of opening).
   * `announce` names an interaction whose customer just wrote: when this pass leaves it QUEUED and
   * the campaign announces queue positions, the announcement job follows (deciding here, after the
   * offers, is what keeps a customer about to be offered from hearing "you are next in line").
   * Returns how many interactions were offered.
   */
  async routeCampaign(campaignId: string, announce?: string): Promise<number> {
    // Most passes follow a close with nobody waiting: answered without a transaction or the lock. A
    // chat queued after this read has its own route job, which runs after this one.
    const [waiting] = (await this.dataSource.query(
      "SELECT 1 AS queued FROM interactions WHERE campaignId = ? AND status = 'QUEUED' LIMIT 1",
      [campaignId],
    )) as unknown[];
    if (!waiting) return 0;
    return this.run(async (uow) => {
      const { em } = uow;
      const state = await this.lock(em, campaignId);
      if (!state) return 0;
      const campaign = await this.campaign(em, campaignId);
      if (!campaign || campaign.channel !== Channel.MESSENGER) return 0;
      const { now } = campaign;
      // Closed by its schedule, a campaign neither offers nor abandons: its customers were told
      // (after-hours message) and are routed when it opens, their waiting counted from then.
      const schedule =
        typeof campaign.schedule === 'string'
          ? (JSON.parse(campaign.schedule) as ScheduleRange[])
          : campaign.schedule;
      const opened = openedAt(schedule, campaign.timezone, now);
      if (!opened) return 0;
      const queued = queueOrder(
        (await em.query(
          // Not FOR UPDATE: under the campaign's lock nothing else offers, abandons or moves this
          // campaign's QUEUED chats; ingest only stamps lastCustomerMessageAt on them, and locking
          // up to 500 rows made every customer message to a waiting chat wait for the pass.
          `SELECT id, campaignId, contactId, agentId, status, queuedAt, lastCustomerMessageAt, excludedUserIds
             FROM interactions WHERE campaignId = ? AND status = 'QUEUED'
            ORDER BY queuedAt, id LIMIT ${ROUTE_BATCH}`,
          [campaignId],
        )) as InteractionRow[],
      );
      if (!queued.length) return 0;

      const waiting: InteractionRow[] = [];
      const routable: InteractionRow[] = [];
      for (const i of queued) {
        if (isAbandoned({ ...i, status: 'QUEUED', openedAt: opened }, campaign.dropoutSeconds, now)) {
          await em.query("UPDATE interactions SET status = 'ABANDONED' WHERE id = ? AND status = 'QUEUED'", [
            i.id,
          ]);
          if (campaign.strategy === RoutingStrategy.MANUAL)
            uow.publish(ManualQueueChanged, { campaignId, interactionId: i.id });
        } else routable.push(i);
      }

      let offered = 0;
      if (campaign.enabled && campaign.strategy !== RoutingStrategy.MANUAL) {
        const candidates = await this.candidates(em, campaign, now);
        let { lastAssignedUserId, lastAssignedPosition } = state;
        let index = 0;
        for (; index < routable.length; index++) {
          const interaction = routable[index];
          const decision = chooseAgents({
            strategy: campaign.strategy,
            candidates,
            maxInteractionsPerAgent: campaign.maxInteractionsPerAgent,
            lastAssignedUserId,
            lastAssignedPosition,
            excludedUserIds: parseIds(interaction.excludedUserIds),
            random: Math.random,
          });
          if (!decision.chosen.length) {
            // Only exclusions stand between the head and an agent: let the next one try.
            if (decision.candidates.some((c) => c.why === 'excluded')) {
              waiting.push(interaction);
              continue;
            }
            break;
          }
          await this.record(em, interaction.id, campaignId, decision);
          await this.makeOffers(uow, interaction.id, campaignId, decision.chosen);
          for (const userId of decision.chosen) {
            const c = candidates.find((x) => x.userId === userId)!;
            c.load += 1;
          }
          // RRMEMORY's memory moves on when the offer is made, so the next interaction of this
          // same pass goes to the next agent; accept confirms it (see acceptInteraction).
          if (campaign.strategy === RoutingStrategy.RRMEMORY) {
            const chosen = candidates.find((x) => x.userId === decision.chosen[0])!;
            lastAssignedUserId = chosen.userId;
            lastAssignedPosition = chosen.position;
          }
          offered++;
        }
        waiting.push(...routable.slice(index));
        if (
          lastAssignedUserId !== state.lastAssignedUserId ||
          lastAssignedPosition !== state.lastAssignedPosition
        ) {
          await em.query(
            'UPDATE campaign_routing_state SET lastAssignedUserId = ?, lastAssignedPosition = ? WHERE campaignId = ?',
            [lastAssignedUserId, lastAssignedPosition, campaignId],
          );
        }
      } else {
        waiting.push(...routable);
      }

      const unseen = queued.length === ROUTE_BATCH && !queued.some((i) => i.id === announce);
      if (announce && campaign.announceQueuePosition && (unseen || waiting.some((i) => i.id === announce))) {
        uow.enqueue(JobName.AnnounceQueuePosition, { interactionId: announce });
      }

      // Still waiting: route again when the first of them would be abandoned. That pass abandons it
      // (and any other then due) and schedules the next, so one job per campaign and instant does:
      // one per waiting interaction made every pass over a long queue hundreds of Redis calls.
      let first: { at: Date; interactionId: string } | null = null;
      for (const i of waiting) {
        const at = abandonAt({ ...i, status: 'QUEUED', openedAt: opened }, campaign.dropoutSeconds);
        if (at && (!first || at < first.at)) first = { at, interactionId: i.id };
      }
      if (first) {
        uow.enqueue(
          JobName.CheckAbandoned,
          { campaignId, interactionId: first.interactionId },
          {
            jobId: `abandon-${campaignId}-${first.at.getTime()}`,
            delay: Math.max(0, first.at.getTime() - now.getTime()),
          },
        );
      }
      return offered;
    });
  }

  /**
   * An offer's time is up. If still PENDING: EXPIRED, its agent excluded from this interaction,
   * which goes back to QUEUED (keeping queuedAt, so back at the head) unless another offer of it is
   * still pending (RINGALL); then the campaign is routed again.
   */
  async expireOffer(offerId: string): Promise<boolean> {
    const [offer] = (await this.dataSource.query('SELECT campaignId FROM interaction_offers WHERE id = ?', [
      offerId,
    ])) as { campaignId: string }[];
    if (!offer) return false;
    return this.endOffers(offer.campaignId, 'EXPIRED', 'id = ?', [offerId]);
  }

  /** An agent went OFFLINE: their PENDING offers are revoked (not excluded) and routed elsewhere. */
  async revokeOffersOf(userId: string): Promise<number> {
    const rows = (await this.dataSource.query(
      "SELECT DISTINCT campaignId FROM interaction_offers WHERE userId = ? AND status = 'PENDING'",
      [userId],
    )) as { campaignId: string }[];
    let n = 0;
    for (const { campaignId } of rows) {
      if (await this.endOffers(campaignId, 'REVOKED', "userId = ? AND status = 'PENDING'", [userId])) n++;
    }
    return n;
  }

  private async endOffers(
    campaignId: string,
    to: 'EXPIRED' | 'REVOKED',
    where: string,
    params: unknown[],
  ): Promise<boolean> {
    return this.run(async (uow) => {
      const { em } = uow;
      if (!(await this.lock(em, campaignId))) return false;
      const select = (lock: string) =>
        em.query(
          `SELECT id, interactionId, userId FROM interaction_offers
            WHERE campaignId = ? AND status = 'PENDING' AND ${where} ${lock}`,
          [campaignId, ...params],
        ) as Promise<{ id: string; interactionId: string; userId: string }[]>;
      const seen = await select('');
      if (!seen.length) return false;
      // Interactions before their offers, as accept locks them (it holds no campaign lock).
      await em.query('SELECT id FROM interactions WHERE id IN (?) ORDER BY id FOR UPDATE', [
        [...new Set(seen.map((o) => o.interactionId))],
      ]);
      const offers = await select('FOR UPDATE');
      if (!offers.length) return false;
      for (const offer of offers) {
        await em.query('UPDATE interaction_offers SET status = ?, endedAt = NOW(3) WHERE id = ?', [
          to,
          offer.id,
        ]);
        const [interaction] = (await em.query(
          'SELECT id, status, excludedUserIds FROM interactions WHERE id = ? FOR UPDATE',
          [offer.interactionId],
        )) as InteractionRow[];
        if (to === 'EXPIRED') {
          const excluded = new Set(parseIds(interaction.excludedUserIds));
          excluded.add(offer.userId);
          await em.query('UPDATE interactions SET excludedUserIds = ? WHERE id = ?', [
            JSON.stringify([...excluded]),
            interaction.id,
          ]);
        }
        const [{ pending }] = (await em.query(
          "SELECT COUNT(*) AS pending FROM interaction_offers WHERE interactionId = ? AND status = 'PENDING'",
          [interaction.id],
        )) as { pending: number }[];
        if (Number(pending) === 0 && interaction.status === 'OFFERED') {
          await em.query("UPDATE interactions SET status = 'QUEUED' WHERE id = ?", [interaction.id]);
        }
        this.inbox(uow, offer.userId, interaction.id, 'REVOKED');
      }
      uow.enqueue(JobName.RouteCampaign, { campaignId });
      return true;
    });
  }

  /** The interaction's campaign, read without a lock, to know which campaign to lock. */
  private async campaignOf(interactionId: string): Promise<string> {
    const [row] = (await this.dataSource.query('SELECT campaignId FROM interactions WHERE id = ?', [
      interactionId,
    ])) as { campaignId: string }[];
    if (!row) throw ParleyError.notFound('Interaction', interactionId);
    return row.campaignId;
  }

  /**
   * Locks the interaction's campaign, then the interaction. A transfer to another campaign may have
   * moved it between the two reads: then the caller's transaction is retried on the new campaign.
   */
  private async lockInteraction(
    uow: UnitOfWork,
    interactionId: string,
    campaignId: string,
  ): Promise<InteractionRow | 'moved'> {
    await this.lock(uow.em, campaignId);
    const row = await this.interactionForUpdate(uow.em, interactionId);
    return row.campaignId === campaignId ? row : 'moved';
  }

  /** The interaction's row, locked; NOT_FOUND if there is none. */
  private async interactionForUpdate(em: EntityManager, interactionId: string): Promise<InteractionRow> {
    const [row] = (await em.query(
      `SELECT id, campaignId, contactId, agentId, status, queuedAt, lastCustomerMessageAt, excludedUserIds
         FROM interactions WHERE id = ? FOR UPDATE`,
      [interactionId],
    )) as InteractionRow[];
    if (!row) throw ParleyError.notFound('Interaction', interactionId);
    return row;
  }

  /**
   * Runs `work` with only the interaction's row locked: for operations that never add to a load
   * (accepting an offer turns its seat into an ACTIVE one; closing frees one). They need not wait
   * for the campaign's routing pass, and a pass counting loads meanwhile sees each of them either
   * before or after its commit, with the same or a smaller count: never an agent over capacity.
   * Every writer of offers and interactions locks the interaction first, then its offers.
   */
  private async withInteractionOnly<T>(
    interactionId: string,
    work: (uow: UnitOfWork, interaction: InteractionRow, campaign: CampaignRow) => Promise<T>,
  ): Promise<T> {
    return this.run(async (uow) => {
      const interaction = await this.interactionForUpdate(uow.em, interactionId);
      const campaign = (await this.campaign(uow.em, interaction.campaignId))!;
      return work(uow, interaction, campaign);
    });
  }

  /** Runs `work` with the interaction's campaign and the interaction locked (retrying after a move). */
  private async withInteraction<T>(
    interactionId: string,
    work: (uow: UnitOfWork, interaction: InteractionRow, campaign: CampaignRow) => Promise<T>,
  ): Promise<T> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const campaignId = await this.campaignOf(interactionId);
      const result = await this.run(async (uow) => {
        const interaction = await this.lockInteraction(uow, interactionId, campaignId);
        if (interaction === 'moved') return { moved: true as const };
        const campaign = (await this.campaign(uow.em, campaignId))!;
        return { moved: false as const, value: await work(uow, interaction, campaign) };
      });
      if (!result.moved) return result.value;
    }
    throw new ParleyError(ErrorCode.CONFLICT, 'The interaction is moving between campaigns; try again');
  }

  /**
   * An agent takes an interaction: their PENDING offer becomes ACCEPTED and the interaction ACTIVE
   * with them; any other pending offers (RINGALL) are revoked. In a MANUAL campaign a member takes a
   * QUEUED interaction directly, if eligible (capacity counts).
   */
  async accept(userId: string, interactionId: string): Promise<void> {
    // Taking an offer adds no load: only the interaction is locked. Taking a QUEUED chat of a MANUAL
    // campaign does, so that one goes again under the campaign's lock.
    const taken = await this.withInteractionOnly(
      interactionId,
      async (uow, interaction, campaign): Promise<'needs-campaign-lock' | 'done'> => {
        if (campaign.strategy === RoutingStrategy.MANUAL && interaction.status === 'QUEUED')
          return 'needs-campaign-lock';
        await this.acceptIn(uow, interaction, campaign, userId);
        return 'done';
      },
    );
    if (taken === 'needs-campaign-lock') {
      await this.withInteraction(interactionId, (uow, interaction, campaign) =>
        this.acceptIn(uow, interaction, campaign, userId),
      );
    }
  }

  private async acceptIn(
    uow: UnitOfWork,
    interaction: InteractionRow,
    campaign: CampaignRow,
    userId: string,
  ): Promise<void> {
    const { em } = uow;
    const [membership] = (await em.query(
      'SELECT position FROM campaign_members WHERE campaignId = ? AND userId = ?',
      [campaign.id, userId],
    )) as { position: number }[];
    if (interaction.status === 'ACTIVE' && interaction.agentId === userId) return; // already theirs
    if (campaign.strategy === RoutingStrategy.MANUAL && interaction.status === 'QUEUED') {
      if (!membership) throw ParleyError.forbidden('You are not a member of this campaign');
      const me = (await this.candidates(em, campaign, campaign.now)).find((c) => c.userId === userId)!;
      const can = eligibility(me, campaign);
      if (!can.eligible) {
        throw new ParleyError(ErrorCode.CONFLICT, `You cannot take this interaction now: ${can.reason}`, {
          reason: can.reason,
        });
      }
      await em.query(
        "UPDATE interactions SET status = 'ACTIVE', agentId = ?, assignedAt = NOW(3) WHERE id = ?",
        [userId, interaction.id],
      );
      this.inbox(uow, userId, interaction.id, 'ASSIGNED');
      uow.publish(ManualQueueChanged, { campaignId: campaign.id, interactionId: interaction.id });
      return;
    }
    const [offer] = (await em.query(
      `SELECT id FROM interaction_offers
        WHERE interactionId = ? AND userId = ? AND status = 'PENDING' FOR UPDATE`,
      [interaction.id, userId],
    )) as { id: string }[];
    if (!offer) {
      if (!membership) throw ParleyError.forbidden('This interaction was not offered to you');
      const why =
        interaction.status === 'ACTIVE' || interaction.status === 'CLOSED'
          ? 'it was already taken'
          : interaction.status === 'OFFERED'
            ? 'it is offered to someone else'
            : 'it is not offered to you (the offer may have timed out)';
      throw new ParleyError(ErrorCode.CONFLICT, `You cannot accept this interaction: ${why}`);
    }
    await em.query("UPDATE interaction_offers SET status = 'ACCEPTED', endedAt = NOW(3) WHERE id = ?", [
      offer.id,
    ]);
    const others = (await em.query(
      "SELECT id, userId FROM interaction_offers WHERE interactionId = ? AND status = 'PENDING' FOR UPDATE",
      [interaction.id],
    )) as { id: string; userId: string }[];
    for (const other of others) {
      await em.query("UPDATE interaction_offers SET status = 'REVOKED', endedAt = NOW(3) WHERE id = ?", [
        other.id,
      ]);
      this.inbox(uow, other.userId, interaction.id, 'REVOKED');
    }
    await em.query(
      "UPDATE interactions SET status = 'ACTIVE', agentId = ?, assignedAt = NOW(3) WHERE id = ?",
      [userId, interaction.id],
    );
    if (campaign.strategy === RoutingStrategy.RRMEMORY && membership) {
      await em.query(
        'UPDATE campaign_routing_state SET lastAssignedUserId = ?, lastAssignedPosition = ? WHERE campaignId = ?',
        [userId, membership.position, campaign.id],
      );
    }
    this.inbox(uow, userId, interaction.id, 'ASSIGNED');
    // Revoked RINGALL seats freed capacity of the others.
    if (others.length) uow.enqueue(JobName.RouteCampaign, { campaignId: campaign.id });
  }

  private mayHandle(principal: Principal, interaction: InteractionRow): boolean {
    if (principal.role === Role.ADMIN || principal.role === Role.SUPERVISOR) return true;
    return principal.kind === 'user' && interaction.agentId === principal.userId;
  }

  /** ACTIVE -> CLOSED by its agent (or an admin/supervisor), then the campaign routes: a seat freed. */
  async close(principal: Principal, interactionId: string, disposition: string | null): Promise<void> {
    const text = disposition?.trim() || null;
    if (text && text.length > DISPOSITION_MAX) {
      throw ParleyError.badInput('disposition', `must be at most ${DISPOSITION_MAX} characters`);
    }
    // Closing frees a seat and adds none: the interaction's lock is enough (see withInteractionOnly).
    await this.withInteractionOnly(interactionId, async (uow, interaction, campaign) => {
      if (!this.mayHandle(principal, interaction)) {
        throw ParleyError.forbidden('Only the agent handling this interaction can close it');
      }
      if (interaction.status !== 'ACTIVE') {
        throw new ParleyError(
          ErrorCode.CONFLICT,
          `Only an ACTIVE interaction can be closed; this one is ${interaction.status}`,
        );
      }
      await uow.em.query(
        "UPDATE interactions SET status = 'CLOSED', closedAt = NOW(3), disposition = ? WHERE id = ?",
        [text, interaction.id],
      );
      if (interaction.agentId) {
        // The agent's figures for LEASTRECENT and FEWESTCALLS; a new local day starts the count
        // again (MariaDB assigns left to right: the count reads the old completedDay).
        await uow.em.query(
          `INSERT INTO campaign_agent_counters (campaignId, userId, lastEndedAt, completedDay, completedOnDay)
           VALUES (?, ?, NOW(3), ?, 1)
           ON DUPLICATE KEY UPDATE
             completedOnDay = IF(completedDay = VALUES(completedDay), completedOnDay + 1, 1),
             completedDay = VALUES(completedDay),
             lastEndedAt = GREATEST(COALESCE(lastEndedAt, VALUES(lastEndedAt)), VALUES(lastEndedAt))`,
          [campaign.id, interaction.agentId, localDay(new Date(), campaign.timezone)],
        );
      }
      if (interaction.agentId) this.inbox(uow, interaction.agentId, interaction.id, 'CLOSED');
      uow.enqueue(JobName.RouteCampaign, { campaignId: campaign.id });
    });
  }

  /**
   * Hands an ACTIVE interaction on. To an agent: they must be eligible in its campaign (else
   * CONFLICT with the reason); it becomes OFFERED to them alone (the offer times out like any
   * other). To a campaign: see transferToCampaign. The former agent gets REVOKED either way, and
   * the decision is recorded as strategy TRANSFER.
   */
  async transfer(
    principal: Principal,
    interactionId: string,
    target: { toUserId?: string | null; toCampaignId?: string | null },
  ): Promise<void> {
    const { toUserId, toCampaignId } = target;
    if (!toUserId === !toCampaignId) {
      throw ParleyError.badInput('toUserId', 'give exactly one of toUserId and toCampaignId');
    }
    if (toUserId) {
      await this.withInteraction(interactionId, async (uow, interaction, campaign) => {
        this.assertTransferable(principal, interaction);
        if (interaction.agentId === toUserId) {
          throw new ParleyError(ErrorCode.CONFLICT, 'The interaction is already with this agent');
        }
        const candidates = await this.candidates(uow.em, campaign, campaign.now);
        const target = candidates.find((c) => c.userId === toUserId);
        const can = target
          ? eligibility(target, campaign)
          : { eligible: false, reason: 'not-member' as const };
        if (!can.eligible) {
          throw new ParleyError(ErrorCode.CONFLICT, `Agent ${toUserId} cannot take it: ${can.reason}`, {
            reason: can.reason,
          });
        }
        const former = interaction.agentId;
        await this.record(uow.em, interaction.id, campaign.id, {
          strategy: 'TRANSFER' as RoutingStrategy,
          chosen: [toUserId],
          reason: `TRANSFER: transferred by ${this.who(principal)} to agent ${toUserId}`,
          candidates: [
            {
              userId: target!.userId,
              eligible: true,
              load: target!.load,
              penalty: target!.penalty,
              position: target!.position,
              lastEndedAt: target!.lastEndedAt,
              completedToday: target!.completedToday,
            },
          ],
        });
        await this.makeOffers(uow, interaction.id, campaign.id, [toUserId]);
        if (former) this.inbox(uow, former, interaction.id, 'REVOKED');
        uow.enqueue(JobName.RouteCampaign, { campaignId: campaign.id });
      });
      return;
    }
    await this.transferToCampaign(principal, interactionId, toCampaignId!);
  }

  /**
   * Moves an ACTIVE interaction into another campaign's queue (queuedAt now, no agent excluded)
   * and routes both campaigns: a seat freed in the one, a chat waiting in the other.
   * The target must be an enabled MESSENGER campaign "of the same page" (product.md section 4). A
   * page belongs to at most one campaign, so that is a campaign connected to no page, or to the
   * conversation's own page: the conversation stays on its page (customer messages join it, replies
   * go out with the page's token), only its queue and its agents change. A campaign of another page
   * is refused: its agents would answer as a page that is not theirs.
   */
  private async transferToCampaign(principal: Principal, interactionId: string, toCampaignId: string) {
    const fromCampaignId = await this.campaignOf(interactionId);
    await this.run(async (uow) => {
      const { em } = uow;
      // Both campaigns' locks, in id order, so two opposite transfers cannot deadlock.
      for (const id of [...new Set([fromCampaignId, toCampaignId])].sort()) await this.lock(em, id);
      const [interaction] = (await em.query(
        'SELECT id, campaignId, contactId, agentId, status FROM interactions WHERE id = ? FOR UPDATE',
        [interactionId],
      )) as InteractionRow[];
      if (!interaction) throw ParleyError.notFound('Interaction', interactionId);
      if (interaction.campaignId !== fromCampaignId) {
        throw new ParleyError(ErrorCode.CONFLICT, 'The interaction moved meanwhile; try again');
      }
      this.assertTransferable(principal, interaction);
      const [from, to] = [await this.campaign(em, fromCampaignId), await this.campaign(em, toCampaignId)];
      if (!to) throw ParleyError.notFound('Campaign', toCampaignId);
      if (to.id === fromCampaignId) {
        throw new ParleyError(ErrorCode.CONFLICT, `The interaction is already in campaign "${to.name}"`);
      }
      if (to.channel !== Channel.MESSENGER) {
        throw ParleyError.badInput(
          'toCampaignId',
          `"${to.name}" is a ${to.channel} campaign, which takes no chats; choose a MESSENGER campaign`,
        );
      }
      if (!to.enabled) {
        throw new ParleyError(ErrorCode.CONFLICT, `Campaign "${to.name}" is disabled and takes no chats`, {
          reason: 'disabled',
        });
      }
      const [contact] = (await em.query('SELECT pageId FROM contacts WHERE id = ?', [
        interaction.contactId,
      ])) as { pageId: string }[];
      if (to.pageId && to.pageId !== contact.pageId) {
        throw new ParleyError(
          ErrorCode.CONFLICT,
          `Campaign "${to.name}" belongs to another Facebook page${to.pageName ? ` (${to.pageName})` : ''}; a chat can only move to a campaign of its own page or one with no page of its own`,
          { reason: 'other-page' },
        );
      }
      const [open] = (await em.query(
        'SELECT id FROM interactions WHERE campaignId = ? AND openContactId = ?',
        [toCampaignId, interaction.contactId],
      )) as unknown[];
      if (open) {
        throw new ParleyError(
          ErrorCode.CONFLICT,
          `This customer already has an open interaction in campaign "${to.name}"`,
          { reason: 'already-open' },
        );
      }
      await em.query(
        `UPDATE interactions SET campaignId = ?, status = 'QUEUED', agentId = NULL, assignedAt = NULL,
                queuedAt = NOW(3), excludedUserIds = NULL WHERE id = ?`,
        [toCampaignId, interaction.id],
      );
      await this.record(em, interaction.id, toCampaignId, {
        strategy: 'TRANSFER' as RoutingStrategy,
        chosen: [],
        candidates: [],
        reason: `TRANSFER: transferred by ${this.who(principal)} from campaign "${from!.name}" to the queue of campaign "${to.name}"`,
      });
      uow.publish(InteractionQueued, { interactionId: interaction.id, campaignId: toCampaignId });
      uow.publish(ManualQueueChanged, { campaignId: toCampaignId, interactionId: interaction.id });
      if (interaction.agentId) this.inbox(uow, interaction.agentId, interaction.id, 'REVOKED');
      uow.enqueue(JobName.RouteCampaign, { campaignId: fromCampaignId });
      uow.enqueue(JobName.RouteCampaign, { campaignId: toCampaignId });
    });
  }

  private who(principal: Principal): string {
    return principal.kind === 'user' ? `user ${principal.userId}` : `API key ${principal.apiKeyId}`;
  }

  private assertTransferable(principal: Principal, interaction: InteractionRow) {
    if (!this.mayHandle(principal, interaction)) {
      throw ParleyError.forbidden('Only the agent handling this interaction can transfer it');
    }
    if (interaction.status !== 'ACTIVE') {
      throw new ParleyError(
        ErrorCode.CONFLICT,
        `Only an ACTIVE interaction can be transferred; this one is ${interaction.status}`,
      );
    }
  }

  /** The agent's presence changed: AVAILABLE routes their campaigns; OFFLINE revokes their offers. */
  async presenceChanged(userId: string): Promise<void> {
    const [user] = (await this.dataSource.query('SELECT presence, active FROM users WHERE id = ?', [
      userId,
    ])) as { presence: Presence; active: number }[];
    if (!user) return;
    if (user.presence === Presence.OFFLINE || !user.active) {
      await this.revokeOffersOf(userId);
      if (!user.active) await this.releaseChatsOf(userId);
      return;
    }
    if (user.presence !== Presence.AVAILABLE) return;
    const campaigns = (await this.dataSource.query(
      `SELECT m.campaignId FROM campaign_members m JOIN campaigns c ON c.id = m.campaignId
        WHERE m.userId = ? AND c.channel = 'MESSENGER' AND c.enabled = 1`,
      [userId],
    )) as { campaignId: string }[];
    for (const { campaignId } of campaigns) await this.routeCampaign(campaignId);
  }

  /**
   * A deactivated agent's ACTIVE chats go back to their campaigns' queues at their place (queuedAt
   * kept: those customers were being served), so no chat stays with an account that cannot sign
   * in; each campaign is routed at once. Recorded as strategy RELEASE. A chat closed or moved
   * meanwhile is left alone. Returns how many went back.
   */
  async releaseChatsOf(userId: string): Promise<number> {
    const held = (await this.dataSource.query(
      "SELECT id FROM interactions WHERE agentId = ? AND status = 'ACTIVE'",
      [userId],
    )) as { id: string }[];
    let released = 0;
    for (const { id } of held) {
      // Freeing a seat adds no load: the interaction's lock is enough (see withInteractionOnly).
      await this.withInteractionOnly(id, async (uow, interaction, campaign) => {
        if (interaction.status !== 'ACTIVE' || interaction.agentId !== userId) return;
        await uow.em.query(
          "UPDATE interactions SET status = 'QUEUED', agentId = NULL, assignedAt = NULL WHERE id = ?",
          [id],
        );
        await this.record(uow.em, id, campaign.id, {
          strategy: 'RELEASE' as RoutingStrategy,
          chosen: [],
          candidates: [],
          reason: `RELEASE: the agent's account was deactivated; back in the queue of "${campaign.name}" at its place`,
        });
        this.inbox(uow, userId, id, 'REVOKED');
        uow.publish(InteractionQueued, { interactionId: id, campaignId: campaign.id });
        uow.publish(ManualQueueChanged, { campaignId: campaign.id, interactionId: id });
        uow.enqueue(JobName.RouteCampaign, { campaignId: campaign.id });
        released++;
      });
    }
    if (released)
      this.logger.log(`Released ${released} chats of deactivated agent ${userId} to their queues`);
    return released;
  }

  /**
   * The safety net: expires offers whose job was lost, then routes every campaign with QUEUED
   * interactions (which also abandons the overdue ones).
   */
  async sweep(): Promise<{ expired: number; routed: number }> {
    const overdue = (await this.dataSource.query(
      "SELECT id FROM interaction_offers WHERE status = 'PENDING' AND expiresAt < NOW(3) - INTERVAL 2 SECOND LIMIT 500",
    )) as { id: string }[];
    let expired = 0;
    for (const { id } of overdue) if (await this.expireOffer(id)) expired++;
    const campaigns = (await this.dataSource.query(
      "SELECT DISTINCT campaignId FROM interactions WHERE status = 'QUEUED'",
    )) as { campaignId: string }[];
    let routed = 0;
    for (const { campaignId } of campaigns) {
      try {
        routed += await this.routeCampaign(campaignId);
      } catch (error) {
        this.logger.warn(`Sweep could not route campaign ${campaignId}: ${String(error)}`);
      }
    }
    return { expired, routed };
  }
}
