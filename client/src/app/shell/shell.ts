import { BreakpointObserver } from '@angular/cdk/layout';
import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatListModule } from '@angular/material/list';
import { MatSidenavModule } from '@angular/material/sidenav';
import { MatToolbarModule } from '@angular/material/toolbar';
import { MatTooltipModule } from '@angular/material/tooltip';
import { NavigationEnd, Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { filter, map } from 'rxjs';
import { AuthService } from '../core/auth/auth.service';
import { WsClientService } from '../core/graphql/ws-client.service';
import { navItemsFor } from '../core/navigation';
import { RoleLabelPipe } from '../ui/role-label.pipe';

/**
 * Below this width (phones, portrait tablets) the side navigation would leave the page too little room:
 * it becomes a drawer opened by a menu button, over the page.
 */
export const COMPACT_LAYOUT = '(max-width: 1023.98px)';

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
  protected readonly compact = toSignal(
    inject(BreakpointObserver)
      .observe(COMPACT_LAYOUT)
      .pipe(map((state) => state.matches)),
    { initialValue: matchMedia(COMPACT_LAYOUT).matches },
  );
  /** Whether the drawer is open in the compact layout (the side navigation is always open otherwise). */
  protected readonly drawerOpen = signal(false);

  constructor() {
    // Choosing a section closes the drawer: the page is what the person asked for.
    inject(Router)
      .events.pipe(
        filter((event) => event instanceof NavigationEnd),
        takeUntilDestroyed(),
      )
      .subscribe(() => this.drawerOpen.set(false));
  }

  logout(): void {
    void this.auth.logout();
  }
}
