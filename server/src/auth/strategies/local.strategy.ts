import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-local';
import { AuthService } from '../auth.service.js';

/** Username and password sign-in (the `login` mutation). */
@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy, 'local') {
  constructor(private readonly auth: AuthService) {
    super({ passReqToCallback: true });
  }

  validate(req: Request, username: string, password: string) {
    return this.auth.verifyPassword(username, password, req.ip ?? req.socket?.remoteAddress ?? 'unknown');
  }
}
