import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-custom';
import { AuthService } from '../auth.service.js';

/** `X-Api-Key: <key>` on HTTP, for third-party tools. */
@Injectable()
export class ApiKeyStrategy extends PassportStrategy(Strategy, 'api-key') {
  constructor(private readonly auth: AuthService) {
    super();
  }

  validate(req: Request) {
    const key = req.headers['x-api-key'];
    return typeof key === 'string' ? this.auth.principalFromApiKey(key) : null;
  }
}
