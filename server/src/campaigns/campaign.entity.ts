import { Column, Entity, OneToMany } from 'typeorm';
import type { ScheduleRange } from '@parley/libs/schedule/schedule.js';
import { Channel, PageConnectionKind, RoutingStrategy, TokenStatus } from '@parley/libs/shared/campaigns.js';
import { BaseEntity } from '../infrastructure/database/base.entity.js';
import { CannedResponseEntity } from './canned-response.entity.js';

/** Four columns of `campaigns`, read and written as one object. */
export class ThresholdsColumns {
  @Column({ type: 'int' })
  serviceLevelSeconds!: number;

  @Column({ type: 'int' })
  dropoutSeconds!: number;

  @Column({ type: 'int' })
  chatTimeSeconds!: number;

  @Column({ type: 'int' })
  acdMaxWaiting!: number;
}

@Entity('campaigns')
export class CampaignEntity extends BaseEntity {
  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ type: 'enum', enum: Channel })
  channel!: Channel;

  @Column({ type: 'boolean' })
  enabled!: boolean;

  @Column({ type: 'int' })
  serviceLevelTarget!: number;

  @Column({ type: 'enum', enum: RoutingStrategy })
  strategy!: RoutingStrategy;

  @Column({ type: 'varchar', length: 64 })
  timezone!: string;

  /** Small and always read whole, so JSON rather than a table of ranges. */
  @Column({ type: 'json' })
  schedule!: ScheduleRange[];

  @Column(() => ThresholdsColumns, { prefix: false })
  thresholds!: ThresholdsColumns;

  @Column({ type: 'int' })
  maxInteractionsPerAgent!: number;

  @Column({ type: 'varchar', length: 2000, nullable: true })
  afterHoursMessage!: string | null;

  @Column({ type: 'boolean', default: false })
  announceQueuePosition!: boolean;

  @Column({ type: 'varchar', length: 64, nullable: true })
  pageId!: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  pageName!: string | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  pageConnectedAt!: Date | null;

  @Column({ type: 'enum', enum: PageConnectionKind, nullable: true })
  pageConnectedThrough!: PageConnectionKind | null;

  @Column({ type: 'enum', enum: TokenStatus, default: TokenStatus.NOT_CONNECTED })
  tokenStatus!: TokenStatus;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  tokenCheckedAt!: Date | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  tokenError!: string | null;

  @OneToMany(() => CannedResponseEntity, (response) => response.campaign)
  cannedResponses!: CannedResponseEntity[];
}
