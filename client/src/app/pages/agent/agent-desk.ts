import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { Apollo } from 'apollo-angular';
import { Subject, firstValueFrom, from, merge, switchMap } from 'rxjs';
import { describeError } from '../../core/graphql/errors';
import { WsClientService } from '../../core/graphql/ws-client.service';
import { type LiveChange, LiveCollection, liveChanges } from '../../core/live-collection';
import {
  AgentAcceptDocument,
  AgentHistoryDocument,
  AgentInboxChangedDocument,
  type AgentInboxChangedSubscription,
  AgentInboxDocument,
  type AgentInboxItemFragment,
  AgentManualCampaignsDocument,
  AgentPresenceDocument,
  type AgentPresenceFragment,
  AgentQueueChangedDocument,
  AgentQueueDocument,
  AgentSetPresenceDocument,
  type Presence,
} from '../../graphql/generated';
import { OfferAlerts } from './alerts';
import { startOfToday } from './time';

export type InboxItem = AgentInboxItemFragment;
export type InboxEvent = AgentInboxChangedSubscription['inboxChanged'];

/** Today's closed chats listed in History at most. */
const HISTORY_SIZE = 200;

const WHY_GONE: Partial<Record<InboxEvent['kind'], string>> = {
  REVOKED: 'This chat is no longer yours: the offer timed out, someone else took it, or it was transferred.',
  CLOSED: 'This chat was closed.',
};

/**
 * The agent's day, shared by the agent screen's parts: presence, the inbox (offers and active chats,
 * kept live by inboxChanged), the MANUAL queue, today's history, which chat is open, and every
 * inboxChanged event for the open conversation. Provided by the agent page, so it lives as long as it.
 */
@Injectable()
export class AgentDesk {
  private readonly apollo = inject(Apollo);
  private readonly alerts = inject(OfferAlerts);
  private readonly destroyRef = inject(DestroyRef);

  private readonly eventsSubject = new Subject<InboxEvent>();
  /** Every inboxChanged event, after the lists took it in. */
  readonly events$ = this.eventsSubject.asObservable();

  readonly presence = signal<AgentPresenceFragment | null>(null);
  readonly presenceError = signal<string | null>(null);
  readonly presenceBusy = signal(false);

  /** Offers to the agent and their ACTIVE chats. */
  readonly inbox = new LiveCollection<InboxItem>({
    what: 'chats',
    load: async () => {
      const result = await firstValueFrom(
        this.apollo.query({ query: AgentInboxDocument, fetchPolicy: 'network-only' }),
      );
      return result.data?.inbox;
    },
    changes: () =>
      this.apollo.subscribe({ query: AgentInboxChangedDocument }).pipe(
        // The lists take the event first, then the open conversation and the alerts hear of it.
        liveChanges(({ inboxChanged }): LiveChange<InboxItem> | null => {
          queueMicrotask(() => this.heard(inboxChanged));
          const { kind, interaction } = inboxChanged;
          const mine = interaction.status === 'OFFERED' || interaction.status === 'ACTIVE';
          return kind === 'CLOSED' || kind === 'REVOKED' || !mine
            ? { remove: interaction.id }
            : { upsert: interaction };
        }),
      ),
  });

  /** QUEUED chats of the agent's MANUAL campaigns, to take: kept live by each campaign's queueChanged. */
  readonly queue = new LiveCollection<InboxItem>({
    what: 'waiting chats',
    load: async () => {
      const result = await firstValueFrom(
        this.apollo.query({ query: AgentQueueDocument, fetchPolicy: 'network-only' }),
      );
      return result.data?.pendingInteractions;
    },
    changes: () =>
      from(this.manualCampaignIds()).pipe(
        switchMap((ids) =>
          merge(
            ...ids.map((campaignId) =>
              this.apollo.subscribe({ query: AgentQueueChangedDocument, variables: { campaignId } }),
            ),
          ).pipe(
            // Waiting in one of these campaigns: in the list; taken, abandoned or moved on: out of it.
            liveChanges(({ queueChanged: chat }): LiveChange<InboxItem> =>
              chat.status === 'QUEUED' && ids.includes(chat.campaign.id)
                ? { upsert: chat }
                : { remove: chat.id },
            ),
          ),
        ),
      ),
  });

  /** What the agent closed (or had closed) today. */
  readonly history = new LiveCollection<InboxItem>({
    what: 'closed chats',
    load: async () => {
      const result = await firstValueFrom(
        this.apollo.query({
          query: AgentHistoryDocument,
          variables: {
            filter: { status: ['CLOSED'], closedFrom: startOfToday().toISOString() },
            first: HISTORY_SIZE,
          },
          fetchPolicy: 'network-only',
        }),
      );
      return result.data?.interactions.edges.map((edge) => edge.node);
    },
  });

  readonly offers = computed(() =>
    sortBy(
      this.inbox.items().filter((i) => i.status === 'OFFERED'),
      'queuedAt',
    ),
  );
  readonly active = computed(() =>
    sortBy(
      this.inbox.items().filter((i) => i.status === 'ACTIVE'),
      'assignedAt',
    ),
  );
  readonly waiting = computed(() => sortBy(this.queue.items(), 'queuedAt'));
  readonly closedToday = computed(() => sortBy(this.history.items(), 'closedAt').reverse());

  /** The chat open in the conversation pane. */
  readonly selectedId = signal<string | null>(null);
  /** Chats with customer messages the agent has not opened since. */
  readonly unread = signal<ReadonlySet<string>>(new Set());
  /** Why the open chat left the inbox, said in its pane. */
  readonly goneReason = signal<ReadonlyMap<string, string>>(new Map());
  readonly actionError = signal<string | null>(null);
  readonly busyIds = signal<ReadonlySet<string>>(new Set());

  constructor() {
    void this.loadPresence();
    inject(WsClientService)
      .reconnected$.pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe(() => {
        // Pushes sent while the socket was down are lost: read what they would have said.
        void this.loadPresence();
        void this.queue.reload();
        void this.history.reload();
      });
  }

  /** The agent's MANUAL campaigns (an agent reads only their own campaigns). */
  private async manualCampaignIds(): Promise<string[]> {
    const result = await firstValueFrom(
      this.apollo.query({ query: AgentManualCampaignsDocument, fetchPolicy: 'network-only' }),
    );
    return (result.data?.campaigns ?? []).filter((c) => c.strategy === 'MANUAL').map((c) => c.id);
  }

  /** Every item the agent can open, whichever list it is in. */
  find(id: string): InboxItem | undefined {
    return (
      this.inbox.items().find((i) => i.id === id) ??
      this.queue.items().find((i) => i.id === id) ??
      this.history.items().find((i) => i.id === id)
    );
  }

  select(id: string | null): void {
    this.selectedId.set(id);
    if (id) this.markRead(id);
  }

  markRead(id: string): void {
    if (!this.unread().has(id)) return;
    this.unread.update((ids) => {
      const next = new Set(ids);
      next.delete(id);
      return next;
    });
  }

  isBusy(id: string): boolean {
    return this.busyIds().has(id);
  }

  async setPresence(presence: Presence, breakReason: string | null): Promise<void> {
    this.presenceBusy.set(true);
    this.presenceError.set(null);
    try {
      const result = await firstValueFrom(
        this.apollo.mutate({ mutation: AgentSetPresenceDocument, variables: { presence, breakReason } }),
      );
      const me = result.data?.setPresence;
      if (!me) throw new Error('The Parley server did not confirm the change.');
      this.presence.set(me);
    } catch (error) {
      this.presenceError.set(`Could not change your presence: ${describeError(error)}`);
    } finally {
      this.presenceBusy.set(false);
    }
  }

  /** Accepts an offer, or takes a waiting chat of a MANUAL campaign; opens it. */
  async accept(id: string): Promise<void> {
    this.actionError.set(null);
    this.setBusy(id, true);
    try {
      const result = await firstValueFrom(
        this.apollo.mutate({ mutation: AgentAcceptDocument, variables: { id } }),
      );
      const taken = result.data?.acceptInteraction;
      if (!taken) throw new Error('The Parley server did not confirm it.');
      this.inbox.upsert(taken);
      this.queue.remove(id);
      this.select(id);
    } catch (error) {
      const name = this.find(id)?.contact.name;
      this.actionError.set(`Could not take ${name ? `${name}'s chat` : 'the chat'}: ${describeError(error)}`);
      // It may be gone (timed out, taken by someone else): read the lists again.
      void this.inbox.reload();
      void this.queue.reload();
    } finally {
      this.setBusy(id, false);
    }
  }

  /** After close or transfer from the pane: the chat leaves the inbox at once. */
  left(item: InboxItem, closed: boolean): void {
    this.inbox.remove(item.id);
    if (closed) this.history.upsert(item);
  }

  private async loadPresence(): Promise<void> {
    try {
      const result = await firstValueFrom(
        this.apollo.query({ query: AgentPresenceDocument, fetchPolicy: 'network-only' }),
      );
      if (result.data?.me) this.presence.set(result.data.me);
      this.presenceError.set(null);
    } catch (error) {
      this.presenceError.set(`Could not read your presence: ${describeError(error)}`);
    }
  }

  private heard(event: InboxEvent): void {
    const { kind, interaction } = event;
    if (kind === 'CLOSED') this.history.upsert(interaction);
    if (kind === 'ASSIGNED') this.queue.remove(interaction.id);
    if (
      kind === 'MESSAGE' &&
      event.message?.direction === 'INBOUND' &&
      this.selectedId() !== interaction.id
    ) {
      this.unread.update((ids) => new Set(ids).add(interaction.id));
    }
    const why = WHY_GONE[kind];
    if (why && this.selectedId() === interaction.id) {
      this.goneReason.update((reasons) => new Map(reasons).set(interaction.id, why));
    }
    if (kind === 'OFFERED') {
      const text = interaction.lastMessage?.text?.trim();
      this.alerts.offer(
        `New chat: ${interaction.contact.name}`,
        `${interaction.campaign.name}${text ? ` · ${text.slice(0, 120)}` : ''}`,
        () => this.select(interaction.id),
      );
    }
    this.eventsSubject.next(event);
  }

  private setBusy(id: string, busy: boolean): void {
    this.busyIds.update((ids) => {
      const next = new Set(ids);
      if (busy) next.add(id);
      else next.delete(id);
      return next;
    });
  }
}

function sortBy(items: readonly InboxItem[], field: 'queuedAt' | 'assignedAt' | 'closedAt'): InboxItem[] {
  return [...items].sort(
    (a, b) => (a[field] ?? '').localeCompare(b[field] ?? '') || a.id.localeCompare(b.id),
  );
}
