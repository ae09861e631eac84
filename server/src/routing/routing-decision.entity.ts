import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { PackedCandidates } from '@parley/libs/routing/decision-record.js';

/** One routing decision as `chooseAgents` made it: who was considered, who was chosen, and why. */
@Entity('routing_decisions')
export class RoutingDecisionEntity {
  @PrimaryColumn({ type: 'char', length: 36 })
  id!: string;

  @Column({ type: 'char', length: 36 })
  interactionId!: string;

  @Column({ type: 'char', length: 36 })
  campaignId!: string;

  /** The campaign's strategy, TRANSFER for a transfer, RELEASE for a deactivated agent's chat. */
  @Column({ type: 'varchar', length: 20 })
  strategy!: string;

  /** Packed (libs/routing/decision-record); decisions made before packing hold the objects. */
  @Column({ type: 'json' })
  candidates!: PackedCandidates;

  @Column({ type: 'json' })
  chosenUserIds!: string[];

  @Column({ type: 'varchar', length: 1000 })
  reason!: string;

  @Column({ type: 'datetime', precision: 3 })
  decidedAt!: Date;
}
