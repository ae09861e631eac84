import { DestroyRef, type Signal, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { type Observable, type OperatorFunction, type Subscription, map } from 'rxjs';
import { describeError, isUnreachable } from './graphql/errors';
import { WsClientService } from './graphql/ws-client.service';

/** Waits before reading again a list the server did not answer: 1 s, 2 s, 4 s... up to 30 s. */
const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 30_000;

/** What one push from the server does: an item new or changed, the id of one that is gone, or a failed push. */
export type LiveChange<T> = { upsert: T } | { remove: string } | { error: unknown };

export interface LiveCollectionOptions<T> {
  /** Plural noun for messages: "Could not load the {what}: …", "The Parley server sent no list of {what}." */
  what: string;
  /** Reads the whole list from the server (use `fetchPolicy: 'network-only'`); no list is an error. */
  load: () => Promise<readonly T[] | null | undefined>;
  /** Subscribes to the server's pushes; called again by `retry()`. Null emissions are ignored. */
  changes?: () => Observable<LiveChange<T> | null>;
}

/**
 * A list of items with an `id`, kept up to date by the server's pushes. Create it in a field initializer
 * (it needs an injection context): it listens at once, then loads, so that a change made meanwhile is not
 * lost (pushes that arrive during a load win over the loaded list); it stops listening with its component.
 *
 *   protected readonly users = new LiveCollection<UserRowFragment>({
 *     what: 'users',
 *     load: async () => {
 *       const result = await firstValueFrom(
 *         this.apollo.query({ query: UsersDocument, fetchPolicy: 'network-only' }),
 *       );
 *       return result.data?.users;
 *     },
 *     changes: () =>
 *       this.apollo
 *         .subscribe({ query: UserChangedDocument })
 *         .pipe(liveChanges((data) => ({ upsert: data.userChanged }))),
 *   });
 *
 * - `items()`: the items, in the order first seen (filter and sort them in a `computed`);
 * - `loading()`, `loadError()` (why the last load failed), `liveError()` (why pushes stopped), in words;
 * - `unreachable()`: the last load got no answer; it is read again by itself, with backoff, and
 *   whenever the live socket reconnects (pushes sent meanwhile were missed);
 * - `placeholder(noneYet)`: what an empty list says ("Loading…", unreachable, or `noneYet`);
 * - `upsert(item)`, `remove(id)`: what this screen changed itself (a mutation's answer);
 * - `reload()`: reads the list again; `retry()`: listens again, then reads again ("Try again", "Reconnect");
 *   `<app-load-errors>` shows both errors with those buttons.
 */
export class LiveCollection<T extends { readonly id: string }> {
  private readonly destroyRef = inject(DestroyRef);
  private readonly byId = signal<ReadonlyMap<string, T>>(new Map());
  private readonly loadingState = signal(true);
  private readonly loadErrorState = signal<string | null>(null);
  private readonly liveErrorState = signal<string | null>(null);
  private readonly unreachableState = signal(false);
  private subscription: Subscription | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private failedLoads = 0;

  readonly items: Signal<readonly T[]> = computed(() => [...this.byId().values()]);
  readonly loading = this.loadingState.asReadonly();
  readonly loadError = this.loadErrorState.asReadonly();
  readonly liveError = this.liveErrorState.asReadonly();
  readonly unreachable = this.unreachableState.asReadonly();

  constructor(private readonly options: LiveCollectionOptions<T>) {
    this.destroyRef.onDestroy(() => clearTimeout(this.retryTimer));
    inject(WsClientService)
      .reconnected$.pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe(() => void this.reload());
    this.retry();
  }

  /** What the empty list says: loading, why it could not be read, or `noneYet` ("No campaigns yet."). */
  placeholder(noneYet: string): string {
    if (this.items().length > 0) return noneYet;
    if (this.unreachable())
      return `The Parley server is unreachable: the ${this.options.what} cannot be shown yet.`;
    if (this.loadError()) return `The ${this.options.what} could not be loaded.`;
    if (this.loading()) return `Loading ${this.options.what}…`;
    return noneYet;
  }

  upsert(item: T): void {
    this.byId.update((current) => new Map(current).set(item.id, item));
  }

  remove(id: string): void {
    this.byId.update((current) => {
      const next = new Map(current);
      next.delete(id);
      return next;
    });
  }

  retry(): void {
    this.listen();
    void this.reload();
  }

  async reload(): Promise<void> {
    clearTimeout(this.retryTimer);
    this.loadingState.set(true);
    this.loadErrorState.set(null);
    const before = this.byId();
    try {
      const items = await this.options.load();
      if (!items) throw new Error(`The Parley server sent no list of ${this.options.what}.`);
      this.byId.update((current) => {
        const next = new Map(items.map((item) => [item.id, item]));
        // Changes pushed while the list was loading are newer than the list.
        for (const [id, item] of current) if (before.get(id) !== item) next.set(id, item);
        return next;
      });
      this.failedLoads = 0;
      this.unreachableState.set(false);
    } catch (error) {
      const unreachable = isUnreachable(error);
      this.unreachableState.set(unreachable);
      this.loadErrorState.set(
        `Could not load the ${this.options.what}: ${describeError(error)}` +
          (unreachable ? ' Trying again by itself…' : ''),
      );
      // No answer at all: the server may be restarting; read again once it is back.
      if (unreachable && !this.destroyRef.destroyed) {
        const delay = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** this.failedLoads++);
        this.retryTimer = setTimeout(() => void this.reload(), delay);
      }
    } finally {
      this.loadingState.set(false);
    }
  }

  private listen(): void {
    this.subscription?.unsubscribe();
    this.subscription = null;
    this.liveErrorState.set(null);
    const changes = this.options.changes?.();
    if (!changes) return;
    this.subscription = changes.pipe(takeUntilDestroyed(this.destroyRef)).subscribe({
      next: (change) => {
        if (!change) return;
        if ('error' in change) this.liveErrorState.set(describeError(change.error));
        else if ('remove' in change) this.remove(change.remove);
        else this.upsert(change.upsert);
      },
      error: (error: unknown) => this.liveErrorState.set(describeError(error)),
    });
  }
}

/**
 * For `changes`: turns Apollo subscription results into changes. `change` reads one from a result's data;
 * a result with an error becomes `{ error }` (the subscription goes on).
 */
export function liveChanges<D, T>(
  change: (data: D) => LiveChange<T> | null,
): OperatorFunction<{ data?: D; error?: unknown }, LiveChange<T> | null> {
  return map((result) => (result.error ? { error: result.error } : result.data ? change(result.data) : null));
}
