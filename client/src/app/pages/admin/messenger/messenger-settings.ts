import { ClipboardModule } from '@angular/cdk/clipboard';
import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { MESSENGER_WEBHOOK_FIELDS } from '@parley/libs/messenger/webhook-fields.js';
import { relativeTime } from '@parley/libs/shared/relative-time.js';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { MatTooltipModule } from '@angular/material/tooltip';
import { Apollo } from 'apollo-angular';
import { firstValueFrom } from 'rxjs';
import { describeError, hasErrorCode } from '../../../core/graphql/errors';
import { nowSignal } from '../../../core/now';
import {
  type FailedDeliveryFragment,
  MessengerSettingsDocument,
  type MessengerSettingsQuery,
  ReplayFailedDeliveriesDocument,
  ReplayWebhookDeliveryDocument,
} from '../../../graphql/generated';
import { ErrorMessage } from '../../../ui/error-message';
import { LoadErrors } from '../../../ui/load-errors';

type Settings = MessengerSettingsQuery['messengerSettings'];
type Copyable = 'webhook' | 'verify';

/** Read again this often, so that the first webhook shows while the admin waits for it. */
const REFRESH_MS = 20_000;
/** How long "Copied" stays beside a copy button. */
const COPIED_MS = 3000;
/** The newest failed deliveries listed; "Replay all" covers the others too. */
export const FAILED_SHOWN = 50;
/** After a replay, read again this soon: a delivery that fails again at once is listed again, and said. */
const RECHECK_MS = 2500;

type RowStatus = { busy: true; error?: undefined } | { busy?: false; error: string };

/** "1.2 kB": a body's size for people. */
export function byteSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} bytes`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/** What a failed delivery was, in words: Messenger events for pages, or something Parley cannot read. */
export function describeDelivery(d: FailedDeliveryFragment): string {
  if (d.object === null) return 'Not JSON: Parley cannot read it';
  if (d.object !== 'page')
    return `Not a Messenger delivery (object "${d.object}"${d.pageIds.length ? `, for ${d.pageIds.join(', ')}` : ''})`;
  const events = `${d.events} ${d.events === 1 ? 'event' : 'events'}`;
  if (d.pageIds.length === 0) return `${events}, for no page`;
  return `${events} for ${d.pageIds.length === 1 ? 'page' : 'pages'} ${d.pageIds.join(', ')}`;
}

/**
 * Admins: what to paste into the Meta app to go live (webhook Callback URL and Verify token), the app
 * and Graph API Parley uses, and whether webhooks arrive.
 */
@Component({
  selector: 'app-messenger-settings',
  imports: [
    ClipboardModule,
    DatePipe,
    MatButtonModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatProgressBarModule,
    MatProgressSpinnerModule,
    MatTooltipModule,
    LoadErrors,
    ErrorMessage,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './messenger-settings.html',
  styleUrl: './messenger-settings.scss',
})
export class MessengerSettingsPage {
  private readonly apollo = inject(Apollo);
  private readonly now = nowSignal(15_000);

  protected readonly settings = signal<Settings | null>(null);
  protected readonly loading = signal(false);
  protected readonly loadError = signal<string | null>(null);
  /** Per copy button: "Copied", or why it could not copy; null shows nothing. */
  protected readonly copyStatus = signal<Record<Copyable, string | null>>({ webhook: null, verify: null });
  private readonly copyTimers: Partial<Record<Copyable, ReturnType<typeof setTimeout>>> = {};
  protected readonly webhookFields = MESSENGER_WEBHOOK_FIELDS;

  /** The newest FAILED deliveries (messengerSettings.failedDeliveries counts them all). */
  protected readonly failed = signal<FailedDeliveryFragment[]>([]);
  /** Per delivery: its Replay is running, or why it could not be replayed. */
  protected readonly rowStatus = signal<Record<string, RowStatus>>({});
  protected readonly replayingAll = signal(false);
  /** What the last replay did, in words, beside "Replay all". */
  protected readonly replayNote = signal<string | null>(null);
  protected readonly replayError = signal<string | null>(null);
  protected readonly failedShown = FAILED_SHOWN;
  protected readonly describeDelivery = describeDelivery;
  protected readonly byteSize = byteSize;
  private readonly recheckTimers = new Set<ReturnType<typeof setTimeout>>();

  /** The two values the Meta app's webhook form asks for, each with its copy button. */
  protected pasteValues(s: Settings) {
    return [
      {
        key: 'webhook',
        label: 'Callback URL',
        name: 'webhook URL',
        testid: 'webhook-url',
        value: s.webhookUrl,
      },
      {
        key: 'verify',
        label: 'Verify token',
        name: 'verify token',
        testid: 'verify-token',
        value: s.verifyToken,
      },
    ] as const;
  }

  protected readonly lastWebhook = computed(() => {
    const at = this.settings()?.lastWebhookAt;
    return at ? relativeTime(at, this.now()) : null;
  });
  protected readonly lastRejected = computed(() => {
    const at = this.settings()?.lastRejectedWebhookAt;
    return at ? relativeTime(at, this.now()) : null;
  });

  constructor() {
    void this.load();
    const timer = setInterval(() => {
      if (!this.loading()) void this.load();
    }, REFRESH_MS);
    inject(DestroyRef).onDestroy(() => {
      clearInterval(timer);
      this.recheckTimers.forEach((t) => clearTimeout(t));
      Object.values(this.copyTimers).forEach((t) => clearTimeout(t));
    });
  }

  async load(): Promise<void> {
    this.loading.set(true);
    try {
      const result = await firstValueFrom(
        this.apollo.query({
          query: MessengerSettingsDocument,
          variables: { failedFirst: FAILED_SHOWN },
          fetchPolicy: 'network-only',
        }),
      );
      const settings = result.data?.messengerSettings;
      if (!settings) throw new Error('The Parley server sent no Messenger settings.');
      this.settings.set(settings);
      this.failed.set(result.data?.failedWebhookDeliveries ?? []);
      this.loadError.set(null);
    } catch (error) {
      this.loadError.set(`Could not load the Messenger settings: ${describeError(error)}`);
    } finally {
      this.loading.set(false);
    }
  }

  protected relative(at: string): string {
    return relativeTime(at, this.now());
  }

  /** Puts one FAILED delivery back to be processed; it leaves the list, and the note says so. */
  async replay(delivery: FailedDeliveryFragment): Promise<void> {
    if (this.rowStatus()[delivery.id]?.busy) return;
    this.setRow(delivery.id, { busy: true });
    this.replayError.set(null);
    try {
      const result = await firstValueFrom(
        this.apollo.mutate({ mutation: ReplayWebhookDeliveryDocument, variables: { id: delivery.id } }),
      );
      if (!result.data?.replayWebhookDelivery)
        throw new Error('The Parley server did not answer the replay.');
      this.setRow(delivery.id, null);
      this.dropFromList([delivery.id]);
      this.replayNote.set(
        `Delivery ${delivery.id} was put back to be processed. Messages it holds that were already stored are not stored twice.`,
      );
      this.recheck([delivery.id]);
    } catch (error) {
      this.setRow(delivery.id, { error: `Could not replay it: ${describeError(error)}` });
      // Replayed by someone else meanwhile, or gone: the list is out of date.
      if (hasErrorCode(error, 'CONFLICT') || hasErrorCode(error, 'NOT_FOUND')) void this.load();
    }
  }

  /** Puts every FAILED delivery back to be processed, listed or not. */
  async replayAll(): Promise<void> {
    if (this.replayingAll()) return;
    this.replayingAll.set(true);
    this.replayError.set(null);
    this.replayNote.set(null);
    const listed = this.failed().map((d) => d.id);
    try {
      const result = await firstValueFrom(this.apollo.mutate({ mutation: ReplayFailedDeliveriesDocument }));
      const count = result.data?.replayFailedDeliveries;
      if (count == null) throw new Error('The Parley server did not answer the replay.');
      this.dropFromList(listed);
      this.replayNote.set(
        count === 0
          ? 'There was nothing left to replay.'
          : `${count === 1 ? 'One delivery was' : `${count} deliveries were`} put back to be processed. Messages already stored are not stored twice.`,
      );
      this.recheck(listed);
    } catch (error) {
      this.replayError.set(`Could not replay the failed deliveries: ${describeError(error)}`);
    } finally {
      this.replayingAll.set(false);
    }
  }

  private setRow(id: string, status: RowStatus | null): void {
    this.rowStatus.update((all) => {
      const next = { ...all };
      if (status) next[id] = status;
      else delete next[id];
      return next;
    });
  }

  private dropFromList(ids: string[]): void {
    const gone = new Set(ids);
    const before = this.failed().length;
    this.failed.update((list) => list.filter((d) => !gone.has(d.id)));
    const dropped = before - this.failed().length;
    this.settings.update((s) =>
      s ? { ...s, failedDeliveries: Math.max(0, s.failedDeliveries - dropped) } : s,
    );
  }

  /** Reads again shortly after a replay and says which of `ids` failed again at once. */
  private recheck(ids: string[]): void {
    const timer = setTimeout(async () => {
      this.recheckTimers.delete(timer);
      await this.load();
      const again = this.failed().filter((d) => ids.includes(d.id));
      if (again.length === 1)
        this.replayNote.set(
          `Delivery ${again[0].id} failed again: ${(again[0].lastError ?? 'no reason was recorded').replace(/\.$/, '')}.`,
        );
      else if (again.length > 1)
        this.replayNote.set(`${again.length} of the replayed deliveries failed again; each says why below.`);
    }, RECHECK_MS);
    this.recheckTimers.add(timer);
  }

  protected copied(which: Copyable, success: boolean): void {
    clearTimeout(this.copyTimers[which]);
    this.copyStatus.update((s) => ({
      ...s,
      [which]: success ? 'Copied' : 'Could not copy: select the text and copy it yourself.',
    }));
    this.copyTimers[which] = setTimeout(
      () => this.copyStatus.update((s) => ({ ...s, [which]: null })),
      success ? COPIED_MS : 4 * COPIED_MS,
    );
  }

  protected selectAll(event: FocusEvent): void {
    (event.target as HTMLInputElement).select();
  }
}
