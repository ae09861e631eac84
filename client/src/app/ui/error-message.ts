import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { MatIconModule } from '@angular/material/icon';

/** A failure told in words, announced to screen readers. Renders nothing without a message. */
@Component({
  selector: 'app-error-message',
  imports: [MatIconModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (message(); as text) {
      <div class="error" role="alert">
        <mat-icon svgIcon="error" aria-hidden="true" />
        <span class="text">{{ text }}</span>
        <ng-content />
      </div>
    }
  `,
  styles: `
    .error {
      display: flex;
      align-items: center;
      gap: 8px;
      padding: 8px 12px;
      border-radius: 8px;
      background: var(--mat-sys-error-container);
      color: var(--mat-sys-on-error-container);
      font: var(--mat-sys-body-medium);
    }
    .text {
      flex: 1;
    }
    mat-icon {
      flex: none;
    }
  `,
})
export class ErrorMessage {
  readonly message = input<string | null | undefined>(null);
}
