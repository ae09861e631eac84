import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import * as argon2 from 'argon2';
import { Repository } from 'typeorm';
import { Role } from '@parley/libs/shared/roles.js';
import type { AppConfig } from '../infrastructure/config/config.js';
import { APP_CONFIG } from '../infrastructure/config/config.module.js';
import { isDuplicateKey } from '../infrastructure/database/errors.js';
import { ParleyError } from '../infrastructure/errors/parley-error.js';
import { PubSubService, Trigger } from '../infrastructure/pubsub/pubsub.service.js';
import type { CreateUserInput } from './dto/create-user.input.js';
import { UserEntity } from './user.entity.js';

@Injectable()
export class UsersService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Users');

  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly pubsub: PubSubService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The first admin comes from ADMIN_USERNAME / ADMIN_PASSWORD on an empty database. */
  async onApplicationBootstrap() {
    const { adminUsername, adminPassword } = this.config;
    if (!adminUsername || !adminPassword) return;
    if ((await this.users.count()) > 0) return;
    try {
      await this.create({
        username: adminUsername,
        displayName: 'Administrator',
        password: adminPassword,
        role: Role.ADMIN,
      });
      this.logger.log(`Created the first admin "${adminUsername}"`);
    } catch (error) {
      // Another instance starting at the same moment created it first.
      if (!(error instanceof ParleyError)) throw error;
    }
  }

  list(role?: Role): Promise<UserEntity[]> {
    return this.users.find({ where: role ? { role } : {}, order: { username: 'ASC' } });
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ id });
  }

  async getById(id: string): Promise<UserEntity> {
    const user = await this.findById(id);
    if (!user) throw ParleyError.notFound('User', id);
    return user;
  }

  /** The user and their password hash, for sign-in only. */
  findWithPasswordHash(username: string): Promise<UserEntity | null> {
    return this.users
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.username = :username', { username })
      .getOne();
  }

  async create(input: CreateUserInput): Promise<UserEntity> {
    const passwordHash = await argon2.hash(input.password, { type: argon2.argon2id });
    const user = this.users.create({
      username: input.username,
      displayName: input.displayName,
      role: input.role,
      passwordHash,
      presenceSince: new Date(),
    });
    try {
      await this.users.insert(user);
    } catch (error) {
      if (isDuplicateKey(error))
        throw ParleyError.badInput('username', `"${input.username}" is already taken`);
      throw error;
    }
    const saved = await this.getById(user.id);
    await this.pubsub.publish(Trigger.UserChanged, { userChanged: saved });
    return saved;
  }
}
