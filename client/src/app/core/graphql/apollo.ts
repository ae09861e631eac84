import { type EnvironmentProviders, inject, makeEnvironmentProviders } from '@angular/core';
import { ApolloLink, InMemoryCache } from '@apollo/client';
import { ErrorLink } from '@apollo/client/link/error';
import { provideApollo } from 'apollo-angular';
import { OperationTypeNode } from 'graphql';
import { HttpLink } from 'apollo-angular/http';
import { SessionStore } from '../auth/session.store';
import { SESSION_ENDED, hasErrorCode } from './errors';
import { WsClientService } from './ws-client.service';

/**
 * Apollo for Parley: queries and mutations over HTTP POST /graphql, subscriptions over
 * graphql-ws on the same path; the bearer token on both; UNAUTHENTICATED ends the session.
 */
export function provideParleyApollo(): EnvironmentProviders {
  return makeEnvironmentProviders([
    provideApollo(() => {
      const session = inject(SessionStore);
      const ws = inject(WsClientService);
      const http = inject(HttpLink).create({ uri: '/graphql' });

      const auth = new ApolloLink((operation, forward) => {
        const token = session.token();
        if (token) {
          operation.setContext(({ headers }: { headers?: Record<string, string> }) => ({
            headers: { ...headers, Authorization: `Bearer ${token}` },
          }));
        }
        return forward(operation);
      });

      // A failed login is also UNAUTHENTICATED, but it is the login form's to report.
      const sessionEnded = new ErrorLink(({ error, operation }) => {
        if (operation.operationName !== 'Login' && hasErrorCode(error, 'UNAUTHENTICATED')) {
          session.end(SESSION_ENDED);
        }
      });

      const transport = ApolloLink.split(
        (operation) => operation.operationType === OperationTypeNode.SUBSCRIPTION,
        ws.link,
        http,
      );

      return {
        link: ApolloLink.from([sessionEnded, auth, transport]),
        cache: new InMemoryCache(),
      };
    }),
  ]);
}
