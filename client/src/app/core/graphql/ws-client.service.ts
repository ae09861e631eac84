import { Injectable, effect, inject, signal } from '@angular/core';
import { ApolloLink } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { type Client, createClient } from 'graphql-ws';
import { Subject } from 'rxjs';
import { SessionStore } from '../auth/session.store';
import { ACCESS_REVOKED, SESSION_ENDED } from './errors';

/** Close codes with which the server refuses the credentials: never retried. */
const AUTH_CLOSE_CODES = new Set([4401, 4403]);
const MAX_RETRY_DELAY_MS = 30_000;

/**
 * Owns the graphql-ws client used for subscriptions. While someone is signed in a socket stays open,
 * even on a page without subscriptions, so that the server's 4401/4403 close (account deactivated,
 * session ended) signs them out at once. It reconnects with exponential backoff and jitter, and is
 * replaced by a fresh one on login and logout so a socket never outlives the credentials it was opened with.
 */
@Injectable({ providedIn: 'root' })
export class WsClientService {
  private readonly session = inject(SessionStore);
  private client: Client | null = null;
  private wsLink: GraphQLWsLink | null = null;
  /** Counts the clients made: a client's events count only while it is the current one. */
  private generation = 0;

  /** True while the socket is lost and being re-opened: screens say live updates are paused. */
  readonly reconnecting = signal(false);

  private readonly reconnectedSubject = new Subject<void>();
  /** The socket is open again after it was lost: pushes may have been missed meanwhile. */
  readonly reconnected$ = this.reconnectedSubject.asObservable();

  /** The subscription link for Apollo; it always forwards to the current client. */
  readonly link = new ApolloLink((operation) => this.currentLink().request(operation));

  constructor() {
    // Signed in: a socket at once (see the class comment). Signed out: none.
    effect(() => {
      if (this.session.token() !== null) this.currentLink();
      else this.reset();
    });
  }

  /**
   * Closes the current socket. A new one opens with the next token (the constructor's effect), or with
   * the next subscription.
   */
  reset(): void {
    const client = this.client;
    this.client = null;
    this.wsLink = null;
    this.generation++;
    this.reconnecting.set(false);
    void client?.dispose();
  }

  private currentLink(): GraphQLWsLink {
    if (!this.wsLink) {
      this.client = this.createClient();
      this.wsLink = new GraphQLWsLink(this.client);
    }
    return this.wsLink;
  }

  private createClient(): Client {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    // Not `this.client === client`: a non-lazy client emits `connecting` before createClient returns.
    const generation = ++this.generation;
    const current = () => this.generation === generation;
    return createClient({
      url: `${scheme}://${location.host}/graphql`,
      lazy: false,
      // Failures are handled by the retries and by `closed` below.
      onNonLazyError: () => undefined,
      connectionParams: () => {
        const token = this.session.token();
        return token ? { authorization: `Bearer ${token}` } : {};
      },
      retryAttempts: 1_000_000,
      retryWait: async (retries) => {
        // Exponential backoff capped at 30 s, with full jitter so clients do not reconnect in step.
        const ceiling = Math.min(MAX_RETRY_DELAY_MS, 1000 * 2 ** retries);
        const delay = ceiling / 2 + Math.random() * (ceiling / 2);
        await new Promise((resolve) => setTimeout(resolve, delay));
      },
      shouldRetry: (errorOrClose) => {
        const code = closeCodeOf(errorOrClose);
        return code === null || !AUTH_CLOSE_CODES.has(code);
      },
      on: {
        connecting: (isRetry) => {
          if (current() && isRetry) this.reconnecting.set(true);
        },
        connected: (_socket, _payload, wasRetry) => {
          if (!current()) return;
          this.reconnecting.set(false);
          if (wasRetry) this.reconnectedSubject.next();
        },
        closed: (event) => {
          if (!current()) return;
          const code = closeCodeOf(event);
          if (code === 4401) this.session.end(SESSION_ENDED);
          else if (code === 4403) this.session.end(ACCESS_REVOKED);
          // A normal close (disposed): nothing is waiting for the socket.
          else if (code === 1000) this.reconnecting.set(false);
        },
      },
    });
  }
}

function closeCodeOf(value: unknown): number | null {
  if (typeof value === 'object' && value !== null && 'code' in value) {
    const code = (value as { code: unknown }).code;
    return typeof code === 'number' ? code : null;
  }
  return null;
}
