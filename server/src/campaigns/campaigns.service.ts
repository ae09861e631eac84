import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, type EntityManager, type FindOptionsWhere, In, Raw, Repository } from 'typeorm';
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
import type { Channel } from '@parley/libs/shared/campaigns.js';
import { Role } from '@parley/libs/shared/roles.js';
import type { Principal } from '../auth/principal.js';
import { isDuplicateKey, isReferencedRow } from '../infrastructure/database/errors.js';
import { ErrorCode, ParleyError } from '../infrastructure/errors/parley-error.js';
import { PubSubService, Trigger } from '../infrastructure/pubsub/pubsub.service.js';
import { CampaignEntity } from './campaign.entity.js';
import { CannedResponseEntity } from './canned-response.entity.js';

/** What `campaignChanged` carries: the campaign, and `deleted` on the event announcing its deletion. */
export type CampaignChange = CampaignEntity & { deleted?: boolean };

const WITH_RESPONSES = {
  relations: { cannedResponses: true },
  order: { cannedResponses: { position: 'ASC' } },
} as const;

/** Only the fields the caller gave: on update, omitted means unchanged. */
const given = <T extends object>(input: T): Partial<T> =>
  Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)) as Partial<T>;

@Injectable()
export class CampaignsService {
  constructor(
    @InjectRepository(CampaignEntity) private readonly campaigns: Repository<CampaignEntity>,
    @InjectRepository(CannedResponseEntity) private readonly responses: Repository<CannedResponseEntity>,
    private readonly dataSource: DataSource,
    private readonly pubsub: PubSubService,
  ) {}

  /** Every campaign, by name. */
  list(channel?: Channel | null): Promise<CampaignEntity[]> {
    return this.findByName(channel ? { channel } : {});
  }

  /**
   * Campaigns the caller may read, by name: admins and supervisors see all; an agent sees the
   * campaigns they are a member of (for their canned responses); an agent API key acts for nobody.
   */
  listVisible(viewer: Principal, channel?: Channel | null): Promise<CampaignEntity[]> {
    const where = this.visibleWhere(viewer);
    if (!where) return Promise.resolve([]);
    if (channel) where.channel = channel;
    return this.findByName(where);
  }

  private findByName(where: FindOptionsWhere<CampaignEntity>): Promise<CampaignEntity[]> {
    return this.campaigns.find({ where, ...WITH_RESPONSES, order: { name: 'ASC', ...WITH_RESPONSES.order } });
  }

  /** One campaign if the caller may read it, else null (an agent cannot tell others' campaigns exist). */
  findVisible(viewer: Principal, id: string): Promise<CampaignEntity | null> {
    const where = this.visibleWhere(viewer, id);
    if (!where) return Promise.resolve(null);
    return this.campaigns.findOne({ where, ...WITH_RESPONSES });
  }

  private visibleWhere(viewer: Principal, id?: string): FindOptionsWhere<CampaignEntity> | null {
    if (viewer.role !== Role.AGENT) return id === undefined ? {} : { id };
    if (viewer.kind !== 'user') return null;
    // campaign_members belongs to the members module; reading it by name here keeps the module
    // dependency one-way (members -> campaigns).
    const member = (column: string) =>
      `${column} IN (SELECT m.campaignId FROM campaign_members m WHERE m.userId = :viewerId)`;
    return {
      id: Raw((column) => (id === undefined ? member(column) : `${column} = :id AND ${member(column)}`), {
        viewerId: viewer.userId,
        id,
      }),
    };
  }

  /** Ids of every campaign of a channel (VOICE ones decide who receives interactions). */
  async idsOfChannel(channel: Channel): Promise<string[]> {
    const rows = await this.campaigns.find({ select: { id: true }, where: { channel } });
    return rows.map((c) => c.id);
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
    await this.saving(settings.name, async (em) => {
      await em.insert(CampaignEntity, campaign);
      await this.insertResponses(em, campaign.id, cannedResponses, 1);
    });
    return this.changed(campaign.id);
  }

  /** Partial: omitted fields stay; a given schedule or canned-response list replaces the whole list. */
  async update(id: string, raw: CampaignSettingsInput): Promise<CampaignEntity> {
    const input = normalizeCampaignInput(raw);
    await this.saving(input.name, async (em) => {
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
    });
    return this.changed(id);
  }

  /** Refused (CONFLICT) once the campaign has interactions: history is never deleted with it. */
  async delete(id: string): Promise<boolean> {
    let last!: CampaignEntity;
    const refuse = (name: string) =>
      new ParleyError(
        ErrorCode.CONFLICT,
        `Campaign "${name}" has interactions and cannot be deleted; disable it instead (enabled: false) so its history is kept`,
        { id },
      );
    try {
      await this.dataSource.transaction(async (em) => {
        await this.lockForUpdate(em, [id]);
        last = await em.findOneOrFail(CampaignEntity, { where: { id }, ...WITH_RESPONSES });
        const used = await em.query('SELECT 1 FROM interactions WHERE campaignId = ? LIMIT 1', [id]);
        if ((used as unknown[]).length) throw refuse(last.name);
        await em.delete(CampaignEntity, { id });
      });
    } catch (error) {
      // An interaction created between the check and the delete: the RESTRICT key refuses it.
      if (isReferencedRow(error)) throw refuse(last?.name ?? id);
      throw error;
    }
    await this.pubsub.publish(Trigger.CampaignChanged, { campaignChanged: { ...last, deleted: true } });
    return true;
  }

  /** Appends one canned response to the campaign's list. */
  async addCannedResponse(campaignId: string, raw: CannedResponseText): Promise<CampaignEntity> {
    const response = { title: raw.title?.trim(), text: raw.text?.trim() };
    const problems = validateCannedResponse(response);
    if (problems.length) throw ParleyError.invalid(problems);
    await this.dataSource.transaction(async (em) => {
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
    });
    return this.changed(campaignId);
  }

  async updateCannedResponse(id: string, raw: CannedResponseText): Promise<CampaignEntity> {
    const response = { title: raw.title?.trim(), text: raw.text?.trim() };
    const problems = validateCannedResponse(response);
    if (problems.length) throw ParleyError.invalid(problems);
    const existing = await this.responses.findOneBy({ id });
    if (!existing) throw ParleyError.notFound('Canned response', id);
    await this.responses.update({ id }, response);
    return this.changed(existing.campaignId);
  }

  async removeCannedResponse(id: string): Promise<CampaignEntity> {
    const existing = await this.responses.findOneBy({ id });
    if (!existing) throw ParleyError.notFound('Canned response', id);
    await this.responses.delete({ id });
    return this.changed(existing.campaignId);
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

  /** Pushes `campaignChanged` with the committed state of each campaign; call after the transaction. */
  async publishChanged(ids: readonly string[]): Promise<CampaignEntity[]> {
    const campaigns = await this.getMany(ids);
    for (const campaign of campaigns) {
      await this.pubsub.publish(Trigger.CampaignChanged, { campaignChanged: campaign });
    }
    return campaigns;
  }

  /** The committed campaign after a change, announced to subscribers. */
  private async changed(id: string): Promise<CampaignEntity> {
    const [campaign] = await this.publishChanged([id]);
    // Deleted by someone else between our commit and this read.
    if (!campaign) throw ParleyError.notFound('Campaign', id);
    return campaign;
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
  private async saving(name: string | null | undefined, work: (em: EntityManager) => Promise<void>) {
    try {
      await this.dataSource.transaction(work);
    } catch (error) {
      if (isDuplicateKey(error))
        throw ParleyError.badInput('name', `"${name}" is already used by another campaign`);
      throw error;
    }
  }
}
