import type { IncomingMessage } from 'node:http';
import type { HttpAdapterHost } from '@nestjs/core';

/**
 * The client address of a graphql-ws connection, read from its HTTP upgrade request exactly as
 * Express's `req.ip` reads an HTTP request's: through the app's `trust proxy` setting (TRUST_PROXY),
 * so a sign-in over the socket is rate-limited against the same address as one over HTTP.
 */
export function upgradeClientAddress(http: HttpAdapterHost, request: IncomingMessage | undefined): string {
  if (!request) return 'unknown';
  const express = http.httpAdapter?.getInstance<{ request?: object }>();
  if (express?.request) {
    // Express's own `ip` getter on a view of the upgrade request (it needs only headers and socket).
    const view = Object.create(express.request, {
      headers: { value: request.headers },
      socket: { value: request.socket },
      connection: { value: request.socket },
    }) as { ip?: string };
    if (view.ip) return view.ip;
  }
  return request.socket.remoteAddress ?? 'unknown';
}
