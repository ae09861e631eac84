import { Column, Entity } from 'typeorm';
import { Presence, Role } from '@parley/libs/shared/roles.js';
import { BaseEntity } from '../infrastructure/database/base.entity.js';

@Entity('users')
export class UserEntity extends BaseEntity {
  @Column({ type: 'varchar', length: 50 })
  username!: string;

  @Column({ type: 'varchar', length: 100 })
  displayName!: string;

  @Column({ type: 'enum', enum: Role })
  role!: Role;

  /** argon2id; never leaves the server. */
  @Column({ type: 'varchar', length: 255, select: false })
  passwordHash!: string;

  /** In every access token; bumped when a password is reset or the user deactivated, which ends all sessions. */
  @Column({ type: 'int', default: 0 })
  sessionVersion!: number;

  /** A deactivated user cannot sign in; history keeps pointing at them. */
  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @Column({ type: 'enum', enum: Presence, default: Presence.OFFLINE })
  presence!: Presence;

  @Column({ type: 'varchar', length: 200, nullable: true })
  breakReason!: string | null;

  @Column({ type: 'datetime', precision: 3 })
  presenceSince!: Date;
}
