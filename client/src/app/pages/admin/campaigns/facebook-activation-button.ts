import { ChangeDetectionStrategy, Component, input, output } from '@angular/core';
import type { FacebookActivationMessage } from '@parley/libs/shared/facebook-activation.js';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { ACTIVATION_WINDOW, FacebookActivationFlow } from '../../../core/facebook-activation';
import { ErrorMessage } from '../../../ui/error-message';

/**
 * The "Activate with Facebook" button ("Reconnect" on an inactive page) and, right beside it, how the
 * attempt goes: waiting for the popup, blocked by the browser (with a link to open Facebook in a tab),
 * and the outcome the popup reports. The campaign itself updates through campaignChanged.
 */
@Component({
  selector: 'app-facebook-activation-button',
  imports: [MatButtonModule, MatIconModule, MatProgressSpinnerModule, ErrorMessage],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="row">
      <button
        mat-flat-button
        type="button"
        (click)="start()"
        [disabled]="disabled() || flow.state().kind === 'starting'"
        [attr.data-testid]="testid()"
      >
        @if (flow.state().kind === 'starting') {
          <mat-progress-spinner mode="indeterminate" diameter="18" aria-hidden="true" />
        } @else {
          <mat-icon svgIcon="link" aria-hidden="true" />
        }
        {{ label() }}
      </button>
      <div class="status" aria-live="polite" [attr.data-testid]="testid() + '-status'">
        @switch (flow.state().kind) {
          @case ('starting') {
            <span class="note">Opening Facebook…</span>
          }
          @case ('waiting') {
            <span class="note"
              >Finish in the Facebook window: sign in, choose the page, allow what Parley asks.</span
            >
          }
          @case ('done') {
            @if (cancelledText(); as text) {
              <span class="note" [attr.data-testid]="testid() + '-cancelled'">{{ text }}</span>
            }
          }
          @case ('closed') {
            <span class="note">
              The Facebook window closed before Parley heard how it went. If you finished there, the page
              appears here by itself; otherwise press "{{ label() }}" again.
            </span>
          }
        }
      </div>
    </div>
    @if (blockedUrl(); as url) {
      <app-error-message
        message="Your browser blocked the Facebook window."
        [attr.data-testid]="testid() + '-blocked'"
      >
        <a mat-button [href]="url" [attr.target]="windowName" rel="opener">Open Facebook in a new tab</a>
      </app-error-message>
    }
    @if (errorText(); as text) {
      <app-error-message [message]="text" [attr.data-testid]="testid() + '-error'" />
    }
    @if (successText(); as text) {
      <p class="success" role="status" [attr.data-testid]="testid() + '-connected'">
        <mat-icon svgIcon="check-circle" aria-hidden="true" />
        <span>{{ text }}</span>
      </p>
    }
  `,
  styles: `
    :host {
      display: flex;
      flex-direction: column;
      gap: 8px;
    }
    .row {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 8px 12px;
    }
    .status {
      flex: 1;
      min-width: 200px;
    }
    .note {
      color: var(--mat-sys-on-surface-variant);
      font: var(--mat-sys-body-medium);
    }
    .success {
      display: flex;
      align-items: center;
      gap: 8px;
      margin: 0;
      color: var(--parley-ok);
      font: var(--mat-sys-body-medium);
    }
    mat-progress-spinner {
      display: inline-block;
      margin-right: 8px;
      vertical-align: middle;
      --mat-progress-spinner-active-indicator-color: currentColor;
    }
    mat-icon {
      flex: none;
    }
  `,
})
export class FacebookActivationButton {
  readonly campaignId = input.required<string>();
  /** "Activate with Facebook", or "Reconnect" for a page whose token Facebook stopped accepting. */
  readonly label = input('Activate with Facebook');
  readonly disabled = input(false);
  readonly testid = input('activate-facebook');
  /** The popup's answer, once it came. */
  readonly outcome = output<FacebookActivationMessage>();

  protected readonly windowName = ACTIVATION_WINDOW;
  protected readonly flow = new FacebookActivationFlow();

  constructor() {
    this.flow.onOutcome = (message) => this.outcome.emit(message);
  }

  protected blockedUrl(): string | null {
    const state = this.flow.state();
    return state.kind === 'blocked' ? state.url : null;
  }

  protected errorText(): string | null {
    const state = this.flow.state();
    if (state.kind === 'error') return state.message;
    if (state.kind === 'done' && !state.success && state.outcome !== 'cancelled') return state.message;
    return null;
  }

  /** Cancelling is a choice, not a failure: said as a note. */
  protected cancelledText(): string | null {
    const state = this.flow.state();
    return state.kind === 'done' && state.outcome === 'cancelled' ? state.message : null;
  }

  protected successText(): string | null {
    const state = this.flow.state();
    return state.kind === 'done' && state.success ? state.message : null;
  }

  protected start(): void {
    this.flow.start(this.campaignId());
  }
}
