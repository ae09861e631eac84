import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, In, Repository } from 'typeorm';
import { moveTo, positionChanges, validateMemberChange } from '@parley/libs/campaigns/membership.js';
import { Channel } from '@parley/libs/shared/campaigns.js';
import { Role } from '@parley/libs/shared/roles.js';
import type { CampaignEntity } from '../campaigns/campaign.entity.js';
import type { CampaignMembershipLookup } from '../campaigns/campaign-membership.js';
import { CampaignsService } from '../campaigns/campaigns.service.js';
import { ErrorCode, ParleyError } from '../infrastructure/errors/parley-error.js';
import { Transactions, type UnitOfWork } from '../infrastructure/events/after-commit.js';
import { CampaignMemberEntity } from './campaign-member.entity.js';
import type { UserEntity } from './user.entity.js';
import { UsersService } from './users.service.js';

/** A membership as the API shows it. */
export interface CampaignMemberView {
  /** `<campaignId>:<userId>`: the same for one pair whatever happens to the membership row. */
  id: string;
  campaignId: string;
  user: UserEntity;
  penalty: number;
  position: number;
  receivesInteractions: boolean;
}

const unique = (ids: readonly string[]) => [...new Set(ids)];

/**
 * Memberships (docs/members.md#memberships). Every change of a campaign's members runs with that
 * campaign's row locked, so concurrent adds cannot hand out the same position.
 */
@Injectable()
export class MembersService implements CampaignMembershipLookup {
  constructor(
    @InjectRepository(CampaignMemberEntity) private readonly members: Repository<CampaignMemberEntity>,
    private readonly campaigns: CampaignsService,
    private readonly users: UsersService,
    private readonly transactions: Transactions,
  ) {}

  /** CampaignMembershipLookup: ids of the campaigns the user is a member of. */
  async campaignIdsOf(userId: string): Promise<string[]> {
    const rows = await this.members.find({ select: { campaignId: true }, where: { userId } });
    return rows.map((m) => m.campaignId);
  }

  /** Members of each campaign, by position. */
  async membersOf(campaignIds: readonly string[]): Promise<Map<string, CampaignMemberView[]>> {
    const result = new Map<string, CampaignMemberView[]>(campaignIds.map((id) => [id, []]));
    if (!campaignIds.length) return result;
    const rows = await this.members.find({
      where: { campaignId: In([...campaignIds]) },
      relations: { user: true },
      order: { position: 'ASC' },
    });
    const receiving = await this.receivingInteractions(rows.map((m) => m.userId));
    for (const row of rows) result.get(row.campaignId)?.push(this.view(row, receiving));
    return result;
  }

  /** Of these users, those who may receive Messenger interactions: members of at least one VOICE campaign. */
  async receivingInteractions(userIds: readonly string[]): Promise<Set<string>> {
    const ids = unique(userIds);
    if (!ids.length) return new Set();
    const voice = await this.campaigns.idsOfChannel(Channel.VOICE);
    if (!voice.length) return new Set();
    const rows = await this.members
      .createQueryBuilder('m')
      .select('DISTINCT m.userId', 'userId')
      .where('m.userId IN (:...ids)', { ids })
      .andWhere('m.campaignId IN (:...voice)', { voice })
      .getRawMany<{ userId: string }>();
    return new Set(rows.map((r) => r.userId));
  }

  /**
   * Adds every user to every campaign; existing members are left as they are (idempotent). New
   * members go last, in the order given. Only active agents can be members.
   */
  async add(campaignIds: readonly string[], userIds: readonly string[]): Promise<CampaignEntity[]> {
    const cIds = unique(campaignIds);
    const uIds = unique(userIds);
    await this.assertAgents(uIds);
    await this.transactions.run(async (uow) => {
      const { em } = uow;
      const locked = await this.campaigns.lockForUpdate(em, cIds);
      const touched: CampaignEntity[] = [];
      for (const campaign of locked) {
        const existing = await em.find(CampaignMemberEntity, { where: { campaignId: campaign.id } });
        const have = new Set(existing.map((m) => m.userId));
        const joining = uIds.filter((id) => !have.has(id));
        if (!joining.length) continue;
        let position = Math.max(0, ...existing.map((m) => m.position));
        await em.insert(
          CampaignMemberEntity,
          joining.map((userId) =>
            em.create(CampaignMemberEntity, {
              campaignId: campaign.id,
              userId,
              penalty: 0,
              position: ++position,
            }),
          ),
        );
        touched.push(campaign);
      }
      await this.announce(uow, touched, uIds);
    });
    return this.campaigns.getMany(cIds);
  }

  /** Removes the users from the campaigns (non-members are ignored); the others close ranks. */
  async remove(campaignIds: readonly string[], userIds: readonly string[]): Promise<CampaignEntity[]> {
    const cIds = unique(campaignIds);
    const uIds = unique(userIds);
    await this.assertUsersExist(uIds);
    await this.transactions.run(async (uow) => {
      const { em } = uow;
      const locked = await this.campaigns.lockForUpdate(em, cIds);
      const touched: CampaignEntity[] = [];
      for (const campaign of locked) {
        const result = await em.delete(CampaignMemberEntity, { campaignId: campaign.id, userId: In(uIds) });
        if (!result.affected) continue;
        await this.renumber(em, await this.ordered(em, campaign.id));
        touched.push(campaign);
      }
      await this.announce(uow, touched, uIds);
    });
    return this.campaigns.getMany(cIds);
  }

  /** Changes a member's penalty and/or position; moving a member shifts the others so positions stay 1..n. */
  async update(
    campaignId: string,
    userId: string,
    change: { penalty?: number | null; position?: number | null },
  ): Promise<CampaignMemberView> {
    await this.assertUsersExist([userId]);
    await this.transactions.run(async (uow) => {
      const { em } = uow;
      const [campaign] = await this.campaigns.lockForUpdate(em, [campaignId]);
      const ordered = await this.ordered(em, campaignId);
      const member = ordered.find((m) => m.userId === userId);
      if (!member) {
        throw new ParleyError(
          ErrorCode.NOT_FOUND,
          `User ${userId} is not a member of campaign ${campaignId}`,
          {
            id: userId,
          },
        );
      }
      const problems = validateMemberChange(change, ordered.length);
      if (problems.length) throw ParleyError.invalid(problems);
      if (change.penalty != null && change.penalty !== member.penalty) {
        await em.update(CampaignMemberEntity, { id: member.id }, { penalty: change.penalty });
      }
      if (change.position != null) await this.renumber(em, moveTo(ordered, member, change.position));
      await this.announce(uow, [campaign], []);
    });
    const view = (await this.membersOf([campaignId])).get(campaignId)?.find((m) => m.user.id === userId);
    if (!view)
      throw new ParleyError(
        ErrorCode.NOT_FOUND,
        `User ${userId} is no longer a member of campaign ${campaignId}`,
      );
    return view;
  }

  private ordered(em: EntityManager, campaignId: string): Promise<CampaignMemberEntity[]> {
    // createdAt breaks ties should positions ever have been written out of step.
    return em.find(CampaignMemberEntity, {
      where: { campaignId },
      order: { position: 'ASC', createdAt: 'ASC' },
    });
  }

  private async renumber(em: EntityManager, ordered: CampaignMemberEntity[]) {
    for (const { item, position } of positionChanges(ordered)) {
      await em.update(CampaignMemberEntity, { id: item.id }, { position });
    }
  }

  /**
   * campaignChanged for the changed campaigns; when a VOICE campaign changed, also for every other
   * campaign of those users, whose `receivesInteractions` may have flipped. Read inside the
   * transaction, published after its commit.
   */
  private async announce(uow: UnitOfWork, changed: CampaignEntity[], userIds: string[]) {
    const ids = new Set(changed.map((c) => c.id));
    if (userIds.length && changed.some((c) => c.channel === Channel.VOICE)) {
      const others = await uow.em.find(CampaignMemberEntity, {
        select: { campaignId: true },
        where: { userId: In(userIds) },
      });
      for (const m of others) ids.add(m.campaignId);
    }
    for (const id of ids) this.campaigns.announce(uow, id);
  }

  private async assertUsersExist(userIds: string[]): Promise<UserEntity[]> {
    const found = await this.users.findByIds(userIds);
    const missing = userIds.find((id) => !found.some((u) => u.id === id));
    if (missing) throw ParleyError.notFound('User', missing);
    return found;
  }

  private async assertAgents(userIds: string[]) {
    const users = await this.assertUsersExist(userIds);
    for (const user of users) {
      if (user.role !== Role.AGENT) {
        throw ParleyError.badInput(
          'userIds',
          `"${user.username}" is ${user.role}; only agents can be campaign members`,
        );
      }
      if (!user.active) {
        throw ParleyError.badInput('userIds', `"${user.username}" is deactivated; reactivate them first`);
      }
    }
  }

  private view(row: CampaignMemberEntity, receiving: Set<string>): CampaignMemberView {
    return {
      id: `${row.campaignId}:${row.userId}`,
      campaignId: row.campaignId,
      user: row.user!,
      penalty: row.penalty,
      position: row.position,
      receivesInteractions: receiving.has(row.userId),
    };
  }
}
