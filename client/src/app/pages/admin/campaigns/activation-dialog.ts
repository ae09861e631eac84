import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import type { FacebookActivationMessage } from '@parley/libs/shared/facebook-activation.js';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule } from '@angular/material/dialog';
import { FacebookActivationButton } from './facebook-activation-button';

export interface ActivationDialogData {
  campaignId: string;
  campaignName: string;
}

/**
 * After a new Messenger campaign is saved: its Facebook page must be connected before customers'
 * messages arrive. "Later" leaves it; the editor's Facebook section activates it any time.
 */
@Component({
  selector: 'app-activation-dialog',
  imports: [MatButtonModule, MatDialogModule, FacebookActivationButton],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2 mat-dialog-title>Connect "{{ data.campaignName }}" to its Facebook page</h2>
    <mat-dialog-content data-testid="activation-dialog">
      <p>
        The campaign is saved. Customers' messages reach it only once its Facebook page is connected: until
        then, nothing arrives.
      </p>
      <p>
        <strong>Activate with Facebook</strong> opens Facebook's sign-in in a small window: sign in as an
        administrator of the page, choose the page and allow what Parley asks for. The page name then appears
        on the campaign.
      </p>
      <app-facebook-activation-button [campaignId]="data.campaignId" (outcome)="onOutcome($event)" />
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <button mat-button type="button" mat-dialog-close cdkFocusInitial data-testid="activation-later">
        {{ connected() ? 'Close' : 'Later' }}
      </button>
    </mat-dialog-actions>
  `,
})
export class ActivationDialog {
  protected readonly data = inject<ActivationDialogData>(MAT_DIALOG_DATA);
  protected readonly connected = signal(false);

  protected onOutcome(message: FacebookActivationMessage): void {
    this.connected.set(message.outcome === 'connected');
  }
}
