import type { LoggerService } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pino, type DestinationStream, type Logger } from 'pino';
import { redactUrl } from './redact-url.js';

/** Paths pino blanks wherever they appear, so a secret never reaches a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'password',
  '*.password',
  'accessToken',
  '*.accessToken',
  'key',
  '*.key',
  'token',
  '*.token',
  'connectionParams',
  '*.connectionParams',
];

/** Logs JSON lines to stdout, or to `destination` (tests read what would have been logged). */
export function createRootLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'parley', pid: process.pid },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}

type Next = (error?: unknown) => void;

/**
 * HTTP access log: one line per request when its answer is sent, with a request id (taken from
 * `X-Request-Id` when the caller sends a sane one, echoed in the answer) and the URL redacted.
 * Written for the hot path instead of pino-http, which built a child logger and serialised the
 * whole request for every call.
 */
export function createHttpLogger(logger: Logger) {
  return (req: IncomingMessage, res: ServerResponse, next: Next) => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', id);
    // Health probes every few seconds would drown the log.
    if (!req.url?.startsWith('/health') && logger.isLevelEnabled('info')) {
      const started = performance.now();
      // Read now: routers mounted on a path rewrite req.url on the way down.
      const url = req.url ?? '/';
      res.once('finish', () => {
        const fields = {
          req: { id, method: req.method, url: redactUrl(url) },
          res: { statusCode: res.statusCode },
          responseTime: Math.round(performance.now() - started),
        };
        if (res.statusCode >= 500) logger.error(fields, 'request errored');
        else logger.info(fields, 'request completed');
      });
    }
    next();
  };
}

/** Nest's logger interface on top of pino, so framework and app logs share one JSON stream. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
  fatal(message: unknown, context?: string) {
    this.logger.fatal({ context }, String(message));
  }
}
