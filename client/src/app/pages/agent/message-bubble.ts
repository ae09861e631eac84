import { ChangeDetectionStrategy, Component, computed, input, output } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatTooltipModule } from '@angular/material/tooltip';
import type { AgentMessageFragment, DeliveryStatus } from '../../graphql/generated';

/** Each delivery status as an icon and words (ticks, as in Messenger). */
export const DELIVERY: Readonly<Record<DeliveryStatus, { icon: string; label: string }>> = {
  PENDING: { icon: 'schedule', label: 'Waiting to be sent' },
  SENT: { icon: 'check', label: 'Sent' },
  DELIVERED: { icon: 'done-all', label: 'Delivered' },
  READ: { icon: 'done-all', label: 'Read' },
  FAILED: { icon: 'error', label: 'Not sent' },
};

/** Facebook's reaction names, for a reaction that came without its emoji. */
const REACTION_EMOJI: Readonly<Record<string, string>> = {
  love: '❤️',
  like: '👍',
  smile: '😆',
  wow: '😮',
  sad: '😢',
  angry: '😠',
};

/** One message: text, attachments inline (pictures shown, other files to download), time and ticks. */
@Component({
  selector: 'app-message-bubble',
  imports: [MatButtonModule, MatIconModule, MatTooltipModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="bubble" [class.out]="outbound()">
      @for (file of message().attachments; track $index) {
        @switch (file.type) {
          @case ('IMAGE') {
            <a class="image" [href]="file.url" target="_blank" rel="noopener" data-testid="message-image">
              <img [src]="file.url" [alt]="file.name || 'Picture'" loading="lazy" />
            </a>
          }
          @case ('VIDEO') {
            <video
              class="media"
              [src]="file.url"
              controls
              preload="metadata"
              data-testid="message-video"
            ></video>
          }
          @case ('AUDIO') {
            <audio
              class="media"
              [src]="file.url"
              controls
              preload="metadata"
              data-testid="message-audio"
            ></audio>
          }
          @default {
            <a class="file" [href]="file.url" [attr.download]="file.name || ''" data-testid="message-file">
              <mat-icon svgIcon="file" aria-hidden="true" />
              <span>{{ file.name || 'File' }}</span>
              <mat-icon svgIcon="download" aria-hidden="true" />
            </a>
          }
        }
      }
      @if (message().text; as text) {
        <p class="text" data-testid="message-text">{{ text }}</p>
      }
      <span class="meta">
        @if (message().sentBy; as by) {
          <span>{{ by.displayName }} ·</span>
        }
        <time [attr.datetime]="message().createdAt">{{ time() }}</time>
        @if (outbound()) {
          <mat-icon
            class="tick"
            [class]="'tick status-' + message().status.toLowerCase()"
            [svgIcon]="delivery().icon"
            [matTooltip]="delivery().label"
            [attr.aria-label]="delivery().label"
            [attr.data-status]="message().status"
            role="img"
            aria-hidden="false"
            data-testid="message-status"
          />
        }
      </span>
    </div>
    @if (reaction(); as emoji) {
      <span
        class="reaction"
        role="img"
        [attr.aria-label]="'The customer reacted ' + emoji"
        [matTooltip]="'The customer reacted ' + emoji"
        data-testid="message-reaction"
        >{{ emoji }}</span
      >
    }
    @if (message().status === 'FAILED') {
      <div class="failed" role="alert" data-testid="message-failed">
        <span>Not sent: {{ message().error || 'Facebook refused it.' }}</span>
        @if (canRetry() && message().text) {
          <button mat-button type="button" (click)="retry.emit(message())" data-testid="message-retry">
            Retry
          </button>
        }
      </div>
    } @else if (waitingNote(); as note) {
      <p class="waiting" role="status" data-testid="message-waiting">{{ note }}</p>
    }
  `,
  styles: `
    :host {
      display: flex;
      flex-direction: column;
      align-items: flex-start;
    }
    :host(.out) {
      align-items: flex-end;
    }
    .bubble {
      max-width: min(75%, 520px);
      padding: 8px 12px;
      border-radius: 16px 16px 16px 4px;
      background: var(--mat-sys-surface-container-high);
      overflow-wrap: anywhere;
    }
    .bubble.out {
      border-radius: 16px 16px 4px 16px;
      background: var(--mat-sys-primary-container);
      color: var(--mat-sys-on-primary-container);
    }
    .text {
      margin: 0;
      white-space: pre-wrap;
    }
    .image img {
      display: block;
      max-width: 100%;
      max-height: 240px;
      border-radius: 8px;
      margin-bottom: 4px;
    }
    .media {
      max-width: 100%;
    }
    .file {
      display: flex;
      align-items: center;
      gap: 6px;
      margin-bottom: 4px;
      color: inherit;
    }
    .meta {
      display: flex;
      justify-content: flex-end;
      align-items: center;
      gap: 4px;
      font: var(--mat-sys-label-small);
      opacity: 0.8;
    }
    .tick {
      width: 16px;
      height: 16px;
    }
    .status-read {
      color: var(--mat-sys-primary);
    }
    .status-failed {
      color: var(--mat-sys-error);
    }
    .failed,
    .waiting {
      display: flex;
      align-items: center;
      gap: 4px;
      margin: 2px 0 0;
      color: var(--mat-sys-error);
      font: var(--mat-sys-body-small);
    }
    .waiting {
      color: var(--parley-warn);
    }
    .reaction {
      margin: -10px 8px 0;
      padding: 0 4px;
      border-radius: 10px;
      background: var(--mat-sys-surface-container-highest);
      box-shadow: 0 1px 2px rgb(0 0 0 / 20%);
      font-size: 14px;
      line-height: 20px;
    }
  `,
  host: { '[class.out]': 'outbound()' },
})
export class MessageBubble {
  readonly message = input.required<AgentMessageFragment>();
  /** Whether the page of this conversation is disconnected from Facebook (replies wait). */
  readonly pageDisconnected = input(false);
  readonly canRetry = input(false);
  readonly retry = output<AgentMessageFragment>();

  protected readonly outbound = computed(() => this.message().direction === 'OUTBOUND');
  protected readonly delivery = computed(() => DELIVERY[this.message().status]);
  protected readonly time = computed(() =>
    new Date(this.message().createdAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }),
  );
  /** The customer's reaction as an emoji (Facebook sends the emoji, or only a name for some). */
  protected readonly reaction = computed(() => {
    const reaction = this.message().reaction;
    return reaction ? (REACTION_EMOJI[reaction] ?? reaction) : null;
  });
  protected readonly waitingNote = computed(() =>
    this.outbound() && this.message().status === 'PENDING' && this.pageDisconnected()
      ? 'Waiting: the Facebook page is disconnected. It is sent, in order, once an admin reconnects the page.'
      : null,
  );
}
