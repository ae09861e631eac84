import { Column, Entity } from 'typeorm';
import { BaseEntity } from '../../infrastructure/database/base.entity.js';

/** A customer of one page: one row per (pageId, PSID), since a PSID is only meaningful for its page. */
@Entity('contacts')
export class ContactEntity extends BaseEntity {
  @Column({ type: 'varchar', length: 64 })
  pageId!: string;

  @Column({ type: 'varchar', length: 64 })
  psid!: string;

  /** From the profile API; "Messenger user <last 4 of PSID>" until then, or when there is none. */
  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  firstName!: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  lastName!: string | null;

  /** Facebook's URL; it expires, hence the refetch after 24 h. */
  @Column({ type: 'varchar', length: 2000, nullable: true })
  profilePicUrl!: string | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  profileFetchedAt!: Date | null;

  /** null = not asked yet; false = Facebook has no profile for this person. */
  @Column({ type: 'boolean', nullable: true })
  hasProfile!: boolean | null;
}
