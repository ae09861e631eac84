import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '../infrastructure/config/config.js';
import { WebhookHealth } from './webhook-health.js';

describe('WebhookHealth', () => {
  const writes: [string, string][] = [];
  const redis = { set: vi.fn(async (key: string, value: string) => void writes.push([key, value])) };
  const health = () => new WebhookHealth(redis as unknown as Redis, { redisPrefix: 'p' } as AppConfig);

  beforeEach(() => {
    vi.useFakeTimers();
    writes.length = 0;
  });
  afterEach(() => vi.useRealTimers());

  it('writes the first arrival of a second at once and the latest of the rest when the second ends', async () => {
    const h = health();
    const at = (ms: number) => new Date(Date.UTC(2026, 10, 30, 9, 0, 0, ms));
    await h.record('accepted', at(0));
    await h.record('accepted', at(300));
    await h.record('accepted', at(600));
    await h.record('rejected', at(650));
    expect(writes).toEqual([
      ['p:messenger:last-webhook:accepted', at(0).toISOString()],
      ['p:messenger:last-webhook:rejected', at(650).toISOString()],
    ]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(writes.slice(2)).toEqual([['p:messenger:last-webhook:accepted', at(600).toISOString()]]);
    // A second after that write, a lone arrival is written at once again.
    await vi.advanceTimersByTimeAsync(1_000);
    await h.record('accepted', at(2_000));
    expect(writes.at(-1)).toEqual(['p:messenger:last-webhook:accepted', at(2_000).toISOString()]);
  });
});
