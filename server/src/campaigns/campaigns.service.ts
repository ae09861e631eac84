import type { ScheduleRange } from '@parley/libs/schedule/schedule.js';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, type FindOptionsWhere, In, Repository } from 'typeorm';
import {
  CANNED_RESPONSES_MAX,
  campaignDefaults,
  type CampaignSettings,
  type CampaignSettingsInput,
  type CannedResponseText,
  normalizeCampaignInput,
  validateCampaignInput,
  validateCannedResponse,
} from '@parley/libs/campaigns/campaign-rules.js';
import type { Channel, RoutingStrategy } from '@parley/libs/shared/campaigns.js';
import { CampaignChanged, type Json, type JsonObject } from '../events/catalogue.js';
import { isDuplicateKey, isReferencedRow } from '../infrastructure/database/errors.js';
import { ErrorCode, ParleyError } from '../infrastructure/errors/parley-error.js';
import { JobName } from '../infrastructure/queues/queue-registry.js';
import { Transactions, type UnitOfWork } from '../infrastructure/events/after-commit.js';
import { ANY_OWNER } from '../infrastructure/events/event.js';
import { EventBus } from '../infrastructure/events/event-bus.service.js';
import { CampaignEntity } from './campaign.entity.js';
import { CannedResponseEntity } from './canned-response.entity.js';

/** What `campaignChanged` carries: the campaign, and `deleted` on the event announcing its deletion. */
export type CampaignChange = CampaignEntity & { deleted?: boolean };

/**
 * Which campaigns a caller may read: every one (admins, supervisors), those of these ids (an
 * agent's own campaigns, which the members module knows), or none (an AGENT API key).
 */
export type CampaignScope = 'all' | readonly string[];

const WITH_RESPONSES = {
  relations: { cannedResponses: true },
  order: { cannedResponses: { position: 'ASC' } },
} as const;

/** Only the fields the caller gave: on update, omitted means unchanged. */
const given = <T extends object>(input: T): Partial<T> =>
  Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)) as Partial<T>;

/** A deleted campaign's last state for its deletion event; dates become ISO strings, explicitly. */
export function campaignSnapshot(campaign: CampaignEntity): JsonObject {
  return JSON.parse(JSON.stringify(campaign)) as JsonObject;
}

/** The deletion event's snapshot back into the shape the API serves, dates named one by one. */
export function campaignFromSnapshot(snapshot: JsonObject): CampaignChange {
  const date = (value: Json | undefined) => (typeof value === 'string' ? new Date(value) : null);
  const campaign = snapshot as unknown as CampaignEntity;
  return {
    ...campaign,
    createdAt: date(snapshot.createdAt)!,
    updatedAt: date(snapshot.updatedAt)!,
    tokenCheckedAt: date(snapshot.tokenCheckedAt),
    pageConnectedAt: date(snapshot.pageConnectedAt),
    cannedResponses: campaign.cannedResponses.map((r) => ({
      ...r,
      createdAt: new Date(r.createdAt),
      updatedAt: new Date(r.updatedAt),
    })),
    deleted: true,
  } as CampaignChange;
}

/** A page's campaign as webhook ingest needs it. */
export interface PageCampaign {
  id: string;
  enabled: boolean;
  channel: Channel;
  schedule: ScheduleRange[];
  timezone: string;
  afterHoursMessage: string | null;
  /** Whether waiting customers are told their place in the queue (docs/routing.md#queue-position). */
  announceQueuePosition: boolean;
  /** MANUAL: agents pick from the queue, which is pushed to them (manual-queue.changed). */
  strategy: RoutingStrategy;
}

/**
 * How long findByPageId's answer is kept at most. Any campaign change forgets them all at once
 * (campaignChanged, from whichever instance); this bounds what a change made behind Parley's back
 * (SQL by hand) or announced while Redis was away can leave stale.
 */
const PAGE_OWNER_CACHE_MS = 5_000;
/** Pages remembered at most (orphan pages are remembered too). */
const PAGE_OWNER_CACHE_MAX = 10_000;

@Injectable()
export class CampaignsService implements OnModuleInit {
  /** findByPageId's answers by page: every customer message asks, campaigns rarely change. */
  private readonly pageOwners = new Map<string, { owner: PageCampaign | null; until: number }>();
  /** Bumped by every forget, so a read that began before a change does not store its answer. */
  private pageOwnersGeneration = 0;

  constructor(
    @InjectRepository(CampaignEntity) private readonly campaigns: Repository<CampaignEntity>,
    @InjectRepository(CannedResponseEntity) private readonly responses: Repository<CannedResponseEntity>,
    private readonly transactions: Transactions,
    private readonly bus: EventBus,
  ) {}

  async onModuleInit() {
    await this.bus.subscribe(CampaignChanged, ANY_OWNER, () => {
      this.pageOwnersGeneration++;
      this.pageOwners.clear();
    });
  }

  /** The campaigns in scope, by name. */
  list(scope: CampaignScope, channel?: Channel | null): Promise<CampaignEntity[]> {
    if (scope !== 'all' && !scope.length) return Promise.resolve([]);
    const where: FindOptionsWhere<CampaignEntity> = scope === 'all' ? {} : { id: In([...scope]) };
    if (channel) where.channel = channel;
    return this.campaigns.find({ where, ...WITH_RESPONSES, order: { name: 'ASC', ...WITH_RESPONSES.order } });
  }

  /** One campaign if it is in scope, else null (an agent cannot tell others' campaigns exist). */
  findInScope(scope: CampaignScope, id: string): Promise<CampaignEntity | null> {
    if (scope !== 'all' && !scope.includes(id)) return Promise.resolve(null);
    return this.campaigns.findOne({ where: { id }, ...WITH_RESPONSES });
  }

  /** Ids of every campaign of a channel (VOICE ones decide who receives interactions). */
  async idsOfChannel(channel: Channel): Promise<string[]> {
    const rows = await this.campaigns.find({ select: { id: true }, where: { channel } });
    return rows.map((c) => c.id);
  }

  /**
   * The campaign owning a Facebook page (a page belongs to at most one), for webhook ingest, with
   * what decides its automatic messages (after hours, queue position); null if none.
   */
  async findByPageId(pageId: string): Promise<PageCampaign | null> {
    const known = this.pageOwners.get(pageId);
    if (known && known.until > Date.now()) return known.owner;
    const generation = this.pageOwnersGeneration;
    const found = await this.campaigns.findOne({
      select: {
        id: true,
        enabled: true,
        channel: true,
        schedule: true,
        timezone: true,
        afterHoursMessage: true,
        announceQueuePosition: true,
        strategy: true,
      },
      where: { pageId },
    });
    const owner: PageCampaign | null = found
      ? {
          id: found.id,
          enabled: found.enabled,
          channel: found.channel,
          schedule: found.schedule,
          timezone: found.timezone,
          afterHoursMessage: found.afterHoursMessage,
          announceQueuePosition: found.announceQueuePosition,
          strategy: found.strategy,
        }
      : null;
    if (generation === this.pageOwnersGeneration) {
      if (this.pageOwners.size >= PAGE_OWNER_CACHE_MAX) this.pageOwners.clear();
      this.pageOwners.set(pageId, { owner, until: Date.now() + PAGE_OWNER_CACHE_MS });
    }
    return owner;
  }

  async getById(id: string): Promise<CampaignEntity> {
    const campaign = await this.campaigns.findOne({ where: { id }, ...WITH_RESPONSES });
    if (!campaign) throw ParleyError.notFound('Campaign', id);
    return campaign;
  }

  /** The campaigns in the order of `ids` (unknown ids are skipped). */
  async getMany(ids: readonly string[]): Promise<CampaignEntity[]> {
    if (!ids.length) return [];
    const found = await this.campaigns.find({ where: { id: In([...ids]) }, ...WITH_RESPONSES });
    const byId = new Map(found.map((c) => [c.id, c]));
    return [...new Set(ids)].flatMap((id) => byId.get(id) ?? []);
  }

  async create(raw: CampaignSettingsInput): Promise<CampaignEntity> {
    const input = normalizeCampaignInput(raw);
    const problems = validateCampaignInput(input);
    if (problems.length) throw ParleyError.invalid(problems);
    const { cannedResponses, ...settings } = { ...campaignDefaults(), ...given(input) } as CampaignSettings;
    const campaign = this.campaigns.create(settings);
    await this.saving(settings.name, async (uow) => {
      await uow.em.insert(CampaignEntity, campaign);
      await this.insertResponses(uow.em, campaign.id, cannedResponses, 1);
      this.announce(uow, campaign.id);
    });
    return this.getById(campaign.id);
  }

  /** Partial: omitted fields stay; a given schedule or canned-response list replaces the whole list. */
  async update(id: string, raw: CampaignSettingsInput): Promise<CampaignEntity> {
    const input = normalizeCampaignInput(raw);
    await this.saving(input.name, async (uow) => {
      const { em } = uow;
      const [current] = await this.lockForUpdate(em, [id]);
      const problems = validateCampaignInput(input, current);
      if (problems.length) throw ParleyError.invalid(problems);
      const { cannedResponses, ...settings } = given(input);
      if (Object.keys(settings).length)
        await em.update(CampaignEntity, { id }, settings as Partial<CampaignEntity>);
      if (cannedResponses) {
        await em.delete(CannedResponseEntity, { campaignId: id });
        await this.insertResponses(em, id, cannedResponses, 1);
      }
      this.announce(uow, id);
    });
    return this.getById(id);
  }

  /**
   * Refused (CONFLICT) once the campaign has interactions: history is never deleted with it. The
   * interactions' RESTRICT foreign key decides, races included; this module never reads their table.
   */
  async delete(id: string): Promise<boolean> {
    let name = id;
    try {
      await this.transactions.run(async (uow) => {
        await this.lockForUpdate(uow.em, [id]);
        const last = await uow.em.findOneOrFail(CampaignEntity, { where: { id }, ...WITH_RESPONSES });
        name = last.name;
        await uow.em.delete(CampaignEntity, { id });
        uow.publish(CampaignChanged, { campaignId: id, deleted: campaignSnapshot(last) });
      });
    } catch (error) {
      if (isReferencedRow(error)) {
        throw new ParleyError(
          ErrorCode.CONFLICT,
          `Campaign "${name}" has interactions and cannot be deleted; disable it instead (enabled: false) so its history is kept`,
          { id },
        );
      }
      throw error;
    }
    return true;
  }

  /** Appends one canned response to the campaign's list. */
  async addCannedResponse(campaignId: string, raw: CannedResponseText): Promise<CampaignEntity> {
    const response = { title: raw.title?.trim(), text: raw.text?.trim() };
    const problems = validateCannedResponse(response);
    if (problems.length) throw ParleyError.invalid(problems);
    await this.transactions.run(async (uow) => {
      const { em } = uow;
      await this.lockForUpdate(em, [campaignId]);
      const count = await em.count(CannedResponseEntity, { where: { campaignId } });
      if (count >= CANNED_RESPONSES_MAX) {
        throw ParleyError.badInput(
          'cannedResponses',
          `must have at most ${CANNED_RESPONSES_MAX} responses; remove one first`,
        );
      }
      const last = (await em.maximum(CannedResponseEntity, 'position', { campaignId })) ?? 0;
      await this.insertResponses(em, campaignId, [response], last + 1);
      this.announce(uow, campaignId);
    });
    return this.getById(campaignId);
  }

  async updateCannedResponse(id: string, raw: CannedResponseText): Promise<CampaignEntity> {
    const response = { title: raw.title?.trim(), text: raw.text?.trim() };
    const problems = validateCannedResponse(response);
    if (problems.length) throw ParleyError.invalid(problems);
    const campaignId = await this.transactions.run(async (uow) => {
      const existing = await uow.em.findOneBy(CannedResponseEntity, { id });
      if (!existing) throw ParleyError.notFound('Canned response', id);
      await uow.em.update(CannedResponseEntity, { id }, response);
      this.announce(uow, existing.campaignId);
      return existing.campaignId;
    });
    return this.getById(campaignId);
  }

  async removeCannedResponse(id: string): Promise<CampaignEntity> {
    const campaignId = await this.transactions.run(async (uow) => {
      const existing = await uow.em.findOneBy(CannedResponseEntity, { id });
      if (!existing) throw ParleyError.notFound('Canned response', id);
      await uow.em.delete(CannedResponseEntity, { id });
      this.announce(uow, existing.campaignId);
      return existing.campaignId;
    });
    return this.getById(campaignId);
  }

  /**
   * Locks the campaigns' rows until the transaction ends (membership and settings changes of one
   * campaign then run one at a time), in id order so concurrent callers cannot deadlock.
   * Refuses with NOT_FOUND, naming it, the first id that does not exist.
   */
  async lockForUpdate(em: EntityManager, ids: readonly string[]): Promise<CampaignEntity[]> {
    const unique = [...new Set(ids)].sort();
    const found = await em.find(CampaignEntity, {
      where: { id: In(unique) },
      order: { id: 'ASC' },
      lock: { mode: 'pessimistic_write' },
    });
    const missing = [...new Set(ids)].find((id) => !found.some((c) => c.id === id));
    if (missing) throw ParleyError.notFound('Campaign', missing);
    return found;
  }

  /** `campaignChanged` for this campaign once the unit of work commits (members' changes too). */
  announce(uow: UnitOfWork, campaignId: string): void {
    uow.publish(CampaignChanged, { campaignId, deleted: null });
    // Settings or members changed (enabled, capacity, a member added, VOICE membership): capacity may
    // have appeared, so routing looks at the queue again. A job, so it survives a crash after commit.
    uow.enqueue(JobName.RouteCampaign, { campaignId });
  }

  private async insertResponses(
    em: EntityManager,
    campaignId: string,
    list: CannedResponseText[],
    first: number,
  ) {
    if (!list.length) return;
    const rows = list.map((r, i) =>
      em.create(CannedResponseEntity, { campaignId, position: first + i, ...r }),
    );
    await em.insert(CannedResponseEntity, rows);
  }

  /** One transaction; the unique index (not a read before the write) decides duplicate names, races included. */
  private async saving(name: string | null | undefined, work: (uow: UnitOfWork) => Promise<void>) {
    try {
      await this.transactions.run(work);
    } catch (error) {
      if (isDuplicateKey(error))
        throw ParleyError.badInput('name', `"${name}" is already used by another campaign`);
      throw error;
    }
  }
}
