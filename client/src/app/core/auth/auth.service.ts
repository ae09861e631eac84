import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { Router } from '@angular/router';
import { Apollo } from 'apollo-angular';
import { firstValueFrom } from 'rxjs';
import { type CurrentUserFragment, LoginDocument, MeDocument } from '../../graphql/generated';
import { SESSION_ENDED, describeError, hasErrorCode } from '../graphql/errors';
import { WsClientService } from '../graphql/ws-client.service';
import { isTokenExpired, tokenExpiresAt } from './jwt';
import { SessionStore } from './session.store';

export type CurrentUser = CurrentUserFragment;

/** setTimeout's longest delay (about 24.8 days); longer waits are done in steps. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * The signed-in person: token (kept in localStorage), user (from login, refreshed with `me`),
 * a timer that logs out when the token expires, and logout that forgets everything.
 */
@Injectable({ providedIn: 'root' })
export class AuthService {
  private readonly apollo = inject(Apollo);
  private readonly router = inject(Router);
  private readonly session = inject(SessionStore);
  private readonly ws = inject(WsClientService);

  readonly token = this.session.token;
  private readonly userSignal = signal<CurrentUser | null>(null);
  readonly user = this.userSignal.asReadonly();
  /** Why the last session ended, for the login page; cleared on the next login. */
  private readonly noticeSignal = signal<string | null>(null);
  readonly notice = this.noticeSignal.asReadonly();
  readonly expiresAt = computed(() => tokenExpiresAt(this.token()));

  private expiryTimer: ReturnType<typeof setTimeout> | undefined;
  private loadingUser: Promise<CurrentUser | null> | null = null;

  constructor() {
    this.session.ended$.pipe(takeUntilDestroyed(inject(DestroyRef))).subscribe((message) => {
      void this.logout(message);
    });
    if (this.token() !== null) {
      if (this.isExpired()) this.forget(SESSION_ENDED);
      else this.scheduleExpiry();
    }
  }

  isExpired(): boolean {
    return isTokenExpired(this.token());
  }

  /** True when a token is held and has not expired (the user may still be loading). */
  hasSession(): boolean {
    return this.token() !== null && !this.isExpired();
  }

  /** Signs in; throws an Error whose message tells the person what went wrong. */
  async login(username: string, password: string): Promise<CurrentUser> {
    let payload;
    try {
      const result = await firstValueFrom(
        this.apollo.mutate({ mutation: LoginDocument, variables: { username, password } }),
      );
      payload = result.data?.login;
    } catch (error) {
      throw new Error(describeError(error), { cause: error });
    }
    if (!payload) throw new Error('The Parley server sent an empty answer to the sign-in.');
    this.ws.reset();
    await this.apollo.client.clearStore();
    this.session.setToken(payload.accessToken);
    this.userSignal.set(payload.user);
    this.noticeSignal.set(null);
    this.scheduleExpiry();
    return payload.user;
  }

  /**
   * The current user, loading it with `me` when the page was reloaded. Resolves null (after
   * logging out with the reason) when there is no valid session or the server refuses it.
   */
  ensureUser(): Promise<CurrentUser | null> {
    const user = this.user();
    if (user) return Promise.resolve(user);
    if (!this.hasSession()) {
      if (this.token() !== null) this.forget(SESSION_ENDED);
      return Promise.resolve(null);
    }
    this.loadingUser ??= this.fetchMe().finally(() => (this.loadingUser = null));
    return this.loadingUser;
  }

  /** Forgets the session (token, cache, socket) and goes to the login page. */
  async logout(notice?: string): Promise<void> {
    this.forget(notice);
    try {
      await this.apollo.client.clearStore();
    } catch {
      // Clearing the cache of a signed-out client cannot usefully fail further.
    }
    await this.router.navigate(['/login']);
  }

  private async fetchMe(): Promise<CurrentUser | null> {
    try {
      const result = await firstValueFrom(
        this.apollo.query({ query: MeDocument, fetchPolicy: 'network-only' }),
      );
      const me = result.data?.me ?? null;
      if (me) this.userSignal.set(me);
      else this.forget('The Parley server did not say who you are; please sign in again.');
      return me;
    } catch (error) {
      // UNAUTHENTICATED is handled by the error link; anything else still ends the attempt.
      this.forget(hasErrorCode(error, 'UNAUTHENTICATED') ? SESSION_ENDED : describeError(error));
      return null;
    }
  }

  private forget(notice?: string): void {
    clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    this.session.clearToken();
    this.userSignal.set(null);
    this.ws.reset();
    if (notice) this.noticeSignal.set(notice);
  }

  private scheduleExpiry(): void {
    clearTimeout(this.expiryTimer);
    const expiresAt = this.expiresAt();
    if (expiresAt === null) return;
    const delay = expiresAt - Date.now();
    this.expiryTimer = setTimeout(
      () => {
        if (this.isExpired()) void this.logout(SESSION_ENDED);
        else this.scheduleExpiry();
      },
      Math.max(0, Math.min(delay, MAX_TIMER_MS)),
    );
  }
}
