import { randomInt } from 'node:crypto';
import { metaJson, signatureHeaders } from './signature.js';

/** One event inside `entry[].messaging[]`, shaped as Messenger sends it. */
export type MessagingEvent = Record<string, unknown> & {
  sender: { id: string };
  recipient: { id: string };
  timestamp: number;
};

/** An event waiting for delivery, with the page it belongs to and the webhook field it needs. */
export interface PendingEvent {
  pageId: string;
  field: string;
  event: MessagingEvent;
}

export interface DeliveryAttempt {
  at: string;
  kind: 'verification' | 'delivery';
  url: string;
  ok: boolean;
  status?: number;
  error?: string;
  pageIds: string[];
  events: number;
}

/** What the customer page and `/_sim/state` show about the webhook. */
export interface WebhookStatus {
  url?: string;
  verified: boolean;
  queued: number;
  /** Human sentence about the last problem; absent when the last attempt worked. */
  problem?: string;
  failuresByPage: Record<string, number>;
  lastAttempt?: DeliveryAttempt;
}

export interface WebhookConfig {
  url?: string;
  verifyToken?: string;
  failuresBeforeUnsubscribe: number;
  retryDelaysMs: number[];
  timeoutMs: number;
}

interface Hooks {
  appSecret: string;
  now: () => number;
  /** Whether the page is subscribed to this field right now (checked at each attempt). */
  subscribed: (pageId: string, field: string) => boolean;
  /** Facebook unsubscribes the app from a page after a long run of failures. */
  dropSubscription: (pageId: string, reason: string) => void;
  onStatus: () => void;
}

/**
 * Delivers webhook POSTs one at a time, in queue order, retrying the head until it is accepted
 * (HTTP 200) or every page in it has been unsubscribed for failing too often. One queue keeps the
 * order predictable; out-of-order delivery is asked for explicitly (batch `reversed`).
 */
export class WebhookDispatcher {
  private queue: PendingEvent[][] = [];
  private running = false;
  private verifiedFor?: string;
  private failures = new Map<string, number>();
  private wake?: () => void;
  private timer?: NodeJS.Timeout;
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  problem?: string;
  log: DeliveryAttempt[] = [];

  constructor(
    readonly config: WebhookConfig,
    private readonly hooks: Hooks,
  ) {}

  /** Queues one POST holding these events (several pages become several entries). */
  enqueue(events: PendingEvent[]): void {
    if (events.length === 0) return;
    this.queue.push(events);
    this.hooks.onStatus();
    void this.pump();
  }

  /** URL or verify token changed: verify again before the next POST, starting now. */
  reconfigure(): void {
    this.verifiedFor = undefined;
    this.problem = undefined;
    if (this.config.url) void this.verify().then(() => this.pump());
  }

  /** Drops everything queued (reset) and forgets failure counts. */
  clear(): void {
    this.queue = [];
    this.failures.clear();
    this.problem = undefined;
    this.log = [];
    this.kick();
  }

  close(): void {
    this.closed = true;
    this.clear();
  }

  /** Resolves once nothing is queued or being delivered. */
  idle(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  status(): WebhookStatus {
    return {
      url: this.config.url,
      verified: this.verifiedFor !== undefined && this.verifiedFor === this.verifyKey(),
      queued: this.queue.length,
      problem: this.problem,
      failuresByPage: Object.fromEntries(this.failures),
      lastAttempt: this.log.at(-1),
    };
  }

  private verifyKey(): string {
    return `${this.config.url}\n${this.config.verifyToken ?? ''}`;
  }

  /** Cuts a retry wait short (reset, close, new config). */
  private kick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, ms);
    });
  }

  private record(attempt: Omit<DeliveryAttempt, 'at' | 'url'>): void {
    this.log.push({ at: new Date(this.hooks.now()).toISOString(), url: this.config.url ?? '', ...attempt });
    if (this.log.length > 200) this.log.shift();
  }

  private verifying?: Promise<boolean>;

  /** The verification GET (one at a time); true when the callback echoed our challenge with 200. */
  private verify(): Promise<boolean> {
    this.verifying ??= this.verifyOnce().finally(() => (this.verifying = undefined));
    return this.verifying;
  }

  private async verifyOnce(): Promise<boolean> {
    const url = this.config.url;
    if (!url) return false;
    const key = this.verifyKey();
    if (this.verifiedFor === key) return true;
    const challenge = String(randomInt(1_000_000_000, 2_000_000_000));
    const target = new URL(url);
    target.searchParams.set('hub.mode', 'subscribe');
    target.searchParams.set('hub.verify_token', this.config.verifyToken ?? '');
    target.searchParams.set('hub.challenge', challenge);
    try {
      const res = await fetch(target, { signal: AbortSignal.timeout(this.config.timeoutMs) });
      const text = (await res.text()).trim();
      const ok = res.status === 200 && text === challenge;
      if (ok) this.verifiedFor = key;
      else
        this.problem =
          res.status === 200
            ? `Parley answered the webhook verification without the challenge (got "${text.slice(0, 40)}")`
            : `Parley refused the webhook verification: HTTP ${res.status}`;
      this.record({ kind: 'verification', ok, status: res.status, pageIds: [], events: 0 });
      return ok;
    } catch (e) {
      this.problem = `Parley could not be reached for the webhook verification: ${describe(e)}`;
      this.record({ kind: 'verification', ok: false, error: describe(e), pageIds: [], events: 0 });
      return false;
    } finally {
      this.hooks.onStatus();
    }
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      let attempt = 0;
      while (this.queue.length > 0 && !this.closed) {
        const head = this.queue[0];
        // Pages unsubscribed meanwhile (by Parley, a control, or for failing) get nothing more.
        const events = head.filter((e) => this.hooks.subscribed(e.pageId, e.field));
        if (events.length === 0 || !this.config.url) {
          this.queue.shift();
          attempt = 0;
          continue;
        }
        const result = await this.attempt(events);
        if (this.queue[0] !== head) {
          attempt = 0; // cleared while we were delivering
          continue;
        }
        if (result.ok) {
          this.queue.shift();
          attempt = 0;
          this.problem = undefined;
          for (const p of pagesOf(events)) this.failures.delete(p);
          this.hooks.onStatus();
          continue;
        }
        attempt++;
        for (const p of pagesOf(events)) {
          const n = (this.failures.get(p) ?? 0) + 1;
          this.failures.set(p, n);
          if (n >= this.config.failuresBeforeUnsubscribe) {
            this.failures.delete(p);
            this.hooks.dropSubscription(p, `${n} failed webhook deliveries in a row`);
            this.problem = `${result.problem}; after ${n} failures in a row the page ${p} was unsubscribed`;
          }
        }
        const delays = this.config.retryDelaysMs;
        const delay = delays.length ? delays[Math.min(attempt - 1, delays.length - 1)] : 0;
        if (!this.problem?.includes('unsubscribed')) this.problem = `${result.problem}, retrying`;
        this.hooks.onStatus();
        if (delay > 0) await this.sleep(delay);
      }
    } finally {
      this.running = false;
      this.hooks.onStatus();
      if (this.queue.length === 0) for (const w of this.idleWaiters.splice(0)) w();
      else if (!this.closed) void this.pump();
    }
  }

  private async attempt(events: PendingEvent[]): Promise<{ ok: boolean; problem: string }> {
    if (!(await this.verify())) return { ok: false, problem: this.problem ?? 'webhook not verified' };
    const body = Buffer.from(metaJson(payload(events, this.hooks.now())), 'utf8');
    const pageIds = pagesOf(events);
    try {
      const res = await fetch(this.config.url!, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...signatureHeaders(body, this.hooks.appSecret) },
        body,
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      this.record({
        kind: 'delivery',
        ok: res.status === 200,
        status: res.status,
        pageIds,
        events: events.length,
      });
      return {
        ok: res.status === 200,
        problem: `Parley did not accept the last delivery: HTTP ${res.status}`,
      };
    } catch (e) {
      this.record({ kind: 'delivery', ok: false, error: describe(e), pageIds, events: events.length });
      return { ok: false, problem: `Parley did not accept the last delivery: ${describe(e)}` };
    }
  }
}

/** `{object:'page', entry:[…]}`: consecutive events of one page share an entry, as Facebook batches them. */
export function payload(events: PendingEvent[], now: number): unknown {
  const entry: { id: string; time: number; messaging: MessagingEvent[] }[] = [];
  for (const e of events) {
    const last = entry.at(-1);
    if (last && last.id === e.pageId) last.messaging.push(e.event);
    else entry.push({ id: e.pageId, time: now, messaging: [e.event] });
  }
  return { object: 'page', entry };
}

const pagesOf = (events: PendingEvent[]): string[] => [...new Set(events.map((e) => e.pageId))];

function describe(e: unknown): string {
  if (e instanceof Error) {
    if (e.name === 'TimeoutError') return 'no answer within the timeout';
    const cause = (e as { cause?: { code?: string } }).cause;
    if (cause?.code === 'ECONNREFUSED') return 'connection refused';
    return cause?.code ?? e.message;
  }
  return String(e);
}
