import { Column, Entity, JoinColumn, ManyToOne, type Relation } from 'typeorm';
import { BaseEntity } from '../infrastructure/database/base.entity.js';
import { UserEntity } from './user.entity.js';

/** A user in a campaign. One row per (campaign, user); positions run 1..n per campaign. */
@Entity('campaign_members')
export class CampaignMemberEntity extends BaseEntity {
  @Column({ type: 'char', length: 36 })
  campaignId!: string;

  @Column({ type: 'char', length: 36 })
  userId!: string;

  @ManyToOne(() => UserEntity)
  @JoinColumn({ name: 'userId' })
  user?: Relation<UserEntity>;

  /** 0..100, lower = preferred. */
  @Column({ type: 'int', default: 0 })
  penalty!: number;

  /** Order used by LINEAR (and RRMEMORY's round), 1..n without gaps. */
  @Column({ type: 'int' })
  position!: number;
}
