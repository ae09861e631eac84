import { Column, Entity } from 'typeorm';
import { Role } from '@parley/libs/shared/roles.js';
import { BaseEntity } from '../infrastructure/database/base.entity.js';

@Entity('api_keys')
export class ApiKeyEntity extends BaseEntity {
  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ type: 'enum', enum: Role })
  role!: Role;

  /** SHA-256 of the key: keys are 256 random bits, so a fast hash is enough and allows lookup. */
  @Column({ type: 'char', length: 64, select: false })
  keyHash!: string;

  @Column({ type: 'char', length: 36, nullable: true })
  createdById!: string | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  lastUsedAt!: Date | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  revokedAt!: Date | null;
}
