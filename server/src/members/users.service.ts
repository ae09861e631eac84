import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import * as argon2 from 'argon2';
import { In, Repository } from 'typeorm';
import { passwordProblem } from '@parley/libs/shared/passwords.js';
import { Presence, Role } from '@parley/libs/shared/roles.js';
import { normalizeUsername } from '@parley/libs/shared/usernames.js';
import type { ActiveAdminLookup } from '../campaigns/campaign-membership.js';
import { AgentPresenceChanged, UserChanged, UserSessionsEnded } from '../events/catalogue.js';
import type { Principal } from '../infrastructure/access/access.js';
import { type AppConfig, ConfigError } from '../infrastructure/config/config.js';
import { APP_CONFIG } from '../infrastructure/config/config.module.js';
import { isDuplicateKey } from '../infrastructure/database/errors.js';
import { ErrorCode, ParleyError } from '../infrastructure/errors/parley-error.js';
import { JobName } from '../infrastructure/queues/queue-registry.js';
import { Transactions } from '../infrastructure/events/after-commit.js';
import type { CreateUserInput } from './dto/create-user.input.js';
import { UserEntity } from './user.entity.js';

@Injectable()
export class UsersService implements OnApplicationBootstrap, ActiveAdminLookup {
  private readonly logger = new Logger('Users');

  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly transactions: Transactions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The first admin comes from ADMIN_USERNAME / ADMIN_PASSWORD on an empty database. */
  async onApplicationBootstrap() {
    const { adminUsername, adminPassword } = this.config;
    if (!adminUsername || !adminPassword) return;
    if ((await this.users.count()) > 0) return;
    // Refuse to start rather than create an admin anyone could guess; the password is not used once
    // the database has users, so this only ever stops a first start.
    const weak = await passwordProblem(adminPassword, {
      username: adminUsername,
      displayName: 'Administrator',
    });
    if (weak) {
      throw new ConfigError([
        `ADMIN_PASSWORD: ${weak} (it becomes the password of the first admin "${adminUsername}")`,
      ]);
    }
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

  /** By username; deactivated users only when asked for. */
  list(role?: Role | null, includeInactive = false): Promise<UserEntity[]> {
    return this.users.find({
      where: { ...(role ? { role } : {}), ...(includeInactive ? {} : { active: true }) },
      order: { username: 'ASC' },
    });
  }

  /** ActiveAdminLookup, for the Facebook popup's re-check at the moment it writes. */
  isActiveAdmin(userId: string): Promise<boolean> {
    return this.users.existsBy({ id: userId, role: Role.ADMIN, active: true });
  }

  findByIds(ids: readonly string[]): Promise<UserEntity[]> {
    return ids.length ? this.users.findBy({ id: In([...ids]) }) : Promise.resolve([]);
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ id });
  }

  async getById(id: string): Promise<UserEntity> {
    const user = await this.findById(id);
    if (!user) throw ParleyError.notFound('User', id);
    return user;
  }

  /** The user and their password hash, for sign-in only; the name however it was typed. */
  findWithPasswordHash(username: string): Promise<UserEntity | null> {
    return this.users
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.username = :username', { username: normalizeUsername(username) })
      .getOne();
  }

  /** Usernames are stored normalised (see normalizeUsername), so one identity has one spelling. */
  async create(input: CreateUserInput): Promise<UserEntity> {
    const username = normalizeUsername(input.username);
    await this.assertPasswordAllowed(input.password, { username, displayName: input.displayName });
    const passwordHash = await argon2.hash(input.password, { type: argon2.argon2id });
    const user = this.users.create({
      username,
      displayName: input.displayName,
      role: input.role,
      passwordHash,
      presenceSince: new Date(),
    });
    try {
      await this.transactions.run(async (uow) => {
        await uow.em.insert(UserEntity, user);
        uow.publish(UserChanged, { userId: user.id });
      });
    } catch (error) {
      // The unique index decides, also between two creations racing for the same name.
      if (isDuplicateKey(error)) throw ParleyError.badInput('username', `"${username}" is already taken`);
      throw error;
    }
    return this.getById(user.id);
  }

  /**
   * The user can no longer sign in; their tokens stop working at once (every request re-reads
   * `active`) and their open sockets are closed on every instance. They keep their memberships and
   * history. Nobody deactivates themselves, and the last active admin stays.
   */
  async deactivate(id: string, by: Principal): Promise<UserEntity> {
    if (by.kind === 'user' && by.userId === id) {
      throw new ParleyError(ErrorCode.CONFLICT, 'You cannot deactivate yourself; ask another admin', { id });
    }
    await this.transactions.run(async (uow) => {
      const tx = uow.em;
      // The active admins' rows stay locked until commit, so two deactivations racing (two admins
      // deactivating each other, or one key deactivating both) take turns, and the second sees the
      // first one's result. They are locked first and always in id order, so no two calls deadlock.
      const admins = await tx
        .createQueryBuilder(UserEntity, 'u')
        .select('u.id')
        .where('u.role = :role AND u.active = true', { role: Role.ADMIN })
        .orderBy('u.id')
        .setLock('pessimistic_write')
        .getMany();
      const user = await tx.findOne(UserEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!user) throw ParleyError.notFound('User', id);
      if (!user.active) return;
      if (user.role === Role.ADMIN && !admins.some((admin) => admin.id !== id)) {
        throw new ParleyError(
          ErrorCode.CONFLICT,
          `"${user.username}" is the last active admin and cannot be deactivated`,
          { id },
        );
      }
      await tx.update(
        UserEntity,
        { id },
        {
          active: false,
          presence: Presence.OFFLINE,
          breakReason: null,
          presenceSince: new Date(),
          // Reactivation must not revive tokens issued before.
          sessionVersion: () => 'sessionVersion + 1',
        },
      );
      uow.publish(UserSessionsEnded, { userId: id, reason: 'user deactivated' });
      uow.publish(UserChanged, { userId: id });
      // Routing revokes their offers and puts their ACTIVE chats back in the queues.
      uow.enqueue(JobName.AgentPresenceRouting, { userId: id });
      if (user.presence !== Presence.OFFLINE) {
        uow.publish(AgentPresenceChanged, {
          userId: id,
          presence: Presence.OFFLINE,
          previous: user.presence,
        });
      }
    });
    return this.getById(id);
  }

  /**
   * Stores a presence already checked by presenceChange (libs/shared/presence.ts). The row is
   * locked so two changes racing (the agent's click and the disconnect grace job) apply one after
   * the other; an unchanged presence and reason changes nothing, not even presenceSince.
   * `onlyIf` makes the change conditional on the presence found (the grace job sets OFFLINE only
   * over what it saw). Resolves whether anything changed.
   */
  async setPresence(
    id: string,
    change: { presence: Presence; breakReason: string | null },
    onlyIf?: (current: Presence) => boolean,
  ): Promise<boolean> {
    return this.transactions.run(async (uow) => {
      const user = await uow.em.findOne(UserEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!user) throw ParleyError.notFound('User', id);
      if (!user.active) return false;
      if (onlyIf && !onlyIf(user.presence)) return false;
      if (user.presence === change.presence && user.breakReason === change.breakReason) return false;
      await uow.em.update(
        UserEntity,
        { id },
        { presence: change.presence, breakReason: change.breakReason, presenceSince: new Date() },
      );
      uow.publish(AgentPresenceChanged, { userId: id, presence: change.presence, previous: user.presence });
      // Routing must not miss this (AVAILABLE routes the agent's campaigns, OFFLINE revokes offers): a job, not only the event.
      uow.enqueue(JobName.AgentPresenceRouting, { userId: id });
      uow.publish(UserChanged, { userId: id });
      return true;
    });
  }

  async reactivate(id: string): Promise<UserEntity> {
    const user = await this.getById(id);
    if (user.active) return user;
    await this.transactions.run(async (uow) => {
      const result = await uow.em.update(UserEntity, { id, active: false }, { active: true });
      if (result.affected) uow.publish(UserChanged, { userId: id });
    });
    return this.getById(id);
  }

  /**
   * Sets a new password chosen by an admin (argon2id, like every stored password) and signs the
   * user out everywhere: whoever knew the old password keeps no session.
   */
  async resetPassword(id: string, password: string): Promise<UserEntity> {
    const user = await this.getById(id);
    await this.assertPasswordAllowed(password, user);
    const passwordHash = await argon2.hash(password, { type: argon2.argon2id });
    await this.transactions.run(async (uow) => {
      await uow.em.update(UserEntity, { id }, { passwordHash, sessionVersion: () => 'sessionVersion + 1' });
      uow.publish(UserSessionsEnded, { userId: id, reason: 'password reset' });
    });
    return this.getById(id);
  }

  /** Refuses a common password, or one built from the user's names, saying why. */
  private async assertPasswordAllowed(
    password: string,
    owner: { username: string; displayName: string },
  ): Promise<void> {
    const problem = await passwordProblem(password, owner);
    if (problem) throw ParleyError.badInput('password', problem);
  }

  /** Tells admins and supervisors the user changed (also for changes kept outside this table). */
  async announce(id: string): Promise<UserEntity> {
    await this.transactions.run(async (uow) => uow.publish(UserChanged, { userId: id }));
    return this.getById(id);
  }
}
