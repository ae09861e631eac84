import { Clipboard } from '@angular/cdk/clipboard';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatTooltipModule } from '@angular/material/tooltip';
import { RoleLabelPipe } from '../../../ui/role-label.pipe';
import type { CreatedApiKey } from './new-api-key-dialog';

export const KEY_SHOWN_ONCE_WARNING =
  'Copy this key now: Parley stores only a hash and cannot show it again.';

/** Shows a new API key, once. Nothing keeps the key after this dialog closes. */
@Component({
  selector: 'app-api-key-created-dialog',
  imports: [
    MatButtonModule,
    MatDialogModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatTooltipModule,
    RoleLabelPipe,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2 mat-dialog-title>API key "{{ data.apiKey.name }}" created</h2>
    <mat-dialog-content>
      <p class="warning" role="alert" data-testid="api-key-warning">
        <mat-icon svgIcon="warning" aria-hidden="true" />
        <span>{{ warning }}</span>
      </p>
      <mat-form-field class="key-field" subscriptSizing="dynamic">
        <mat-label>API key ({{ data.apiKey.role | roleLabel }})</mat-label>
        <input
          matInput
          readonly
          [value]="data.key"
          (focus)="selectAll($event)"
          data-testid="api-key-value"
          spellcheck="false"
          autocomplete="off"
        />
        <button
          mat-icon-button
          matSuffix
          type="button"
          (click)="copy()"
          aria-label="Copy the key"
          matTooltip="Copy the key"
          data-testid="api-key-copy"
        >
          <mat-icon svgIcon="copy" />
        </button>
      </mat-form-field>
      <p class="copy-status" role="status" data-testid="api-key-copy-status">{{ copyStatus() }}</p>
      <p class="usage">
        Tools send it in the header <code>X-Api-Key</code> of each request to <code>/graphql</code>, or as
        <code>apiKey</code> in the connection parameters of a subscription.
      </p>
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <button mat-flat-button type="button" mat-dialog-close data-testid="api-key-done">
        I have copied it
      </button>
    </mat-dialog-actions>
  `,
  styles: `
    .warning {
      display: flex;
      gap: 8px;
      align-items: center;
      margin-top: 0;
      padding: 8px 12px;
      border-radius: 8px;
      background: var(--mat-sys-tertiary-container);
      color: var(--mat-sys-on-tertiary-container);
    }
    .key-field {
      width: 100%;
    }
    .key-field input {
      font-family: ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace;
    }
    .copy-status {
      min-height: 1.5em;
      margin: 4px 0 0;
      font: var(--mat-sys-body-small);
    }
    .usage {
      color: var(--mat-sys-on-surface-variant);
    }
  `,
})
export class ApiKeyCreatedDialog {
  protected readonly data = inject<CreatedApiKey>(MAT_DIALOG_DATA);
  private readonly clipboard = inject(Clipboard);
  protected readonly warning = KEY_SHOWN_ONCE_WARNING;
  protected readonly copyStatus = signal('');

  copy(): void {
    this.copyStatus.set(
      this.clipboard.copy(this.data.key)
        ? 'Copied to the clipboard.'
        : 'The browser refused to copy: select the key and copy it by hand.',
    );
  }

  selectAll(event: FocusEvent): void {
    (event.target as HTMLInputElement).select();
  }
}
