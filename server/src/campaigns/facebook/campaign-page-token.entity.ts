import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * A connected page's tokens, sealed with SecretBox (`v1:iv:tag:ciphertext`). A table of its own so
 * reading campaigns never carries secrets; deleted with its campaign.
 */
@Entity('campaign_page_tokens')
export class CampaignPageTokenEntity {
  @PrimaryColumn({ type: 'char', length: 36 })
  campaignId!: string;

  @Column({ type: 'varchar', length: 2000 })
  pageTokenCiphertext!: string;

  /** The long-lived user token of the person who connected the page (POPUP only), renewed by a job. */
  @Column({ type: 'varchar', length: 2000, nullable: true })
  userTokenCiphertext!: string | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  userTokenExpiresAt!: Date | null;

  @Column({ type: 'char', length: 36, nullable: true })
  connectedByUserId!: string | null;

  @CreateDateColumn({ type: 'datetime', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
