import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { MatIconModule } from '@angular/material/icon';
import { MatTooltipModule } from '@angular/material/tooltip';
import { CHANNELS } from '../core/campaigns';
import type { Channel } from '../graphql/generated';

/**
 * A campaign's channel as an icon, followed by its name unless `iconOnly`; an icon alone has the name
 * in a tooltip and as its accessible name.
 */
@Component({
  selector: 'app-channel-icon',
  imports: [MatIconModule, MatTooltipModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<mat-icon
      [svgIcon]="view().icon"
      [class]="'channel-' + channel().toLowerCase()"
      [attr.aria-hidden]="iconOnly() ? null : 'true'"
      [attr.aria-label]="iconOnly() ? view().label : null"
      [attr.role]="iconOnly() ? 'img' : null"
      [matTooltip]="iconOnly() ? view().label : ''"
      [attr.data-channel]="channel()"
    />
    @if (!iconOnly()) {
      <span>{{ view().label }}</span>
    }`,
  styles: `
    :host {
      display: inline-flex;
      align-items: center;
      gap: 6px;
      vertical-align: middle;
    }
    mat-icon {
      width: 20px;
      height: 20px;
    }
    .channel-messenger {
      color: var(--mat-sys-primary);
    }
    .channel-voice {
      color: var(--mat-sys-tertiary);
    }
  `,
})
export class ChannelIcon {
  readonly channel = input.required<Channel>();
  readonly iconOnly = input(false);
  protected readonly view = computed(() => CHANNELS[this.channel()]);
}
