import { Module } from '@nestjs/common';
import { PresenceResolver } from './presence.resolver.js';
import { SocketPresenceService } from './socket-presence.service.js';

/**
 * Agents' presence and, next, the queue, offers and strategies (docs/routing.md). Presence is
 * stored with the user (members owns the row); routing decides when it changes by itself.
 */
@Module({
  providers: [PresenceResolver, SocketPresenceService],
})
export class RoutingModule {}
