import { Injectable } from '@nestjs/common';
import type { Principal } from '../access/access.js';

/** graphql-ws close codes: no valid credentials, and credentials that lost their rights. */
export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_FORBIDDEN = 4403;

export interface ClosableSocket {
  close(code: number, reason: string): void;
}

/**
 * This instance's open graphql-ws connections and who opened them, so that a module that learns a
 * credential lost its rights (auth, from the event bus) can close that credential's sockets here.
 */
@Injectable()
export class OpenSockets {
  private readonly open = new Map<ClosableSocket, Principal>();

  add(socket: ClosableSocket, principal: Principal) {
    this.open.set(socket, principal);
  }

  remove(socket: ClosableSocket) {
    this.open.delete(socket);
  }

  /** Closes every socket whose principal matches; returns how many. */
  closeWhere(matches: (principal: Principal) => boolean, code: number, reason: string): number {
    let closed = 0;
    for (const [socket, principal] of this.open) {
      if (!matches(principal)) continue;
      socket.close(code, reason);
      this.open.delete(socket);
      closed++;
    }
    return closed;
  }

  get size(): number {
    return this.open.size;
  }
}
