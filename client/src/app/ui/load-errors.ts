import { ChangeDetectionStrategy, Component, input, output } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { ErrorMessage } from './error-message';

/**
 * Why a screen's data could not be read ("Try again") or stopped updating live ("Reconnect"); both
 * buttons emit `retry`. Renders nothing without an error. Test ids: `{testid}-load-error`, `{testid}-live-error`.
 */
@Component({
  selector: 'app-load-errors',
  imports: [MatButtonModule, ErrorMessage],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <app-error-message [message]="loadError()" [attr.data-testid]="testid() + '-load-error'">
      <button mat-button type="button" (click)="retry.emit()">Try again</button>
    </app-error-message>
    @if (liveError(); as reason) {
      <app-error-message
        [message]="'Live updates stopped: ' + reason"
        [attr.data-testid]="testid() + '-live-error'"
      >
        <button mat-button type="button" (click)="retry.emit()">Reconnect</button>
      </app-error-message>
    }
  `,
  styles: `
    :host,
    app-error-message {
      display: block;
    }
    app-error-message {
      margin-bottom: 12px;
    }
  `,
})
export class LoadErrors {
  readonly loadError = input<string | null>(null);
  readonly liveError = input<string | null>(null);
  readonly testid = input.required<string>();
  readonly retry = output();
}
