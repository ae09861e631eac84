// The baseline of `npm run bench`: a bare NestJS (Express) app with one route that answers what
// `query { me { id role } }` answers, so Parley's GraphQL path is measured against the framework's
// own floor on the same box in the same run.
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

@Controller()
class BareController {
  @Get('bare')
  bare() {
    return { data: { me: { id: '00000000-0000-0000-0000-000000000000', role: 'ADMIN' } } };
  }
}

@Module({ controllers: [BareController] })
class BareModule {}

const app = await NestFactory.create(BareModule, { logger: false });
await app.listen(Number(process.env.PORT), '127.0.0.1');
