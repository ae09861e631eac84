import {
  ChangeDetectionStrategy,
  ChangeDetectorRef,
  Component,
  DestroyRef,
  computed,
  effect,
  inject,
  signal,
  viewChild,
} from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { MatSnackBar } from '@angular/material/snack-bar';
import { MatSort, MatSortModule } from '@angular/material/sort';
import { MatTableDataSource, MatTableModule } from '@angular/material/table';
import { MatTooltipModule } from '@angular/material/tooltip';
import { Router, RouterLink } from '@angular/router';
import { Apollo } from 'apollo-angular';
import { firstValueFrom } from 'rxjs';
import { AuthService } from '../../../core/auth/auth.service';
import { CHANNELS, STRATEGY_LABELS, TOKEN_STATUSES } from '../../../core/campaigns';
import { describeFacebookError } from '../../../core/facebook-errors';
import { describeError, hasErrorCode } from '../../../core/graphql/errors';
import { idSet } from '../../../core/id-set';
import { type LiveChange, LiveCollection, liveChanges } from '../../../core/live-collection';
import {
  CampaignChangedDocument,
  type CampaignRowFragment,
  CheckCampaignTokenDocument,
  CampaignsDocument,
  DeleteCampaignDocument,
} from '../../../graphql/generated';
import { ChannelIcon } from '../../../ui/channel-icon';
import { confirm } from '../../../ui/confirm-dialog';
import { ErrorMessage } from '../../../ui/error-message';
import { LoadErrors } from '../../../ui/load-errors';
import { TokenStatusIcon } from '../../../ui/token-status-icon';

const TOKEN_ORDER = { ACTIVE: 0, INACTIVE: 1, NOT_CONNECTED: 2 } as const;
/** Token checks in flight at once: each is a Graph call on the server. */
const CHECKS_AT_ONCE = 4;

/** Admins and supervisors: every campaign with its state, live; admins create and delete them. */
@Component({
  selector: 'app-campaigns',
  imports: [
    RouterLink,
    MatButtonModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatProgressBarModule,
    MatProgressSpinnerModule,
    MatSortModule,
    MatTableModule,
    MatTooltipModule,
    ChannelIcon,
    ErrorMessage,
    LoadErrors,
    TokenStatusIcon,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './campaigns.html',
  styleUrl: './campaigns.scss',
})
export class CampaignsPage {
  private readonly apollo = inject(Apollo);
  private readonly dialog = inject(MatDialog);
  private readonly snackBar = inject(MatSnackBar);
  private readonly router = inject(Router);
  private readonly destroyRef = inject(DestroyRef);
  private readonly user = inject(AuthService).user;

  protected readonly canEdit = computed(() => this.user()?.role === 'ADMIN');
  protected readonly columns = computed(() => [
    'name',
    'channel',
    'pageName',
    'strategy',
    'enabled',
    'isOpenNow',
    'tokenStatus',
    ...(this.canEdit() ? ['actions'] : []),
  ]);
  protected readonly nameFilter = signal('');
  protected readonly actionError = signal<string | null>(null);
  /** "Check tokens" is running: its button shows a spinner. */
  protected readonly checkingTokens = signal(false);
  /** What the last "Check tokens" found, in words. */
  protected readonly checkNote = signal<string | null>(null);
  protected readonly checkError = signal<string | null>(null);
  /** Ids of campaigns being deleted: their button is disabled meanwhile. */
  protected readonly deleting = idSet();

  protected readonly campaigns = new LiveCollection<CampaignRowFragment>({
    what: 'campaigns',
    load: async () => {
      const result = await firstValueFrom(
        this.apollo.query({ query: CampaignsDocument, fetchPolicy: 'network-only' }),
      );
      return result.data?.campaigns;
    },
    changes: () =>
      this.apollo
        .subscribe({ query: CampaignChangedDocument })
        .pipe(
          liveChanges(({ campaignChanged: { deleted, ...campaign } }): LiveChange<CampaignRowFragment> =>
            deleted ? { remove: campaign.id } : { upsert: campaign },
          ),
        ),
  });
  private readonly sort = viewChild(MatSort);

  protected readonly dataSource = new MatTableDataSource<CampaignRowFragment>([]);
  protected readonly emptyText = computed(() =>
    this.campaigns.items().length === 0
      ? this.campaigns.placeholder('No campaigns yet.')
      : `No campaign name contains "${this.nameFilter().trim()}".`,
  );
  protected readonly trackById = (_index: number, campaign: CampaignRowFragment): string => campaign.id;

  constructor() {
    this.dataSource.filterPredicate = (campaign, text) => campaign.name.toLowerCase().includes(text);
    this.dataSource.sortingDataAccessor = (campaign, column) => {
      switch (column) {
        case 'channel':
          return CHANNELS[campaign.channel].label;
        case 'pageName':
          return campaign.pageName?.toLowerCase() ?? '';
        case 'strategy':
          return campaign.channel === 'MESSENGER' ? STRATEGY_LABELS[campaign.strategy] : '';
        case 'enabled':
          return campaign.enabled ? 0 : 1;
        case 'isOpenNow':
          return campaign.channel !== 'MESSENGER' ? 2 : campaign.isOpenNow ? 0 : 1;
        case 'tokenStatus':
          return campaign.channel === 'MESSENGER' ? TOKEN_ORDER[campaign.tokenStatus] : 3;
        default:
          return campaign.name.toLowerCase();
      }
    };
    effect(() => {
      const sort = this.sort();
      if (sort) this.dataSource.sort = sort;
    });
    const changeDetector = inject(ChangeDetectorRef);
    effect(() => {
      this.dataSource.data = [...this.campaigns.items()];
      // A changed campaign keeps its row (same id): the table only swaps the row's data, which no
      // signal reports, so without this the row would show the old values until the next sort.
      changeDetector.markForCheck();
    });
    effect(() => {
      this.dataSource.filter = this.nameFilter().trim().toLowerCase();
    });
  }

  protected strategyLabel(campaign: CampaignRowFragment): string {
    return STRATEGY_LABELS[campaign.strategy] ?? campaign.strategy;
  }

  /**
   * Checks with Facebook, now, the token of every campaign the table shows (after the filter) that has
   * a page; the rows update from the answers (and from campaignChanged).
   */
  async checkTokens(): Promise<void> {
    if (this.checkingTokens()) return;
    this.checkNote.set(null);
    this.checkError.set(null);
    const shown = this.dataSource.filteredData.filter(
      (c) => c.channel === 'MESSENGER' && c.tokenStatus !== 'NOT_CONNECTED',
    );
    if (shown.length === 0) {
      this.checkNote.set('No campaign shown has a Facebook page connected: there is no token to check.');
      return;
    }
    this.checkingTokens.set(true);
    const failures: string[] = [];
    const checked: CampaignRowFragment[] = [];
    const queue = [...shown];
    const worker = async () => {
      for (let campaign = queue.shift(); campaign; campaign = queue.shift()) {
        try {
          const result = await firstValueFrom(
            this.apollo.mutate({
              mutation: CheckCampaignTokenDocument,
              variables: { campaignId: campaign.id },
            }),
          );
          const answer = result.data?.checkCampaignToken;
          if (!answer) throw new Error('The Parley server did not return the campaign.');
          this.campaigns.upsert(answer);
          checked.push(answer);
        } catch (error) {
          failures.push(`"${campaign.name}": ${describeFacebookError(error, 'check the token')}`);
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(CHECKS_AT_ONCE, shown.length) }, worker));
    } finally {
      this.checkingTokens.set(false);
    }
    if (checked.length > 0) this.checkNote.set(describeChecks(checked));
    if (failures.length > 0) {
      this.checkError.set(
        `Could not check ${failures.length === 1 ? 'one token' : `${failures.length} tokens`}. ${failures.join(' ')}`,
      );
    }
  }

  open(campaign: CampaignRowFragment, event: MouseEvent): void {
    // The name link and the delete button do their own thing.
    if ((event.target as Element | null)?.closest('a, button')) return;
    void this.router.navigate(['/admin/campaigns', campaign.id]);
  }

  delete(campaign: CampaignRowFragment, event: MouseEvent): void {
    event.stopPropagation();
    this.actionError.set(null);
    confirm(this.dialog, {
      title: `Delete campaign "${campaign.name}"?`,
      message:
        'Its settings, schedule, canned responses and members go with it. A campaign that already has ' +
        'chats cannot be deleted: disable it instead, so that no history is lost.',
      confirmLabel: 'Delete',
      danger: true,
    })
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe(() => void this.doDelete(campaign));
  }

  private async doDelete(campaign: CampaignRowFragment): Promise<void> {
    this.deleting.add(campaign.id);
    try {
      const result = await firstValueFrom(
        this.apollo.mutate({ mutation: DeleteCampaignDocument, variables: { id: campaign.id } }),
      );
      if (result.data?.deleteCampaign !== true) {
        this.actionError.set(`"${campaign.name}" was not deleted: the server did not confirm it.`);
        await this.campaigns.reload();
        return;
      }
      this.campaigns.remove(campaign.id);
      this.snackBar.open(`Campaign ${campaign.name} deleted`, 'OK');
    } catch (error) {
      const reason = describeError(error);
      this.actionError.set(
        hasErrorCode(error, 'CONFLICT')
          ? `"${campaign.name}" was not deleted. ${reason}`
          : `Could not delete "${campaign.name}": ${reason}`,
      );
    } finally {
      this.deleting.delete(campaign.id);
    }
  }
}

/** "Checked 3 tokens: 2 page tokens active, 1 page token inactive." */
function describeChecks(checked: readonly CampaignRowFragment[]): string {
  const counts = new Map<string, number>();
  for (const c of checked) {
    const label = TOKEN_STATUSES[c.tokenStatus].label.toLowerCase();
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  const parts = [...counts].map(([label, n]) => `${n} ${label}`);
  return `Checked ${checked.length} ${checked.length === 1 ? 'token' : 'tokens'}: ${parts.join(', ')}.`;
}
