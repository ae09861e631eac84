import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { RouterOutlet } from '@angular/router';
import { PageLoadErrors } from './core/page-load-errors';
import { ErrorMessage } from './ui/error-message';

@Component({
  selector: 'app-root',
  imports: [RouterOutlet, MatButtonModule, ErrorMessage],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (pageLoadError(); as message) {
      <app-error-message class="page-load-error" [message]="message" data-testid="page-load-error">
        <button mat-button type="button" (click)="reload()">Reload</button>
      </app-error-message>
    }
    <router-outlet />
  `,
  styles: `
    .page-load-error {
      position: fixed;
      top: 16px;
      left: 50%;
      transform: translateX(-50%);
      z-index: 1000;
      width: min(640px, calc(100vw - 32px));
      box-shadow: var(--mat-sys-level3);
    }
  `,
})
export class App {
  protected readonly pageLoadError = inject(PageLoadErrors).message;

  reload(): void {
    location.reload();
  }
}
