import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { MatFormFieldModule } from '@angular/material/form-field';
import { type MatSelectChange, MatSelectModule } from '@angular/material/select';
import { nowSignal } from '../../core/now';
import { PresenceIcon } from '../../ui/presence-icon';
import { AgentDesk } from './agent-desk';
import { OfferAlerts } from './alerts';
import { clock } from './time';

/** The reasons an agent picks a break from: what supervisors read on the real-time screen. */
export const BREAK_REASONS = ['Lunch', 'Coffee', 'Meeting', 'Training', 'Personal'] as const;

/** One choice of the list: a presence, with the reason for a break. */
const choiceOf = (presence: string, breakReason: string | null) =>
  presence === 'BREAK' ? `BREAK:${breakReason ?? ''}` : presence;

/** Available, a break with its reason, or Offline; the presence icon, and for how long. */
@Component({
  selector: 'app-presence-selector',
  imports: [MatFormFieldModule, MatSelectModule, PresenceIcon],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (desk.presence(); as me) {
      <app-presence-icon [presence]="me.presence" [breakReason]="me.breakReason" />
      <mat-form-field appearance="outline" subscriptSizing="dynamic" class="field">
        <mat-label>Presence</mat-label>
        <mat-select
          [value]="choice()"
          (selectionChange)="choose($event)"
          [disabled]="desk.presenceBusy()"
          data-testid="presence-select"
        >
          <mat-option value="AVAILABLE" data-testid="presence-available">Available</mat-option>
          <mat-optgroup label="Break">
            @for (reason of reasons; track reason) {
              <mat-option [value]="'BREAK:' + reason" [attr.data-testid]="'presence-break-' + reason">
                Break: {{ reason }}
              </mat-option>
            }
            @if (otherReason(); as other) {
              <mat-option [value]="'BREAK:' + other">Break: {{ other }}</mat-option>
            }
          </mat-optgroup>
          <mat-option value="OFFLINE" data-testid="presence-offline">Offline</mat-option>
        </mat-select>
      </mat-form-field>
      <span class="since" data-testid="presence-timer" [attr.aria-label]="'For ' + elapsed()">
        {{ elapsed() }}
      </span>
    } @else {
      <span class="since">Reading your presence…</span>
    }
  `,
  styles: `
    :host {
      display: flex;
      align-items: center;
      gap: 8px;
    }
    .field {
      width: 180px;
    }
    .since {
      font: var(--mat-sys-title-small);
      font-variant-numeric: tabular-nums;
      color: var(--mat-sys-on-surface-variant);
    }
  `,
})
export class PresenceSelector {
  protected readonly desk = inject(AgentDesk);
  private readonly alerts = inject(OfferAlerts);
  private readonly now = nowSignal(1000);

  protected readonly reasons = BREAK_REASONS;
  protected readonly choice = computed(() => {
    const me = this.desk.presence();
    return me ? choiceOf(me.presence, me.breakReason) : null;
  });
  /** A break reason set elsewhere (the API), still shown as chosen. */
  protected readonly otherReason = computed(() => {
    const me = this.desk.presence();
    const reason = me?.presence === 'BREAK' ? me.breakReason : null;
    return reason && !(BREAK_REASONS as readonly string[]).includes(reason) ? reason : null;
  });
  protected readonly elapsed = computed(() => {
    const since = this.desk.presence()?.presenceSince;
    return since ? clock(this.now().getTime() - Date.parse(since)) : '';
  });

  protected choose(change: MatSelectChange): void {
    // A click: the moment browsers allow the offer sound and the notification permission.
    this.alerts.prepare();
    const value = String(change.value);
    if (value.startsWith('BREAK:')) void this.desk.setPresence('BREAK', value.slice('BREAK:'.length));
    else void this.desk.setPresence(value === 'AVAILABLE' ? 'AVAILABLE' : 'OFFLINE', null);
  }
}
