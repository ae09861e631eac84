import { DatePipe } from '@angular/common';
import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  computed,
  effect,
  inject,
  input,
  output,
  signal,
  untracked,
} from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { FormControl, ReactiveFormsModule, Validators } from '@angular/forms';
import { relativeTime } from '@parley/libs/shared/relative-time.js';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { MatSnackBar } from '@angular/material/snack-bar';
import { Apollo } from 'apollo-angular';
import { firstValueFrom } from 'rxjs';
import { TOKEN_STATUSES } from '../../../core/campaigns';
import { describeFacebookError } from '../../../core/facebook-errors';
import { nowSignal } from '../../../core/now';
import { describeError } from '../../../core/graphql/errors';
import {
  type CampaignDetailFragment,
  type CampaignPageConnectionFragment,
  CheckCampaignTokenInEditorDocument,
  PageConnectionDocument,
  ConnectFacebookPageDocument,
  DisconnectFacebookPageDocument,
} from '../../../graphql/generated';
import { confirm } from '../../../ui/confirm-dialog';
import { ErrorMessage } from '../../../ui/error-message';
import { TokenStatusIcon } from '../../../ui/token-status-icon';
import { FacebookActivationButton } from './facebook-activation-button';

/**
 * The campaign editor's Facebook section (saved Messenger campaigns): the connected page and its token,
 * why Facebook stopped accepting it, and the ways to connect (popup or page token), check and
 * disconnect. Not part of the editor's form: these act at once and never wait for "Save".
 */
@Component({
  selector: 'app-campaign-facebook',
  imports: [
    DatePipe,
    ReactiveFormsModule,
    MatButtonModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatProgressSpinnerModule,
    ErrorMessage,
    FacebookActivationButton,
    TokenStatusIcon,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './campaign-facebook.html',
  styleUrl: './campaign-facebook.scss',
})
export class CampaignFacebook {
  private readonly apollo = inject(Apollo);
  private readonly dialog = inject(MatDialog);
  private readonly snackBar = inject(MatSnackBar);
  private readonly destroyRef = inject(DestroyRef);

  readonly campaign = input.required<CampaignDetailFragment>();
  /** Supervisors read, and may check the token; only admins connect and disconnect. */
  readonly readOnly = input(false);
  /** The campaign as a Facebook action answered it (campaignChanged brings it too). */
  readonly changed = output<CampaignDetailFragment>();

  private readonly now = nowSignal(30_000);
  /** Since when and how the page is connected: read apart from the campaign (see the .graphql file). */
  private readonly connection = signal<CampaignPageConnectionFragment | null>(null);
  protected readonly connectionError = signal<string | null>(null);
  /** Changes when another page is connected or the token changes: the connection is read again then. */
  private readonly connectionKey = computed(() => {
    const { id, pageId, tokenStatus } = this.campaign();
    return pageId == null ? null : `${id} ${pageId} ${tokenStatus}`;
  });
  /** Bumped by each read, so that a slow older answer does not win. */
  private connectionRead = 0;
  protected readonly statusLabel = computed(() => TOKEN_STATUSES[this.campaign().tokenStatus].label);
  protected readonly connected = computed(() => this.campaign().pageId != null);
  protected readonly connectedSince = computed(() => {
    const at = this.connection()?.pageConnectedAt;
    return at ? relativeTime(at, this.now()) : null;
  });
  protected readonly connectedAt = computed(() => this.connection()?.pageConnectedAt ?? null);
  protected readonly checkedAgo = computed(() => {
    const at = this.campaign().tokenCheckedAt;
    return at ? relativeTime(at, this.now()) : null;
  });
  protected readonly connectedThrough = computed(() => {
    switch (this.connection()?.pageConnectedThrough) {
      case 'POPUP':
        return 'Connected with "Activate with Facebook": Parley renews the token by itself.';
      case 'PAGE_TOKEN':
        return 'Connected with a page token.';
      default:
        return null;
    }
  });

  protected readonly checking = signal(false);
  protected readonly checkError = signal<string | null>(null);
  protected readonly disconnecting = signal(false);
  protected readonly disconnectError = signal<string | null>(null);

  protected readonly tokenFormOpen = signal(false);
  protected readonly connecting = signal(false);
  protected readonly connectError = signal<string | null>(null);
  protected readonly pageId = new FormControl('', {
    nonNullable: true,
    validators: [Validators.required, Validators.pattern(/^\s*\d+\s*$/)],
  });
  protected readonly pageToken = new FormControl('', {
    nonNullable: true,
    validators: [Validators.required],
  });

  constructor() {
    effect(() => {
      const key = this.connectionKey();
      untracked(() => void this.readConnection(key));
    });
  }

  private async readConnection(key: string | null): Promise<void> {
    const read = ++this.connectionRead;
    this.connectionError.set(null);
    if (key === null) {
      this.connection.set(null);
      return;
    }
    try {
      const result = await firstValueFrom(
        this.apollo.query({
          query: PageConnectionDocument,
          variables: { id: this.campaign().id },
          fetchPolicy: 'network-only',
        }),
      );
      if (read === this.connectionRead) this.connection.set(result.data?.campaign ?? null);
    } catch (error) {
      if (read === this.connectionRead) {
        this.connectionError.set(
          `When and how the page was connected could not be read: ${describeError(error)}`,
        );
      }
    }
  }

  /** A Facebook action's answer: the campaign goes up to the editor, the connection stays here. */
  private answered(campaign: CampaignDetailFragment & CampaignPageConnectionFragment): void {
    this.connectionRead++;
    this.connection.set(campaign.pageId == null ? null : campaign);
    this.changed.emit(campaign);
  }

  protected pageIdError(): string | null {
    if (this.pageId.hasError('required')) return "Enter the page's id.";
    if (this.pageId.hasError('pattern')) return 'A Facebook page id is digits only.';
    return null;
  }

  protected async check(): Promise<void> {
    if (this.checking()) return;
    this.checking.set(true);
    this.checkError.set(null);
    try {
      const result = await firstValueFrom(
        this.apollo.mutate({
          mutation: CheckCampaignTokenInEditorDocument,
          variables: { campaignId: this.campaign().id },
        }),
      );
      const campaign = result.data?.checkCampaignToken;
      if (!campaign) throw new Error('The Parley server did not return the campaign.');
      this.answered(campaign);
      this.snackBar.open(`Token checked: ${TOKEN_STATUSES[campaign.tokenStatus].label.toLowerCase()}`, 'OK');
    } catch (error) {
      this.checkError.set(describeFacebookError(error, 'check the token'));
    } finally {
      this.checking.set(false);
    }
  }

  protected async connect(): Promise<void> {
    if (this.connecting() || this.readOnly()) return;
    this.connectError.set(null);
    this.pageId.markAsTouched();
    this.pageToken.markAsTouched();
    if (this.pageId.invalid || this.pageToken.invalid) {
      this.connectError.set('Nothing was sent: correct what is marked in red first.');
      return;
    }
    this.connecting.set(true);
    try {
      const result = await firstValueFrom(
        this.apollo.mutate({
          mutation: ConnectFacebookPageDocument,
          variables: {
            campaignId: this.campaign().id,
            pageId: this.pageId.value.trim(),
            pageAccessToken: this.pageToken.value.trim(),
          },
        }),
      );
      const campaign = result.data?.connectFacebookPage;
      if (!campaign) throw new Error('The Parley server did not return the campaign.');
      this.answered(campaign);
      // The token is a secret: it does not stay in the page once Parley has it.
      this.pageToken.reset('');
      this.pageId.reset('');
      this.tokenFormOpen.set(false);
      this.snackBar.open(`Connected to ${campaign.pageName ?? 'the page'}`, 'OK');
    } catch (error) {
      this.connectError.set(describeFacebookError(error, 'connect the page'));
    } finally {
      this.connecting.set(false);
    }
  }

  /** Enter in the token fields connects; it must not submit the editor's form around them. */
  protected connectOnEnter(event: Event): void {
    event.preventDefault();
    void this.connect();
  }

  protected disconnect(): void {
    const campaign = this.campaign();
    this.disconnectError.set(null);
    confirm(this.dialog, {
      title: `Disconnect the page "${campaign.pageName ?? campaign.pageId}"?`,
      message:
        'Parley stops receiving its messages and forgets its token; chats already here stay. ' +
        'Connect it again any time with "Activate with Facebook".',
      confirmLabel: 'Disconnect',
      danger: true,
    })
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe(() => void this.doDisconnect(campaign.id));
  }

  private async doDisconnect(campaignId: string): Promise<void> {
    this.disconnecting.set(true);
    try {
      const result = await firstValueFrom(
        this.apollo.mutate({ mutation: DisconnectFacebookPageDocument, variables: { campaignId } }),
      );
      const campaign = result.data?.disconnectFacebookPage;
      if (!campaign) throw new Error('The Parley server did not return the campaign.');
      this.answered(campaign);
      this.snackBar.open('Page disconnected', 'OK');
    } catch (error) {
      this.disconnectError.set(describeFacebookError(error, 'disconnect the page'));
    } finally {
      this.disconnecting.set(false);
    }
  }
}
