import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  inject,
  signal,
  untracked,
} from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MatIconModule } from '@angular/material/icon';
import { MatListModule, type MatSelectionListChange } from '@angular/material/list';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSnackBar } from '@angular/material/snack-bar';
import { MatTooltipModule } from '@angular/material/tooltip';
import { Apollo } from 'apollo-angular';
import { firstValueFrom } from 'rxjs';
import { PENALTY_RANGE, memberChangeProblems } from '../../../core/campaign-rules';
import { describeError, sentence } from '../../../core/graphql/errors';
import { type IdSet, idSet } from '../../../core/id-set';
import { type LiveChange, LiveCollection, liveChanges } from '../../../core/live-collection';
import {
  AddCampaignMembersDocument,
  MembersAgentChangedDocument,
  type MembersAgentFragment,
  MembersAgentsDocument,
  MembersCampaignChangedDocument,
  type MembersCampaignFragment,
  MembersCampaignsDocument,
  type MemberRowFragment,
  RemoveCampaignMembersDocument,
  UpdateCampaignMemberDocument,
} from '../../../graphql/generated';
import { ChannelIcon } from '../../../ui/channel-icon';
import { ErrorMessage } from '../../../ui/error-message';
import { LoadErrors } from '../../../ui/load-errors';

export const NO_INTERACTIONS_WARNING = 'Receives no Messenger interactions: not in any VOICE campaign';

/** One person in the middle column: a member of at least one selected campaign. */
interface MemberView {
  user: MemberRowFragment['user'];
  /** Their membership when exactly one campaign is selected: penalty and position are editable. */
  membership: MemberRowFragment | null;
  /** In how many of the selected campaigns. */
  inCount: number;
  receivesInteractions: boolean;
}

interface AgentView extends MembersAgentFragment {
  /** Already a member of this many of the selected campaigns (fewer than all). */
  inCount: number;
}

type MemberField = 'penalty' | 'position';

const byName = (a: { displayName: string }, b: { displayName: string }) =>
  a.displayName.localeCompare(b.displayName);

/** Admins and supervisors: who takes the chats of which campaign (three lists: campaigns, members, agents). */
@Component({
  selector: 'app-members',
  imports: [
    MatButtonModule,
    MatCheckboxModule,
    MatIconModule,
    MatListModule,
    MatProgressBarModule,
    MatTooltipModule,
    ChannelIcon,
    ErrorMessage,
    LoadErrors,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './members.html',
  styleUrl: './members.scss',
})
export class MembersPage {
  private readonly apollo = inject(Apollo);
  private readonly snackBar = inject(MatSnackBar);

  protected readonly warning = NO_INTERACTIONS_WARNING;
  protected readonly penaltyRange = PENALTY_RANGE;
  /** Campaigns with their members, kept live: a change announces every campaign it touched. */
  private readonly liveCampaigns = new LiveCollection<MembersCampaignFragment>({
    what: 'campaigns',
    load: async () => {
      const result = await firstValueFrom(
        this.apollo.query({ query: MembersCampaignsDocument, fetchPolicy: 'network-only' }),
      );
      return result.data?.campaigns;
    },
    changes: () =>
      this.apollo
        .subscribe({ query: MembersCampaignChangedDocument })
        .pipe(
          liveChanges(({ campaignChanged: { deleted, ...campaign } }): LiveChange<MembersCampaignFragment> =>
            deleted ? { remove: campaign.id } : { upsert: campaign },
          ),
        ),
  });
  /** Active agents, kept live: one deactivated or given another role leaves the list. */
  private readonly liveAgents = new LiveCollection<MembersAgentFragment>({
    what: 'agents',
    load: async () => {
      const result = await firstValueFrom(
        this.apollo.query({ query: MembersAgentsDocument, fetchPolicy: 'network-only' }),
      );
      return result.data?.users;
    },
    changes: () =>
      this.apollo
        .subscribe({ query: MembersAgentChangedDocument })
        .pipe(
          liveChanges(({ userChanged: user }): LiveChange<MembersAgentFragment> =>
            user.role === 'AGENT' && user.active ? { upsert: user } : { remove: user.id },
          ),
        ),
  });
  protected readonly campaigns = computed(() =>
    [...this.liveCampaigns.items()].sort((a, b) => a.name.localeCompare(b.name)),
  );
  private readonly agents = this.liveAgents.items;
  protected readonly loading = computed(() => this.liveCampaigns.loading() || this.liveAgents.loading());
  protected readonly busy = signal(false);
  protected readonly loadError = computed(
    () => this.liveCampaigns.loadError() ?? this.liveAgents.loadError(),
  );
  protected readonly liveError = computed(
    () => this.liveCampaigns.liveError() ?? this.liveAgents.liveError(),
  );
  protected readonly campaignsPlaceholder = computed(() =>
    this.liveCampaigns.placeholder('No campaigns yet.'),
  );
  protected readonly actionError = signal<string | null>(null);
  /** Problems of a member's penalty or position, by user id. */
  protected readonly rowErrors = signal<ReadonlyMap<string, string>>(new Map());

  protected readonly selectedCampaignIds = idSet();
  protected readonly selectedMemberIds = idSet();
  protected readonly selectedAgentIds = idSet();

  protected readonly selectedCampaigns = computed(() =>
    this.campaigns().filter((c) => this.selectedCampaignIds().has(c.id)),
  );
  /** The one selected campaign, whose members' penalty and position can be edited. */
  protected readonly single = computed(() => {
    const selected = this.selectedCampaigns();
    return selected.length === 1 ? selected[0] : null;
  });
  protected readonly members = computed<MemberView[]>(() => {
    const single = this.single();
    if (single) {
      return [...single.members]
        .sort((a, b) => a.position - b.position)
        .map((m) => ({
          user: m.user,
          membership: m,
          inCount: 1,
          receivesInteractions: m.receivesInteractions,
        }));
    }
    const byId = new Map<string, MemberView>();
    for (const campaign of this.selectedCampaigns()) {
      for (const m of campaign.members) {
        const seen = byId.get(m.user.id);
        if (seen) seen.inCount++;
        else
          byId.set(m.user.id, {
            user: m.user,
            membership: null,
            inCount: 1,
            receivesInteractions: m.receivesInteractions,
          });
      }
    }
    return [...byId.values()].sort((a, b) => byName(a.user, b.user));
  });
  protected readonly candidates = computed<AgentView[]>(() => {
    const selected = this.selectedCampaigns();
    if (selected.length === 0) return [];
    return this.agents()
      .map((agent) => ({
        ...agent,
        inCount: selected.filter((c) => c.members.some((m) => m.user.id === agent.id)).length,
      }))
      .filter((agent) => agent.inCount < selected.length)
      .sort(byName);
  });
  protected readonly canAdd = computed(
    () => !this.busy() && this.selectedCampaignIds().size > 0 && this.selectedAgentIds().size > 0,
  );
  protected readonly canRemove = computed(
    () => !this.busy() && this.selectedCampaignIds().size > 0 && this.selectedMemberIds().size > 0,
  );

  constructor() {
    // Forget selected ids that are gone (deleted campaigns, members removed elsewhere).
    effect(() => this.pruneSelections());
  }

  retry(): void {
    this.liveCampaigns.retry();
    this.liveAgents.retry();
  }

  selectCampaigns(change: MatSelectionListChange): void {
    this.selectedCampaignIds.set(change.source.selectedOptions.selected.map((o) => o.value as string));
    this.pruneSelections();
  }

  selectAgents(change: MatSelectionListChange): void {
    this.selectedAgentIds.set(change.source.selectedOptions.selected.map((o) => o.value as string));
  }

  toggleMember(userId: string, checked: boolean): void {
    this.selectedMemberIds.toggle(userId, checked);
  }

  async add(): Promise<void> {
    const campaignIds = [...this.selectedCampaignIds()];
    const userIds = [...this.selectedAgentIds()];
    if (campaignIds.length === 0 || userIds.length === 0) return;
    await this.run(async () => {
      const result = await firstValueFrom(
        this.apollo.mutate({ mutation: AddCampaignMembersDocument, variables: { campaignIds, userIds } }),
      );
      const changed = result.data?.addCampaignMembers;
      if (!changed) throw new Error('The Parley server did not confirm the change.');
      changed.forEach((campaign) => this.liveCampaigns.upsert(campaign));
      this.selectedAgentIds.set([]);
      this.snackBar.open(
        `Added ${count(userIds.length, 'agent')} to ${this.campaignWords(campaignIds)}`,
        'OK',
      );
    }, 'Could not add the agents');
  }

  async remove(): Promise<void> {
    const campaignIds = [...this.selectedCampaignIds()];
    const userIds = [...this.selectedMemberIds()];
    if (campaignIds.length === 0 || userIds.length === 0) return;
    await this.run(async () => {
      const result = await firstValueFrom(
        this.apollo.mutate({ mutation: RemoveCampaignMembersDocument, variables: { campaignIds, userIds } }),
      );
      const changed = result.data?.removeCampaignMembers;
      if (!changed) throw new Error('The Parley server did not confirm the change.');
      changed.forEach((campaign) => this.liveCampaigns.upsert(campaign));
      this.selectedMemberIds.set([]);
      this.snackBar.open(
        `Removed ${count(userIds.length, 'member')} from ${this.campaignWords(campaignIds)}`,
        'OK',
      );
    }, 'Could not remove the members');
  }

  /** Saves a member's penalty or position when the field is left (or Enter is pressed). */
  async changeMember(member: MemberView, field: MemberField, event: Event): Promise<void> {
    const campaign = this.single();
    const membership = member.membership;
    const input = event.target as HTMLInputElement;
    if (!campaign || !membership) return;
    const value = input.value.trim() === '' ? Number.NaN : Number(input.value);
    if (value === membership[field]) {
      this.setRowError(member.user.id, null);
      return;
    }
    const problems = Number.isNaN(value)
      ? [{ field, problem: 'enter a whole number' }]
      : memberChangeProblems({ [field]: value }, campaign.members.length);
    if (problems.length > 0) {
      this.setRowError(member.user.id, sentence(`${label(field)}: ${problems[0].problem}`));
      return;
    }
    this.setRowError(member.user.id, null);
    await this.run(
      async () => {
        const result = await firstValueFrom(
          this.apollo.mutate({
            mutation: UpdateCampaignMemberDocument,
            variables: {
              campaignId: campaign.id,
              userId: member.user.id,
              // Null leaves the other one as it is.
              penalty: field === 'penalty' ? value : null,
              position: field === 'position' ? value : null,
            },
          }),
        );
        if (!result.data?.updateCampaignMember)
          throw new Error('The Parley server did not confirm the change.');
        // The other members' positions may have moved too: campaignChanged brings them.
        this.snackBar.open(
          `${member.user.displayName}: ${label(field).toLowerCase()} ${value} in ${campaign.name}`,
          'OK',
        );
      },
      `Could not change ${member.user.displayName}'s ${label(field).toLowerCase()}`,
      () => (input.value = String(membership[field])),
    );
  }

  protected rowError(userId: string): string | null {
    return this.rowErrors().get(userId) ?? null;
  }

  /**
   * Runs a change. Memberships of other campaigns may have changed too (an agent's
   * receivesInteractions): the server announces every campaign it touched, so nothing is read again.
   */
  private async run(change: () => Promise<void>, failure: string, undo?: () => void): Promise<void> {
    this.busy.set(true);
    this.actionError.set(null);
    try {
      await change();
    } catch (error) {
      undo?.();
      const message = `${failure}: ${describeError(error)}`;
      this.actionError.set(message);
      this.snackBar.open(message, 'Dismiss', { panelClass: 'parley-snack-error', duration: 8000 });
    } finally {
      this.busy.set(false);
    }
  }

  /** Forgets selected ids that are gone (deleted campaigns, members removed elsewhere). */
  private pruneSelections(): void {
    const keep = (selection: IdSet, present: Set<string>) => {
      const kept = [...untracked(selection)].filter((id) => present.has(id));
      if (kept.length !== untracked(selection).size) selection.set(kept);
    };
    // Loading: the lists are not known yet, and must not empty the selections.
    if (this.loading()) return;
    keep(this.selectedCampaignIds, new Set(this.campaigns().map((c) => c.id)));
    keep(this.selectedMemberIds, new Set(this.members().map((m) => m.user.id)));
    keep(this.selectedAgentIds, new Set(this.candidates().map((a) => a.id)));
  }

  private setRowError(userId: string, message: string | null): void {
    this.rowErrors.update((errors) => {
      const next = new Map(errors);
      if (message) next.set(userId, message);
      else next.delete(userId);
      return next;
    });
  }

  private campaignWords(ids: readonly string[]): string {
    if (ids.length === 1) return this.campaigns().find((c) => c.id === ids[0])?.name ?? '1 campaign';
    return `${ids.length} campaigns`;
  }
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function label(field: MemberField): string {
  return field === 'penalty' ? 'Penalty' : 'Position';
}
