import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { MatCardModule } from '@angular/material/card';
import { AuthService } from '../../core/auth/auth.service';
import { RoleLabelPipe } from '../../ui/role-label.pipe';

/** Landing page for supervisors until their screens exist (agents land on Chats). */
@Component({
  selector: 'app-home',
  imports: [MatCardModule, RoleLabelPipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (user(); as me) {
      <h1 class="title" data-testid="home-greeting">Hello, {{ me.displayName }}</h1>
      <mat-card appearance="outlined" class="card">
        <mat-card-content>
          <p>
            You are signed in to Parley as
            <strong>{{ me.role | roleLabel }}</strong>.
          </p>
          <p>Your screens arrive soon: they will appear in the menu on the left as soon as they are ready.</p>
        </mat-card-content>
      </mat-card>
    }
  `,
  styles: `
    .title {
      font: var(--mat-sys-headline-small);
      margin: 0 0 16px;
    }
    .card {
      max-width: 640px;
    }
    .card p:first-child {
      margin-top: 0;
    }
  `,
})
export class HomePage {
  protected readonly user = inject(AuthService).user;
}
