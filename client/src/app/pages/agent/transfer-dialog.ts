import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatRadioModule } from '@angular/material/radio';
import { Apollo } from 'apollo-angular';
import { firstValueFrom } from 'rxjs';
import { describeError } from '../../core/graphql/errors';
import {
  AgentTransferDocument,
  AgentTransferTargetsDocument,
  type AgentTransferTargetsQuery,
} from '../../graphql/generated';
import { ErrorMessage } from '../../ui/error-message';
import { PresenceIcon } from '../../ui/presence-icon';

export interface TransferDialogData {
  interactionId: string;
  contactName: string;
  campaignName: string;
}

type Targets = AgentTransferTargetsQuery['transferTargets'];

/** Hands a chat to another agent of its campaign (offered to them) or to another campaign's queue. */
@Component({
  selector: 'app-transfer-dialog',
  imports: [
    MatButtonModule,
    MatDialogModule,
    MatProgressBarModule,
    MatRadioModule,
    ErrorMessage,
    PresenceIcon,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (loading() || saving()) {
      <mat-progress-bar mode="indeterminate" aria-label="Working" />
    }
    <h2 mat-dialog-title>Transfer the chat with {{ data.contactName }}</h2>
    <mat-dialog-content>
      <app-error-message [message]="error()" data-testid="transfer-error" />
      @if (targets(); as t) {
        <mat-radio-group
          [value]="choice()"
          (change)="choice.set($event.value)"
          aria-label="Transfer to"
          class="group"
        >
          <h3 class="heading">To an agent of {{ data.campaignName }}</h3>
          @for (agent of t.agents; track agent.id) {
            <mat-radio-button
              [value]="'user:' + agent.id"
              data-testid="transfer-agent"
              [attr.data-name]="agent.displayName"
            >
              <span class="option">
                <app-presence-icon [presence]="agent.presence" [breakReason]="agent.breakReason" />
                {{ agent.displayName }}
              </span>
            </mat-radio-button>
          } @empty {
            <p class="none">No other agent of this campaign can take chats.</p>
          }
          <p class="hint">They get it as an offer: only someone Available with room can take it.</p>
          <h3 class="heading">To the queue of another campaign</h3>
          @for (campaign of t.campaigns; track campaign.id) {
            <mat-radio-button
              [value]="'campaign:' + campaign.id"
              data-testid="transfer-campaign"
              [attr.data-name]="campaign.name"
            >
              {{ campaign.name }}
            </mat-radio-button>
          } @empty {
            <p class="none">No other Messenger campaign.</p>
          }
        </mat-radio-group>
      }
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <button mat-button type="button" mat-dialog-close [disabled]="saving()">Cancel</button>
      <button
        mat-flat-button
        type="button"
        (click)="save()"
        [disabled]="saving() || !choice()"
        data-testid="transfer-submit"
      >
        Transfer
      </button>
    </mat-dialog-actions>
  `,
  styles: `
    .group {
      display: flex;
      flex-direction: column;
      align-items: flex-start;
    }
    .heading {
      margin: 12px 0 4px;
      font: var(--mat-sys-title-small);
    }
    .option {
      display: inline-flex;
      align-items: center;
      gap: 6px;
    }
    .none,
    .hint {
      margin: 4px 0;
      color: var(--mat-sys-on-surface-variant);
      font: var(--mat-sys-body-small);
    }
  `,
})
export class TransferDialog {
  private readonly apollo = inject(Apollo);
  private readonly dialogRef = inject<MatDialogRef<TransferDialog, string>>(MatDialogRef);
  protected readonly data = inject<TransferDialogData>(MAT_DIALOG_DATA);

  protected readonly targets = signal<Targets | null>(null);
  protected readonly loading = signal(true);
  protected readonly saving = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly choice = signal<string | null>(null);
  private readonly chosenName = computed(() => {
    const [kind, id] = (this.choice() ?? ':').split(':');
    const t = this.targets();
    return kind === 'user'
      ? t?.agents.find((a) => a.id === id)?.displayName
      : t?.campaigns.find((c) => c.id === id)?.name;
  });

  constructor() {
    void this.load();
  }

  async save(): Promise<void> {
    const choice = this.choice();
    if (!choice || this.saving()) return;
    const [kind, id] = choice.split(':');
    this.error.set(null);
    this.saving.set(true);
    this.dialogRef.disableClose = true;
    try {
      const result = await firstValueFrom(
        this.apollo.mutate({
          mutation: AgentTransferDocument,
          variables: {
            id: this.data.interactionId,
            toUserId: kind === 'user' ? id : null,
            toCampaignId: kind === 'campaign' ? id : null,
          },
        }),
      );
      if (!result.data?.transferInteraction) throw new Error('The Parley server did not confirm it.');
      this.dialogRef.close(this.chosenName() ?? 'the chosen target');
    } catch (error) {
      this.error.set(`Could not transfer the chat: ${describeError(error)}`);
    } finally {
      this.saving.set(false);
      this.dialogRef.disableClose = false;
    }
  }

  private async load(): Promise<void> {
    try {
      const result = await firstValueFrom(
        this.apollo.query({
          query: AgentTransferTargetsDocument,
          variables: { id: this.data.interactionId },
          fetchPolicy: 'network-only',
        }),
      );
      if (!result.data) throw new Error('The Parley server sent no list.');
      this.targets.set(result.data.transferTargets);
    } catch (error) {
      this.error.set(`Could not read who can take it: ${describeError(error)}`);
    } finally {
      this.loading.set(false);
    }
  }
}
