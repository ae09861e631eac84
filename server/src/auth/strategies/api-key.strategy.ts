import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-custom';
import { ApiKeysService } from '../api-keys.service.js';

/** `X-Api-Key: <key>` on HTTP, for third-party tools. */
@Injectable()
export class ApiKeyStrategy extends PassportStrategy(Strategy, 'api-key') {
  constructor(private readonly apiKeys: ApiKeysService) {
    super();
  }

  validate(req: Request) {
    const key = req.headers['x-api-key'];
    return typeof key === 'string' ? this.apiKeys.authenticate(key) : null;
  }
}
