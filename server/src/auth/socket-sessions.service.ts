import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ApiKeyChanged, UserSessionsEnded } from '../events/catalogue.js';
import { EventBus } from '../infrastructure/events/event-bus.service.js';
import { CLOSE_FORBIDDEN, OpenSockets } from '../infrastructure/graphql/open-sockets.service.js';

/**
 * Closes the open sockets of a credential that lost its rights (a revoked API key, a deactivated
 * user, a reset password) on every instance: each instance hears the event and closes its own.
 */
@Injectable()
export class SocketSessions implements OnModuleInit {
  private readonly logger = new Logger('Sockets');

  constructor(
    private readonly bus: EventBus,
    private readonly sockets: OpenSockets,
  ) {}

  async onModuleInit() {
    await this.bus.subscribe(UserSessionsEnded, undefined, ({ userId, reason }) =>
      this.close((p) => p.kind === 'user' && p.userId === userId, reason),
    );
    await this.bus.subscribe(ApiKeyChanged, undefined, ({ apiKeyId, revoked }) => {
      if (revoked) this.close((p) => p.kind === 'apiKey' && p.apiKeyId === apiKeyId, 'API key revoked');
    });
  }

  private close(matches: Parameters<OpenSockets['closeWhere']>[0], reason: string) {
    const closed = this.sockets.closeWhere(matches, CLOSE_FORBIDDEN, `Forbidden: ${reason}`);
    if (closed) this.logger.debug(`Closed ${closed} socket(s): ${reason}`);
  }
}
