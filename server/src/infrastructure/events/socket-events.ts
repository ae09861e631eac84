import { z } from 'zod';
import { defineEvent } from './event.js';

const socketSchema = z.object({
  /** Unique per connection and instance. */
  socketId: z.string(),
  /** The instance holding the connection (INSTANCE_ID). */
  instanceId: z.string(),
  /** The signed-in user, or null for an API key. */
  userId: z.string().nullable(),
  apiKeyId: z.string().nullable(),
  role: z.enum(['ADMIN', 'SUPERVISOR', 'AGENT']),
  at: z.iso.datetime(),
});
export type SocketEvent = z.infer<typeof socketSchema>;

/**
 * A graphql-ws connection was accepted. Published by the transport, so presence (routing) can
 * follow agents' connections without knowing how they authenticated.
 */
export const SocketConnected = defineEvent<SocketEvent>({
  name: 'socket.connected',
  description: 'A graphql-ws connection was authenticated and accepted.',
  schema: socketSchema,
});

/** An accepted graphql-ws connection closed, for whatever reason (client left, token expired, revoked). */
export const SocketClosed = defineEvent<SocketEvent>({
  name: 'socket.closed',
  description: 'An accepted graphql-ws connection closed.',
  schema: socketSchema,
});
