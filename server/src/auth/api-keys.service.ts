import { Injectable, type OnModuleInit } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { IsNull, Repository } from 'typeorm';
import type { Role } from '@parley/libs/shared/roles.js';
import { ParleyError } from '../infrastructure/errors/parley-error.js';
import { ApiKeyChanged } from '../events/catalogue.js';
import { Transactions } from '../infrastructure/events/after-commit.js';
import { EventBus } from '../infrastructure/events/event-bus.service.js';
import { JobHandler } from '../infrastructure/queues/job-handler.decorator.js';
import { JobQueue } from '../infrastructure/queues/job-queue.service.js';
import { JobName, type JobPayloads } from '../infrastructure/queues/queue-registry.js';
import { ApiKeyEntity } from './api-key.entity.js';
import type { Principal } from '../infrastructure/access/access.js';

const KEY_FORMAT = /^pk_[A-Za-z0-9_-]{43}$/;
/** lastUsedAt is a "recently used?" hint; a minute's resolution keeps writes off the hot path. */
const USE_RESOLUTION_MS = 60_000;

export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex');

/** How long a key's principal is trusted without reading MySQL (revocation events end it at once). */
export const API_KEY_TTL_MS = 1_000;

/** An API key as `apiKeyChanged` announces it: `revoked` only on the event of its revocation. */
export type ApiKeyChange = ApiKeyEntity & { revoked?: boolean };

@Injectable()
export class ApiKeysService implements OnModuleInit {
  /** Valid keys only, by hash: unknown keys are never cached, so guessing cannot fill it. */
  private readonly valid = new LRUCache<string, Principal & { kind: 'apiKey' }>({
    max: 10_000,
    ttl: API_KEY_TTL_MS,
  });
  /** When each key's lastUsedAt was last queued from this instance. */
  private readonly lastQueued = new Map<string, number>();

  constructor(
    @InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>,
    private readonly jobs: JobQueue,
    private readonly transactions: Transactions,
    private readonly bus: EventBus,
  ) {}

  async onModuleInit() {
    await this.bus.subscribe(ApiKeyChanged, undefined, ({ apiKeyId, revoked }) => {
      if (!revoked) return;
      for (const [hash, principal] of this.valid.entries()) {
        if (principal.apiKeyId === apiKeyId) this.valid.delete(hash);
      }
    });
  }

  /** Returns the key in clear once; only its hash is stored. */
  async create(name: string, role: Role, createdById: string | null) {
    const key = `pk_${randomBytes(32).toString('base64url')}`;
    const entity = this.keys.create({ name, role, keyHash: hashApiKey(key), createdById });
    await this.transactions.run(async (uow) => {
      await uow.em.insert(ApiKeyEntity, entity);
      uow.publish(ApiKeyChanged, { apiKeyId: entity.id, revoked: false });
    });
    const apiKey = await this.keys.findOneByOrFail({ id: entity.id });
    return { key, apiKey };
  }

  list(): Promise<ApiKeyEntity[]> {
    return this.keys.find({ where: { revokedAt: IsNull() }, order: { createdAt: 'DESC' } });
  }

  findById(id: string): Promise<ApiKeyEntity | null> {
    return this.keys.findOneBy({ id });
  }

  /** Effective at once: the next request with the key fails, and open sockets using it are closed. */
  async revoke(id: string): Promise<boolean> {
    await this.transactions.run(async (uow) => {
      const result = await uow.em.update(
        ApiKeyEntity,
        { id, revokedAt: IsNull() },
        { revokedAt: new Date() },
      );
      if (!result.affected) throw ParleyError.notFound('API key', id);
      uow.publish(ApiKeyChanged, { apiKeyId: id, revoked: true });
    });
    return true;
  }

  async authenticate(key: string): Promise<Principal | null> {
    if (!KEY_FORMAT.test(key)) return null;
    const hash = hashApiKey(key);
    let principal = this.valid.get(hash);
    if (!principal) {
      const found = await this.keys.findOneBy({ keyHash: hash, revokedAt: IsNull() });
      if (!found) return null;
      principal = { kind: 'apiKey', apiKeyId: found.id, role: found.role, name: found.name };
      this.valid.set(hash, principal);
    }
    this.recordUseSoon(principal.apiKeyId);
    return principal;
  }

  /**
   * Queues the lastUsedAt stamp at most once a minute per key and instance, never awaited: a
   * request with an API key must not wait on Redis.
   */
  private recordUseSoon(apiKeyId: string) {
    const now = Date.now();
    if (now - (this.lastQueued.get(apiKeyId) ?? 0) < USE_RESOLUTION_MS) return;
    this.lastQueued.set(apiKeyId, now);
    const minute = Math.floor(now / USE_RESOLUTION_MS);
    // Deterministic id: however many instances see the key this minute, one job records it.
    void this.jobs
      .addInBackground(
        JobName.RecordApiKeyUse,
        { apiKeyId, usedAt: new Date(now).toISOString() },
        { jobId: `${apiKeyId}-${minute}` },
      )
      // Not queued (Redis away): the key's next use tries again.
      .then((added) => added || this.lastQueued.delete(apiKeyId));
  }

  /** Safe to run twice: only ever moves lastUsedAt forward. */
  @JobHandler(JobName.RecordApiKeyUse)
  async recordUse({ apiKeyId, usedAt }: JobPayloads[JobName.RecordApiKeyUse]): Promise<void> {
    await this.keys
      .createQueryBuilder()
      .update()
      .set({ lastUsedAt: () => 'GREATEST(COALESCE(lastUsedAt, :usedAt), :usedAt)' })
      .where('id = :apiKeyId', { apiKeyId })
      .setParameters({ usedAt: new Date(usedAt) })
      .execute();
  }
}
