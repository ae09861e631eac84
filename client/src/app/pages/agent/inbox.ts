import { NgTemplateOutlet } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatTooltipModule } from '@angular/material/tooltip';
import { nowSignal } from '../../core/now';
import { ErrorMessage } from '../../ui/error-message';
import { LoadErrors } from '../../ui/load-errors';
import { AgentDesk, type InboxItem } from './agent-desk';
import { ContactAvatar } from './contact-avatar';
import { clock, span, when } from './time';

export type InboxTab = 'pending' | 'active' | 'history';
const TABS: readonly { id: InboxTab; label: string }[] = [
  { id: 'pending', label: 'Pending' },
  { id: 'active', label: 'Active' },
  { id: 'history', label: 'History' },
];

/** What a list item's last line says: the last message, or what it carried. */
export function preview(item: Pick<InboxItem, 'lastMessage'>): string {
  const message = item.lastMessage;
  if (!message) return 'No message yet';
  const text = message.text?.trim();
  const files = message.attachments.length;
  const body =
    text || (files ? `${files === 1 ? 'An attachment' : `${files} attachments`}` : 'An empty message');
  return message.direction === 'OUTBOUND' ? `You: ${body}` : body;
}

/** The agent's chats in three tabs: Pending (offers, MANUAL queue), Active, History (today); searchable. */
@Component({
  selector: 'app-agent-inbox',
  imports: [
    NgTemplateOutlet,
    MatButtonModule,
    MatIconModule,
    MatProgressBarModule,
    MatTooltipModule,
    ContactAvatar,
    ErrorMessage,
    LoadErrors,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './inbox.html',
  styleUrl: './inbox.scss',
})
export class AgentInbox {
  protected readonly desk = inject(AgentDesk);
  private readonly now = nowSignal(1000);

  protected readonly tabs = TABS;
  protected readonly tab = signal<InboxTab>('pending');
  protected readonly search = signal('');

  private readonly matches = computed(() => {
    const words = this.search().trim().toLowerCase().split(/\s+/).filter(Boolean);
    return (item: InboxItem) => {
      if (!words.length) return true;
      const haystack =
        `${item.contact.name} ${item.lastMessage?.text ?? ''} ${item.campaign.name}`.toLowerCase();
      return words.every((word) => haystack.includes(word));
    };
  });
  protected readonly offers = computed(() => this.desk.offers().filter(this.matches()));
  protected readonly waiting = computed(() => this.desk.waiting().filter(this.matches()));
  protected readonly active = computed(() => this.desk.active().filter(this.matches()));
  protected readonly closed = computed(() => this.desk.closedToday().filter(this.matches()));

  protected readonly loadError = computed(
    () => this.desk.inbox.loadError() ?? this.desk.queue.loadError() ?? this.desk.history.loadError(),
  );
  protected readonly liveError = this.desk.inbox.liveError;
  protected readonly loading = computed(
    () => this.desk.inbox.loading() && this.desk.inbox.items().length === 0,
  );

  protected readonly preview = preview;
  protected readonly when = (iso: string | null) => (iso ? when(iso, this.now()) : '');

  /** "Accept within 0:25", from the offer's expiry. */
  protected timeLeft(item: InboxItem): string {
    if (!item.offerExpiresAt) return '';
    const left = Date.parse(item.offerExpiresAt) - this.now().getTime();
    return left > 0 ? clock(left) : '0:00';
  }

  protected waited(item: InboxItem): string {
    return span(this.now().getTime() - Date.parse(item.queuedAt));
  }

  /** What a tab's badge counts: offers and waiting chats, active chats, chats closed today. */
  protected count(tab: InboxTab): number {
    if (tab === 'pending') return this.desk.offers().length + this.desk.waiting().length;
    return tab === 'active' ? this.desk.active().length : this.desk.closedToday().length;
  }

  protected open(item: InboxItem): void {
    this.desk.select(item.id);
  }

  protected retry(): void {
    this.desk.inbox.retry();
    this.desk.queue.retry();
    this.desk.history.retry();
  }
}
