import { Injectable, inject, signal } from '@angular/core';
import { ApolloLink } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { type Client, createClient } from 'graphql-ws';
import { SessionStore } from '../auth/session.store';
import { ACCESS_REVOKED, SESSION_ENDED } from './errors';

/** Close codes with which the server refuses the credentials: never retried. */
const AUTH_CLOSE_CODES = new Set([4401, 4403]);
const MAX_RETRY_DELAY_MS = 30_000;

/**
 * Owns the graphql-ws client used for subscriptions. The socket is lazy (open while at least
 * one subscription is), reconnects with exponential backoff and jitter, and is replaced by a
 * fresh one on login and logout so a socket never outlives the credentials it was opened with.
 */
@Injectable({ providedIn: 'root' })
export class WsClientService {
  private readonly session = inject(SessionStore);
  private client: Client | null = null;
  private wsLink: GraphQLWsLink | null = null;

  /** True while the socket is lost and being re-opened: screens say live updates are paused. */
  readonly reconnecting = signal(false);

  /** The subscription link for Apollo; it always forwards to the current client. */
  readonly link = new ApolloLink((operation) => this.currentLink().request(operation));

  /** Closes the current socket; the next subscription opens a new one with the current token. */
  reset(): void {
    const client = this.client;
    this.client = null;
    this.wsLink = null;
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
    const client: Client = createClient({
      url: `${scheme}://${location.host}/graphql`,
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
          if (this.client === client && isRetry) this.reconnecting.set(true);
        },
        connected: () => {
          if (this.client === client) this.reconnecting.set(false);
        },
        closed: (event) => {
          if (this.client !== client) return;
          const code = closeCodeOf(event);
          if (code === 4401) this.session.end(SESSION_ENDED);
          else if (code === 4403) this.session.end(ACCESS_REVOKED);
          // A normal close: the last subscription ended, nothing is waiting for the socket.
          else if (code === 1000) this.reconnecting.set(false);
        },
      },
    });
    return client;
  }
}

function closeCodeOf(value: unknown): number | null {
  if (typeof value === 'object' && value !== null && 'code' in value) {
    const code = (value as { code: unknown }).code;
    return typeof code === 'number' ? code : null;
  }
  return null;
}
