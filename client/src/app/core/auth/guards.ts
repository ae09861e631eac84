import { inject } from '@angular/core';
import { type CanActivateFn, type CanMatchFn, Router } from '@angular/router';
import { MatSnackBar } from '@angular/material/snack-bar';
import type { Role } from '../../graphql/generated';
import { homePathFor } from '../navigation';
import { AuthService } from './auth.service';

/** Lets signed-in people through (loading who they are after a reload); others go to /login. */
export const signedInGuard: CanActivateFn = async () => {
  const auth = inject(AuthService);
  const router = inject(Router);
  const user = await auth.ensureUser();
  return user ? true : router.createUrlTree(['/login']);
};

/** Keeps signed-in people away from the login page. */
export const signedOutGuard: CanMatchFn = async () => {
  const auth = inject(AuthService);
  const router = inject(Router);
  if (!auth.hasSession()) return true;
  return (await auth.ensureUser()) ? router.createUrlTree(['/']) : true;
};

/** Route data `roles: Role[]`: others are sent home with a sentence saying why. */
export const roleGuard: CanActivateFn = async (route) => {
  const auth = inject(AuthService);
  const router = inject(Router);
  const snackBar = inject(MatSnackBar);
  const roles = (route.data['roles'] as readonly Role[] | undefined) ?? [];
  const user = await auth.ensureUser();
  if (!user) return router.createUrlTree(['/login']);
  if (roles.length === 0 || roles.includes(user.role)) return true;
  snackBar.open('Your role does not give access to that page.', 'Dismiss', { duration: 6000 });
  return router.createUrlTree(['/']);
};

/** On `/`: sends each role to its first section. */
export const landingGuard: CanActivateFn = async () => {
  const router = inject(Router);
  const user = await inject(AuthService).ensureUser();
  return router.createUrlTree([user ? `/${homePathFor(user.role)}` : '/login']);
};
