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
import { MatTooltipModule } from '@angular/material/tooltip';
import { Apollo } from 'apollo-angular';
import { firstValueFrom } from 'rxjs';
import { describeError } from '../../../core/graphql/errors';
import { nowSignal } from '../../../core/now';
import { MessengerSettingsDocument, type MessengerSettingsQuery } from '../../../graphql/generated';
import { LoadErrors } from '../../../ui/load-errors';

type Settings = MessengerSettingsQuery['messengerSettings'];
type Copyable = 'webhook' | 'verify';

/** Read again this often, so that the first webhook shows while the admin waits for it. */
const REFRESH_MS = 20_000;
/** How long "Copied" stays beside a copy button. */
const COPIED_MS = 3000;

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
    MatTooltipModule,
    LoadErrors,
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
      Object.values(this.copyTimers).forEach((t) => clearTimeout(t));
    });
  }

  async load(): Promise<void> {
    this.loading.set(true);
    try {
      const result = await firstValueFrom(
        this.apollo.query({ query: MessengerSettingsDocument, fetchPolicy: 'network-only' }),
      );
      const settings = result.data?.messengerSettings;
      if (!settings) throw new Error('The Parley server sent no Messenger settings.');
      this.settings.set(settings);
      this.loadError.set(null);
    } catch (error) {
      this.loadError.set(`Could not load the Messenger settings: ${describeError(error)}`);
    } finally {
      this.loading.set(false);
    }
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
