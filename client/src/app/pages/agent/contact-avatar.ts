import { ChangeDetectionStrategy, Component, computed, input, signal } from '@angular/core';

/**
 * The customer's Facebook picture, or their initials when there is none or it does not load
 * (Facebook's picture links expire; Parley refetches them daily).
 */
@Component({
  selector: 'app-contact-avatar',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (picture() && !failed()) {
      <img
        class="avatar"
        [src]="picture()"
        alt=""
        [attr.width]="size()"
        [attr.height]="size()"
        referrerpolicy="no-referrer"
        (error)="failed.set(true)"
        data-testid="contact-picture"
      />
    } @else {
      <span class="avatar initials" aria-hidden="true">{{ initials() }}</span>
    }
  `,
  styles: `
    :host {
      display: inline-flex;
      flex: none;
    }
    .avatar {
      width: var(--size);
      height: var(--size);
      border-radius: 50%;
      object-fit: cover;
    }
    .initials {
      display: inline-flex;
      align-items: center;
      justify-content: center;
      background: var(--mat-sys-secondary-container);
      color: var(--mat-sys-on-secondary-container);
      font: var(--mat-sys-label-large);
    }
  `,
  host: { '[style.--size.px]': 'size()' },
})
export class ContactAvatar {
  readonly name = input.required<string>();
  readonly picture = input<string | null>(null);
  readonly size = input(40);

  protected readonly failed = signal(false);
  protected readonly initials = computed(() =>
    this.name()
      .split(/\s+/)
      .filter(Boolean)
      .slice(0, 2)
      .map((part) => [...part][0]?.toUpperCase() ?? '')
      .join(''),
  );
}
