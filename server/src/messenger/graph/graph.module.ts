import { Module } from '@nestjs/common';
import { GraphClient } from './graph.client.js';

/** The Graph API client, on its own so campaigns (and later the send job) can import it without cycles. */
@Module({ providers: [GraphClient], exports: [GraphClient] })
export class GraphModule {}
