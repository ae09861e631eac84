import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { InteractionStatus } from '@parley/libs/routing/queue.js';

/**
 * One conversation of one contact with one campaign (the `interactions` table; ingest creates the
 * rows, routing moves them through their lifecycle). The generated `openContactId` column is not
 * mapped: MariaDB computes it, and TypeORM must never try to write it.
 */
@Entity('interactions')
export class InteractionEntity {
  @PrimaryColumn({ type: 'char', length: 36 })
  id!: string;

  @Column({ type: 'char', length: 36 })
  campaignId!: string;

  @Column({ type: 'char', length: 36 })
  contactId!: string;

  /** The agent who holds it (ACTIVE), or held it last (CLOSED); null while QUEUED or OFFERED. */
  @Column({ type: 'char', length: 36, nullable: true })
  agentId!: string | null;

  @Column({ type: 'enum', enum: ['QUEUED', 'OFFERED', 'ACTIVE', 'CLOSED', 'ABANDONED'] })
  status!: InteractionStatus;

  @Column({ type: 'datetime', precision: 3 })
  queuedAt!: Date;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  assignedAt!: Date | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  firstResponseAt!: Date | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  closedAt!: Date | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  disposition!: string | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  lastCustomerMessageAt!: Date | null;

  /** Agents who let this interaction's offer time out: not offered it again. */
  @Column({ type: 'json', nullable: true })
  excludedUserIds!: string[] | null;

  @CreateDateColumn({ type: 'datetime', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
