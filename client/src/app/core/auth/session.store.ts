import { Injectable, signal } from '@angular/core';
import { Subject } from 'rxjs';

const TOKEN_KEY = 'parley.accessToken';

/**
 * The access token, and a channel on which the transport reports that the server ended the
 * session. It depends on nothing, so the GraphQL links can use it without a cycle through
 * AuthService (which itself needs Apollo).
 */
@Injectable({ providedIn: 'root' })
export class SessionStore {
  private readonly tokenSignal = signal<string | null>(readToken());
  readonly token = this.tokenSignal.asReadonly();

  private readonly endedSubject = new Subject<string>();
  /** Emits a sentence for people each time the server refuses the current credentials. */
  readonly ended$ = this.endedSubject.asObservable();

  setToken(token: string): void {
    this.tokenSignal.set(token);
    try {
      localStorage.setItem(TOKEN_KEY, token);
    } catch {
      // Storage can be disabled (private mode); the session then lasts as long as the tab.
    }
  }

  clearToken(): void {
    this.tokenSignal.set(null);
    try {
      localStorage.removeItem(TOKEN_KEY);
    } catch {
      // See setToken.
    }
  }

  /** The server refused the credentials: AuthService logs out and shows this message. */
  end(message: string): void {
    if (this.tokenSignal() !== null) this.endedSubject.next(message);
  }
}

function readToken(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}
