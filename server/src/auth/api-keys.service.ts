import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { IsNull, Repository } from 'typeorm';
import type { Role } from '@parley/libs/shared/roles.js';
import { ParleyError } from '../infrastructure/errors/parley-error.js';
import { PubSubService, Trigger } from '../infrastructure/pubsub/pubsub.service.js';
import { JobHandler } from '../infrastructure/queues/job-handler.decorator.js';
import { JobQueue } from '../infrastructure/queues/job-queue.service.js';
import { JobName, type JobPayloads } from '../infrastructure/queues/queue-registry.js';
import { ApiKeyEntity } from './api-key.entity.js';
import type { Principal } from './principal.js';

const KEY_FORMAT = /^pk_[A-Za-z0-9_-]{43}$/;
/** lastUsedAt is a "recently used?" hint; a minute's resolution keeps writes off the hot path. */
const USE_RESOLUTION_MS = 60_000;

export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex');

export interface CredentialRevoked {
  apiKeyId?: string;
  userId?: string;
  reason: string;
}

@Injectable()
export class ApiKeysService {
  constructor(
    @InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>,
    private readonly jobs: JobQueue,
    private readonly pubsub: PubSubService,
  ) {}

  /** Returns the key in clear once; only its hash is stored. */
  async create(name: string, role: Role, createdById: string | null) {
    const key = `pk_${randomBytes(32).toString('base64url')}`;
    const entity = this.keys.create({ name, role, keyHash: hashApiKey(key), createdById });
    await this.keys.insert(entity);
    const apiKey = await this.keys.findOneByOrFail({ id: entity.id });
    return { key, apiKey };
  }

  list(): Promise<ApiKeyEntity[]> {
    return this.keys.find({ where: { revokedAt: IsNull() }, order: { createdAt: 'DESC' } });
  }

  /** Effective at once: the next request with the key fails, and open sockets using it are closed. */
  async revoke(id: string): Promise<boolean> {
    const result = await this.keys.update({ id, revokedAt: IsNull() }, { revokedAt: new Date() });
    if (!result.affected) throw ParleyError.notFound('API key', id);
    await this.pubsub.publish<CredentialRevoked>(Trigger.CredentialRevoked, {
      apiKeyId: id,
      reason: 'API key revoked',
    });
    return true;
  }

  async authenticate(key: string): Promise<Principal | null> {
    if (!KEY_FORMAT.test(key)) return null;
    const found = await this.keys.findOneBy({ keyHash: hashApiKey(key), revokedAt: IsNull() });
    if (!found) return null;
    const now = Date.now();
    if (!found.lastUsedAt || now - found.lastUsedAt.getTime() >= USE_RESOLUTION_MS) {
      const minute = Math.floor(now / USE_RESOLUTION_MS);
      // Deterministic id: however many requests arrive this minute, one job records them.
      this.jobs.addInBackground(
        JobName.RecordApiKeyUse,
        { apiKeyId: found.id, usedAt: new Date(now).toISOString() },
        { jobId: `${found.id}-${minute}` },
      );
    }
    return { kind: 'apiKey', apiKeyId: found.id, role: found.role, name: found.name };
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
