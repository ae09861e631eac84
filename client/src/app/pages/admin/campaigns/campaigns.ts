import {
  ChangeDetectionStrategy,
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
import { MatSnackBar } from '@angular/material/snack-bar';
import { MatSort, MatSortModule } from '@angular/material/sort';
import { MatTableDataSource, MatTableModule } from '@angular/material/table';
import { MatTooltipModule } from '@angular/material/tooltip';
import { Router, RouterLink } from '@angular/router';
import { Apollo } from 'apollo-angular';
import { type Subscription, filter, firstValueFrom } from 'rxjs';
import { AuthService } from '../../../core/auth/auth.service';
import { CHANNELS, STRATEGY_LABELS } from '../../../core/campaigns';
import { describeError, hasErrorCode } from '../../../core/graphql/errors';
import {
  CampaignChangedDocument,
  type CampaignRowFragment,
  CampaignsDocument,
  DeleteCampaignDocument,
} from '../../../graphql/generated';
import { ChannelIcon } from '../../../ui/channel-icon';
import { confirm } from '../../../ui/confirm-dialog';
import { ErrorMessage } from '../../../ui/error-message';
import { TokenStatusIcon } from '../../../ui/token-status-icon';

const TOKEN_ORDER = { ACTIVE: 0, INACTIVE: 1, NOT_CONNECTED: 2 } as const;

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
    MatSortModule,
    MatTableModule,
    MatTooltipModule,
    ChannelIcon,
    ErrorMessage,
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
  protected readonly loading = signal(true);
  protected readonly loadError = signal<string | null>(null);
  protected readonly liveError = signal<string | null>(null);
  protected readonly actionError = signal<string | null>(null);
  /** Ids of campaigns being deleted: their button is disabled meanwhile. */
  protected readonly deleting = signal<ReadonlySet<string>>(new Set());

  private readonly campaignsById = signal<ReadonlyMap<string, CampaignRowFragment>>(new Map());
  private readonly sort = viewChild(MatSort);
  private changes: Subscription | null = null;

  protected readonly dataSource = new MatTableDataSource<CampaignRowFragment>([]);
  protected readonly emptyText = computed(() => {
    if (this.loading() && this.campaignsById().size === 0) return 'Loading campaigns…';
    if (this.campaignsById().size === 0) return 'No campaigns yet.';
    return `No campaign name contains "${this.nameFilter().trim()}".`;
  });
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
    effect(() => {
      this.dataSource.data = [...this.campaignsById().values()];
    });
    effect(() => {
      this.dataSource.filter = this.nameFilter().trim().toLowerCase();
    });
    // Listen first, then load: a change made meanwhile is not lost.
    this.watchChanges();
    void this.load();
  }

  protected strategyLabel(campaign: CampaignRowFragment): string {
    return STRATEGY_LABELS[campaign.strategy] ?? campaign.strategy;
  }

  /** The refresh icon: reads the table again from the server. */
  reload(): void {
    void this.load();
  }

  retry(): void {
    this.watchChanges();
    void this.load();
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
      .pipe(
        filter((yes) => yes),
        takeUntilDestroyed(this.destroyRef),
      )
      .subscribe(() => void this.doDelete(campaign));
  }

  private async doDelete(campaign: CampaignRowFragment): Promise<void> {
    this.deleting.update((ids) => new Set(ids).add(campaign.id));
    try {
      const result = await firstValueFrom(
        this.apollo.mutate({ mutation: DeleteCampaignDocument, variables: { id: campaign.id } }),
      );
      if (result.data?.deleteCampaign !== true) {
        this.actionError.set(`"${campaign.name}" was not deleted: the server did not confirm it.`);
        await this.load();
        return;
      }
      this.remove(campaign.id);
      this.snackBar.open(`Campaign ${campaign.name} deleted`, 'OK');
    } catch (error) {
      const reason = describeError(error);
      this.actionError.set(
        hasErrorCode(error, 'CONFLICT')
          ? `"${campaign.name}" was not deleted. ${reason}`
          : `Could not delete "${campaign.name}": ${reason}`,
      );
    } finally {
      this.deleting.update((ids) => {
        const next = new Set(ids);
        next.delete(campaign.id);
        return next;
      });
    }
  }

  private async load(): Promise<void> {
    this.loading.set(true);
    this.loadError.set(null);
    const before = this.campaignsById();
    try {
      const result = await firstValueFrom(
        this.apollo.query({ query: CampaignsDocument, fetchPolicy: 'network-only' }),
      );
      const campaigns = result.data?.campaigns;
      if (!campaigns) throw new Error('The Parley server sent no list of campaigns.');
      this.campaignsById.update((current) => {
        const next = new Map(campaigns.map((campaign) => [campaign.id, campaign]));
        // Changes pushed while the list was loading are newer than the list.
        for (const [id, campaign] of current) if (before.get(id) !== campaign) next.set(id, campaign);
        return next;
      });
    } catch (error) {
      this.loadError.set(`Could not load the campaigns: ${describeError(error)}`);
    } finally {
      this.loading.set(false);
    }
  }

  private watchChanges(): void {
    this.changes?.unsubscribe();
    this.liveError.set(null);
    this.changes = this.apollo
      .subscribe({ query: CampaignChangedDocument })
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (result) => {
          if (result.error) {
            this.liveError.set(describeError(result.error));
            return;
          }
          const changed = result.data?.campaignChanged;
          if (!changed) return;
          const { deleted, ...campaign } = changed;
          if (deleted) this.remove(campaign.id);
          else this.campaignsById.update((current) => new Map(current).set(campaign.id, campaign));
        },
        error: (error: unknown) => this.liveError.set(describeError(error)),
      });
  }

  private remove(id: string): void {
    this.campaignsById.update((current) => {
      const next = new Map(current);
      next.delete(id);
      return next;
    });
  }
}
