import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { MatIconModule } from '@angular/material/icon';
import { MatTooltipModule } from '@angular/material/tooltip';
import { TOKEN_STATUSES } from '../core/campaigns';
import type { TokenStatus } from '../graphql/generated';

/**
 * The Facebook page token as an icon whose shape and colour both say the status (green chain active,
 * red warning circle inactive, grey broken chain not connected), with its words, and Facebook's reason
 * when inactive, in a tooltip and as the icon's accessible name. (`aria-hidden="false"`: mat-icon hides
 * icons from screen readers unless told otherwise.)
 */
@Component({
  selector: 'app-token-status-icon',
  imports: [MatIconModule, MatTooltipModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<mat-icon
    [svgIcon]="view().icon"
    [class]="'token token-' + status().toLowerCase()"
    [matTooltip]="description()"
    [attr.aria-label]="description()"
    [attr.data-token-status]="status()"
    [attr.data-token-icon]="view().icon"
    data-testid="token-status"
    role="img"
    aria-hidden="false"
  />`,
  styles: `
    :host {
      display: inline-flex;
      vertical-align: middle;
    }
    .token-active {
      color: var(--parley-ok);
    }
    .token-inactive {
      color: var(--mat-sys-error);
    }
    .token-not_connected {
      color: var(--parley-off);
    }
  `,
})
export class TokenStatusIcon {
  readonly status = input.required<TokenStatus>();
  readonly error = input<string | null | undefined>(null);

  protected readonly view = computed(() => TOKEN_STATUSES[this.status()]);
  protected readonly description = computed(() => {
    const reason = this.error()?.trim();
    return reason ? `${this.view().label}: ${reason}` : this.view().label;
  });
}
