import { Global, Module } from '@nestjs/common';
import { OpenSockets } from './open-sockets.service.js';

/** In every role, so modules that close sockets need not know whether this process serves any. */
@Global()
@Module({ providers: [OpenSockets], exports: [OpenSockets] })
export class OpenSocketsModule {}
