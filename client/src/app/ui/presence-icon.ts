import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { MatIconModule } from '@angular/material/icon';
import { MatTooltipModule } from '@angular/material/tooltip';
import type { Presence } from '../graphql/generated';

const PRESENCE: Readonly<Record<Presence, { icon: string; label: string }>> = {
  OFFLINE: { icon: 'presence-offline', label: 'Offline' },
  AVAILABLE: { icon: 'presence-available', label: 'Available' },
  BREAK: { icon: 'presence-break', label: 'On break' },
};

/**
 * A person's presence as a coloured icon (grey, green, amber), with the words in a tooltip and as the
 * icon's accessible name (`aria-hidden="false"`: mat-icon hides icons from screen readers otherwise).
 */
@Component({
  selector: 'app-presence-icon',
  imports: [MatIconModule, MatTooltipModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<mat-icon
    [svgIcon]="view().icon"
    [class]="'presence presence-' + presence().toLowerCase()"
    [matTooltip]="description()"
    [attr.aria-label]="description()"
    [attr.data-presence]="presence()"
    role="img"
    aria-hidden="false"
  />`,
  styles: `
    :host {
      display: inline-flex;
      vertical-align: middle;
    }
    .presence-offline {
      color: var(--parley-off);
    }
    .presence-available {
      color: var(--parley-ok);
    }
    .presence-break {
      color: var(--parley-warn);
    }
  `,
})
export class PresenceIcon {
  readonly presence = input.required<Presence>();
  readonly breakReason = input<string | null>(null);

  protected readonly view = computed(() => PRESENCE[this.presence()]);
  protected readonly description = computed(() => {
    const reason = this.presence() === 'BREAK' ? this.breakReason()?.trim() : '';
    return reason ? `${this.view().label}: ${reason}` : this.view().label;
  });
}
