import { Column, Entity, PrimaryColumn } from 'typeorm';

export type OfferStatus = 'PENDING' | 'ACCEPTED' | 'REVOKED' | 'EXPIRED';

/**
 * An interaction offered to one agent. A PENDING offer holds a seat of the agent's capacity in its
 * campaign until accepted, revoked or expired. Several PENDING offers of one interaction exist
 * only under RINGALL.
 */
@Entity('interaction_offers')
export class InteractionOfferEntity {
  @PrimaryColumn({ type: 'char', length: 36 })
  id!: string;

  @Column({ type: 'char', length: 36 })
  interactionId!: string;

  @Column({ type: 'char', length: 36 })
  campaignId!: string;

  @Column({ type: 'char', length: 36 })
  userId!: string;

  @Column({ type: 'enum', enum: ['PENDING', 'ACCEPTED', 'REVOKED', 'EXPIRED'] })
  status!: OfferStatus;

  @Column({ type: 'datetime', precision: 3 })
  offeredAt!: Date;

  @Column({ type: 'datetime', precision: 3 })
  expiresAt!: Date;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  endedAt!: Date | null;
}
