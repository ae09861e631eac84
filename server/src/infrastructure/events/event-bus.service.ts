import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import type { Redis } from 'ioredis';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { createRedis } from '../redis/redis.module.js';
import { ANY_OWNER, type EventDefinition, topicOf } from './event.js';

/** An event and its payload, to publish. */
export interface Publication<P = unknown> {
  event: EventDefinition<P>;
  payload: P;
}

/** A message that failed its event's schema: dropped (and logged) before any subscriber sees it. */
const INVALID = Symbol('invalid event');

/**
 * The event bus: typed events from the catalogue over Redis PubSub, so an event published by one
 * server process reaches subscribers connected to any other. Each publish also bumps the event's
 * version counter, which caches of answers built from that kind of data compare against.
 *
 * Services never publish directly: they publish through `Transactions` (after-commit.ts), so that
 * nobody hears of a write that was rolled back, and a failed publish never fails a committed write.
 */
@Injectable()
export class EventBus implements OnApplicationShutdown {
  private readonly logger = new Logger('Events');
  private readonly pubsub: RedisPubSub;
  private readonly publisher: Redis;
  private readonly channelPrefix: string;
  private readonly versionPrefix: string;
  /** Definitions by name, for decoding what arrives on a channel. */
  private readonly known = new Map<string, EventDefinition<unknown>>();

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.channelPrefix = `${config.redisPrefix}:events:`;
    this.versionPrefix = `${config.redisPrefix}:event-version:`;
    this.publisher = createRedis(config, 'events-publisher');
    this.pubsub = new RedisPubSub({
      publisher: this.publisher,
      subscriber: createRedis(config, 'events-subscriber', { subscriber: true }),
      // Already a JSON string (see publish); decoded once per message, shared by every listener.
      serializer: (message: unknown) => message as string,
      deserializer: (message: string | Buffer, { channel }: { channel: string }) =>
        this.decode(channel, message.toString()),
    });
  }

  /** Sends one event to every instance; rejects if Redis does not take it (callers retry). */
  publish<P>(event: EventDefinition<P>, payload: P): Promise<void> {
    return this.publishAll([{ event: event as EventDefinition<unknown>, payload }]);
  }

  /**
   * Sends several events, in order, in one MULTI: one round trip to Redis for all of a
   * transaction's events, and all or none of them.
   */
  async publishAll(events: readonly Publication[]): Promise<void> {
    const multi = this.publisher.multi();
    for (const { event, payload } of events) {
      const valid = event.schema.parse(payload);
      const topic = topicOf(event, event.ownerOf?.(valid));
      multi.incr(this.versionPrefix + event.name).publish(this.channelPrefix + topic, JSON.stringify(valid));
    }
    const results = await multi.exec();
    const failed = results?.find(([error]) => error);
    if (failed) throw failed[0];
  }

  /**
   * For GraphQL subscriptions: the events of one owner (or of ANY_OWNER) until the client leaves,
   * each turned by `load` into what the subscriber receives (null skips the event). Filtering
   * here rather than in Nest's `filter` option keeps guard refusals reaching the client.
   */
  iterate<P, T = P>(
    event: EventDefinition<P>,
    owner?: string,
    load: (payload: P) => Promise<T | null> | T | null = (payload) => payload as unknown as T,
  ): AsyncIterableIterator<T> {
    const inner = this.pubsub.asyncIterableIterator<P | typeof INVALID>(this.channelFor(event, owner), {
      pattern: owner === ANY_OWNER,
    });
    // A plain delegating iterator (not an async generator), so return() ends a waiting next() at once.
    const iterator: AsyncIterableIterator<T> = {
      async next(): Promise<IteratorResult<T>> {
        for (;;) {
          const result = await inner.next();
          if (result.done) return { done: true, value: undefined };
          if (result.value === INVALID) continue;
          const value = await load(result.value);
          if (value !== null) return { done: false, value };
        }
      },
      return: () => inner.return!() as Promise<IteratorResult<T>>,
      throw: (error: unknown) => inner.throw!(error) as Promise<IteratorResult<T>>,
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  /** A server-side listener (not a GraphQL subscription); resolves once Redis has subscribed. */
  async subscribe<P>(event: EventDefinition<P>, owner: string | undefined, listener: (payload: P) => void) {
    const id = await this.pubsub.subscribe(
      this.channelFor(event, owner),
      (payload: P | typeof INVALID) => {
        if (payload === INVALID) return;
        try {
          listener(payload);
        } catch (error) {
          this.logger.error(`A listener of ${event.name} failed: ${String(error)}`);
        }
      },
      { pattern: owner === ANY_OWNER },
    );
    return () => this.pubsub.unsubscribe(id);
  }

  /**
   * The current version counter of each event (0 if never published). Rejects if Redis does not
   * answer within `timeoutMs`: a cache that cannot check its versions must not answer.
   */
  async versions(eventNames: readonly string[], timeoutMs = 500): Promise<number[]> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('event versions: Redis did not answer')), timeoutMs);
    });
    try {
      const values = await Promise.race([
        this.publisher.mget(eventNames.map((name) => this.versionPrefix + name)),
        timeout,
      ]);
      return values.map((v) => Number(v ?? 0));
    } finally {
      clearTimeout(timer);
    }
  }

  async onApplicationShutdown() {
    await this.pubsub.close().catch(() => undefined);
  }

  private channelFor<P>(event: EventDefinition<P>, owner?: string): string {
    this.known.set(event.name, event as EventDefinition<unknown>);
    return this.channelPrefix + topicOf(event, owner);
  }

  private decode(channel: string, message: string): unknown {
    const name = channel.slice(this.channelPrefix.length).split(':')[0];
    const event = this.known.get(name);
    try {
      const parsed = event?.schema.safeParse(JSON.parse(message));
      if (parsed?.success) return parsed.data;
    } catch {
      // not JSON: fall through
    }
    this.logger.warn(`Dropped a malformed message on ${name}`);
    return INVALID;
  }
}
