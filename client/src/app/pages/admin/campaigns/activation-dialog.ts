import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule } from '@angular/material/dialog';
import { MatIconModule } from '@angular/material/icon';

export interface ActivationDialogData {
  campaignName: string;
}

/**
 * After a new Messenger campaign is saved: its Facebook page must be connected before customers'
 * messages arrive. The "Activate with Facebook" flow itself comes with the Facebook issue.
 */
@Component({
  selector: 'app-activation-dialog',
  imports: [MatButtonModule, MatDialogModule, MatIconModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2 mat-dialog-title>Connect "{{ data.campaignName }}" to its Facebook page</h2>
    <mat-dialog-content data-testid="activation-dialog">
      <p>
        The campaign is saved. Customers' messages reach it only once its Facebook page is connected: until
        then, nothing arrives.
      </p>
      <p>
        <strong>Activate with Facebook</strong> opens Facebook's sign-in: sign in as an administrator of the
        page, choose the page and allow what Parley asks for. The page name then appears on the campaign.
      </p>
      <p class="note" data-testid="activation-unavailable">
        <mat-icon svgIcon="info" aria-hidden="true" />
        <span>This button is available once Facebook activation is set up in Parley.</span>
      </p>
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <button mat-button type="button" mat-dialog-close cdkFocusInitial data-testid="activation-later">
        Later
      </button>
      <button mat-flat-button type="button" disabled data-testid="activate-facebook">
        <mat-icon svgIcon="link" />
        Activate with Facebook
      </button>
    </mat-dialog-actions>
  `,
  styles: `
    .note {
      display: flex;
      align-items: center;
      gap: 8px;
      color: var(--mat-sys-on-surface-variant);
      font: var(--mat-sys-body-medium);
    }
    .note mat-icon {
      flex: none;
    }
  `,
})
export class ActivationDialog {
  protected readonly data = inject<ActivationDialogData>(MAT_DIALOG_DATA);
}
