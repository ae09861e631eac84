import { Column, Entity, JoinColumn, ManyToOne, type Relation } from 'typeorm';
import { BaseEntity } from '../infrastructure/database/base.entity.js';
import { CampaignEntity } from './campaign.entity.js';

@Entity('canned_responses')
export class CannedResponseEntity extends BaseEntity {
  @Column({ type: 'char', length: 36 })
  campaignId!: string;

  @ManyToOne(() => CampaignEntity, (campaign) => campaign.cannedResponses, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'campaignId' })
  // Relation<>: no design-time type reference, so the two entity modules may import each other.
  campaign?: Relation<CampaignEntity>;

  /** Order in the agent's list, 1..n. */
  @Column({ type: 'int' })
  position!: number;

  @Column({ type: 'varchar', length: 100 })
  title!: string;

  @Column({ type: 'varchar', length: 2000 })
  text!: string;
}
