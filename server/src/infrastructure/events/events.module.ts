import { Global, Module } from '@nestjs/common';
import { AfterCommitEffects, Transactions } from './after-commit.js';
import { EventBus } from './event-bus.service.js';

/** The event bus and the transaction helper that publishes after commit; available everywhere. */
@Global()
@Module({
  providers: [EventBus, AfterCommitEffects, Transactions],
  exports: [EventBus, Transactions],
})
export class EventsModule {}
