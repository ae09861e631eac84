import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatListModule } from '@angular/material/list';
import { MatSidenavModule } from '@angular/material/sidenav';
import { MatToolbarModule } from '@angular/material/toolbar';
import { MatTooltipModule } from '@angular/material/tooltip';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { AuthService } from '../core/auth/auth.service';
import { WsClientService } from '../core/graphql/ws-client.service';
import { navItemsFor } from '../core/navigation';
import { RoleLabelPipe } from '../ui/role-label.pipe';

/** Toolbar, side navigation for the signed-in person's role, and the page. */
@Component({
  selector: 'app-shell',
  imports: [
    RouterOutlet,
    RouterLink,
    RouterLinkActive,
    MatButtonModule,
    MatIconModule,
    MatListModule,
    MatSidenavModule,
    MatToolbarModule,
    MatTooltipModule,
    RoleLabelPipe,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './shell.html',
  styleUrl: './shell.scss',
})
export class Shell {
  private readonly auth = inject(AuthService);
  protected readonly user = this.auth.user;
  protected readonly reconnecting = inject(WsClientService).reconnecting;
  protected readonly navItems = computed(() => {
    const user = this.user();
    return user ? navItemsFor(user.role) : [];
  });

  logout(): void {
    void this.auth.logout();
  }
}
