import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  type ElementRef,
  computed,
  effect,
  inject,
  input,
  output,
  signal,
  untracked,
  viewChild,
} from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSnackBar } from '@angular/material/snack-bar';
import { MatTooltipModule } from '@angular/material/tooltip';
import { Apollo } from 'apollo-angular';
import { type Subscription, filter, firstValueFrom } from 'rxjs';
import { AuthService } from '../../core/auth/auth.service';
import { describeError } from '../../core/graphql/errors';
import { WsClientService } from '../../core/graphql/ws-client.service';
import { nowSignal } from '../../core/now';
import {
  AgentConversationDocument,
  type AgentConversationQuery,
  type AgentInboxItemFragment,
  AgentMessageChangedDocument,
  type AgentMessageFragment,
  AgentPageStatusDocument,
  type DeliveryStatus,
} from '../../graphql/generated';
import { ErrorMessage } from '../../ui/error-message';
import { AgentDesk, type InboxEvent } from './agent-desk';
import { CloseDialog, type CloseDialogData } from './close-dialog';
import { Composer } from './composer';
import { ContactAvatar } from './contact-avatar';
import { DraftStore } from './drafts';
import { MessageBubble } from './message-bubble';
import { Replies } from './replies';
import { replyWindow, span, when } from './time';
import { TransferDialog, type TransferDialogData } from './transfer-dialog';

type Conversation = NonNullable<AgentConversationQuery['interaction']>;
type Earlier = Conversation['previousInteractions'][number];

const STATUS_WORDS: Readonly<Record<Conversation['status'], string>> = {
  QUEUED: 'Waiting in the queue',
  OFFERED: 'Offered to you',
  ACTIVE: 'Active',
  CLOSED: 'Closed',
  ABANDONED: 'Abandoned',
};

/** Statuses only move forward; a late push of an older one must not undo a newer one. */
const PROGRESS: Readonly<Record<DeliveryStatus, number>> = {
  PENDING: 0,
  FAILED: 1,
  SENT: 2,
  DELIVERED: 3,
  READ: 4,
};

const byTime = (a: AgentMessageFragment, b: AgentMessageFragment) =>
  a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id);

/**
 * One chat: title (campaign and customer), the customer's earlier chats collapsed above, the messages
 * kept live by inboxChanged, the reply window, and what the agent does with it (accept, close,
 * transfer, reply).
 */
@Component({
  selector: 'app-conversation',
  imports: [
    MatButtonModule,
    MatIconModule,
    MatProgressBarModule,
    MatTooltipModule,
    Composer,
    ContactAvatar,
    ErrorMessage,
    MessageBubble,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './conversation.html',
  styleUrl: './conversation.scss',
})
export class ConversationPane {
  private readonly apollo = inject(Apollo);
  private readonly dialog = inject(MatDialog);
  private readonly snackBar = inject(MatSnackBar);
  private readonly drafts = inject(DraftStore);
  private readonly replies = inject(Replies);
  private readonly me = inject(AuthService).user;
  protected readonly desk = inject(AgentDesk);
  private readonly now = nowSignal(1000);

  readonly interactionId = input.required<string>();
  /** The agent leaves the pane (compact layout: back to the inbox). */
  readonly back = output();

  protected readonly conversation = signal<Conversation | null>(null);
  private readonly messageMap = signal<ReadonlyMap<string, AgentMessageFragment>>(new Map());
  protected readonly messages = computed(() => [...this.messageMap().values()].sort(byTime));
  protected readonly earlier = computed<readonly Earlier[]>(
    () => this.conversation()?.previousInteractions ?? [],
  );
  protected readonly showEarlier = signal(false);
  protected readonly loading = signal(false);
  protected readonly loadError = signal<string | null>(null);
  protected readonly actionError = signal<string | null>(null);

  protected readonly mine = computed(() => {
    const c = this.conversation();
    return !!c && c.status === 'ACTIVE' && c.agent?.id === this.me()?.id;
  });
  protected readonly statusWords = computed(() => {
    const c = this.conversation();
    return c ? STATUS_WORDS[c.status] : '';
  });
  protected readonly window = computed(() =>
    replyWindow(this.conversation()?.windowExpiresAt ?? null, this.now()),
  );
  protected readonly windowWords = computed(() => {
    const w = this.window();
    switch (w.kind) {
      case 'standard':
        return `Reply window: ${span(w.left)} left`;
      case 'human-agent':
        return `24-hour window closed: replies go as "human agent" for ${span(w.left)} more`;
      case 'closed':
        return "Messenger's 7-day window has closed: no reply can be sent until the customer writes again.";
      default:
        return '';
    }
  });
  protected readonly pageDisconnected = computed(
    () => this.conversation()?.campaign.tokenStatus === 'INACTIVE',
  );
  protected readonly gone = computed(() => this.desk.goneReason().get(this.interactionId()) ?? null);
  protected readonly when = (iso: string | null) => (iso ? when(iso, this.now()) : '');

  private readonly scroller = viewChild<ElementRef<HTMLElement>>('scroller');
  private messageFeed: Subscription | null = null;
  /** The chat whose message feed is open, so one feed serves it however often the pane re-renders. */
  private feedFor: string | null = null;

  constructor() {
    effect(() => {
      const id = this.interactionId();
      untracked(() => void this.load(id));
    });
    // New messages: keep the newest in view.
    effect(() => {
      this.messages();
      const element = this.scroller()?.nativeElement;
      if (element) setTimeout(() => (element.scrollTop = element.scrollHeight));
    });
    // While the chat is the agent's: its messages live (replies' ticks), and the customer sees it read.
    effect(() => {
      const id = this.interactionId();
      const mine = this.mine();
      untracked(() => this.follow(mine ? id : null));
    });
    const destroyRef = inject(DestroyRef);
    destroyRef.onDestroy(() => this.follow(null));
    this.desk.events$
      .pipe(
        filter((event) => event.interaction.id === this.interactionId()),
        takeUntilDestroyed(destroyRef),
      )
      .subscribe((event) => this.apply(event));
    inject(WsClientService)
      .reconnected$.pipe(takeUntilDestroyed(destroyRef))
      .subscribe(() => void this.load(this.interactionId(), true));
  }

  protected toggleEarlier(): void {
    this.showEarlier.update((shown) => !shown);
  }

  protected earlierTitle(item: Earlier): string {
    const by = item.agent ? ` · ${item.agent.displayName}` : '';
    return `${this.when(item.queuedAt)} · ${item.campaign.name}${by} · ${STATUS_WORDS[item.status].toLowerCase()}`;
  }

  protected async accept(): Promise<void> {
    await this.desk.accept(this.interactionId());
    // The answer (and then ASSIGNED) says it is ACTIVE; what only the pane reads comes again.
    await this.load(this.interactionId(), true);
  }

  protected close(): void {
    const c = this.conversation();
    if (!c) return;
    this.dialog
      .open<CloseDialog, CloseDialogData, AgentInboxItemFragment>(CloseDialog, {
        data: { interactionId: c.id, contactName: c.contact.name },
        width: '480px',
        maxWidth: '95vw',
      })
      .afterClosed()
      .subscribe((closed) => {
        if (!closed) return;
        this.drafts.clear(c.id);
        this.desk.left(closed, true);
        this.conversation.update((current) =>
          current ? { ...current, ...merge(current, closed) } : current,
        );
        this.snackBar.open(`Chat with ${c.contact.name} closed`, 'OK', { duration: 4000 });
      });
  }

  protected transfer(): void {
    const c = this.conversation();
    if (!c) return;
    this.dialog
      .open<TransferDialog, TransferDialogData, string>(TransferDialog, {
        data: { interactionId: c.id, contactName: c.contact.name, campaignName: c.campaign.name },
        width: '480px',
        maxWidth: '95vw',
      })
      .afterClosed()
      .subscribe((target) => {
        if (!target) return;
        this.drafts.clear(c.id);
        this.desk.left(c, false);
        this.desk.select(null);
        this.snackBar.open(`Chat with ${c.contact.name} transferred to ${target}`, 'OK', { duration: 4000 });
      });
  }

  /** The composer's reply, stored PENDING: shown at once, its ticks follow on messageChanged. */
  protected received(message: AgentMessageFragment): void {
    this.upsertMessage(message);
    void this.refreshPageStatus();
  }

  /** A failed reply sent again as a new one (its text and files). */
  protected async resend(message: AgentMessageFragment): Promise<void> {
    this.actionError.set(null);
    try {
      const again = await this.replies.send(
        message.interactionId,
        message.text?.trim() || null,
        message.attachments.map(({ type, url, name }) => ({ type, url, name })),
      );
      this.upsertMessage(again);
      void this.refreshPageStatus();
    } catch (error) {
      this.actionError.set(`Could not send the reply again: ${describeError(error)}`);
    }
  }

  protected retryLoad(): void {
    void this.load(this.interactionId());
  }

  private async load(id: string, quietly = false): Promise<void> {
    if (!quietly) {
      this.conversation.set(null);
      this.messageMap.set(new Map());
      this.showEarlier.set(false);
    }
    this.loading.set(true);
    this.loadError.set(null);
    this.actionError.set(null);
    try {
      const result = await firstValueFrom(
        this.apollo.query({
          query: AgentConversationDocument,
          variables: { id },
          fetchPolicy: 'network-only',
        }),
      );
      if (id !== this.interactionId()) return;
      const found = result.data?.interaction;
      if (!found) throw new Error('This chat is not yours to see (any more).');
      this.conversation.set(found);
      this.messageMap.set(new Map(found.messages.map((m) => [m.id, m])));
    } catch (error) {
      if (id === this.interactionId()) this.loadError.set(`Could not open the chat: ${describeError(error)}`);
    } finally {
      if (id === this.interactionId()) this.loading.set(false);
    }
  }

  private apply(event: InboxEvent): void {
    if (event.message) this.upsertMessage(event.message);
    this.conversation.update((current) =>
      current ? { ...current, ...merge(current, event.interaction) } : current,
    );
    if (event.kind === 'MESSAGE') {
      this.desk.markRead(event.interaction.id);
      if (event.message?.direction === 'INBOUND' && this.mine()) this.replies.seen(event.interaction.id);
    }
  }

  /** Opens the message feed of the chat (null: none), and tells the customer it is seen. */
  private follow(id: string | null): void {
    if (id === this.feedFor) return;
    this.messageFeed?.unsubscribe();
    this.messageFeed = null;
    this.feedFor = id;
    if (!id) return;
    this.replies.seen(id);
    this.messageFeed = this.apollo
      .subscribe({ query: AgentMessageChangedDocument, variables: { interactionId: id } })
      .subscribe({
        next: (result) => {
          const message = result.data?.messageChanged;
          if (message && message.interactionId === this.interactionId()) this.upsertMessage(message);
        },
        // inboxChanged still brings the customer's messages and the status changes (UPDATED).
        error: () => undefined,
      });
  }

  private upsertMessage(message: AgentMessageFragment): void {
    this.messageMap.update((messages) => {
      const known = messages.get(message.id);
      const kept =
        known && PROGRESS[known.status] > PROGRESS[message.status]
          ? { ...message, status: known.status, error: known.error }
          : message;
      return new Map(messages).set(message.id, kept);
    });
  }

  /**
   * Agents get no campaign pushes: after a reply, read whether its page is connected, so a reply
   * that waits for a disconnected page says so.
   */
  private async refreshPageStatus(): Promise<void> {
    const id = this.interactionId();
    try {
      const result = await firstValueFrom(
        this.apollo.query({ query: AgentPageStatusDocument, variables: { id }, fetchPolicy: 'network-only' }),
      );
      const tokenStatus = result.data?.interaction?.campaign.tokenStatus;
      if (!tokenStatus || id !== this.interactionId()) return;
      this.conversation.update((c) => (c ? { ...c, campaign: { ...c.campaign, tokenStatus } } : c));
    } catch {
      // The reply is stored; its status still shows. The note is only a hint.
    }
  }
}

/** What an inbox event or a mutation says about the interaction, over what the pane read. */
function merge(current: Conversation, update: AgentInboxItemFragment): Partial<Conversation> {
  return {
    status: update.status,
    assignedAt: update.assignedAt,
    closedAt: update.closedAt,
    disposition: update.disposition,
    offerExpiresAt: update.offerExpiresAt,
    windowExpiresAt: update.windowExpiresAt,
    lastMessage: update.lastMessage,
    contact: update.contact,
    agent: update.agent,
    // Another campaign (a transfer): its name; what the pane read of the campaign otherwise.
    campaign:
      update.campaign.id === current.campaign.id
        ? current.campaign
        : { ...current.campaign, ...update.campaign },
  };
}
