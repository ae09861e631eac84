import { Module } from '@nestjs/common';
import { MembersModule } from '../members/members.module.js';
import { DemoDataService } from './demo-data.service.js';

@Module({ imports: [MembersModule], providers: [DemoDataService] })
export class DemoModule {}
