import type { NextFunction, Request, Response } from 'express';

/** Meta's largest batches stay well below this; anything bigger is refused with 413. */
export const WEBHOOK_BODY_LIMIT = 1024 * 1024;

/**
 * Reads the webhook's body as raw bytes, up to `limit` (413 beyond), before Nest's JSON parser
 * (whose limit is 100 kB): the signature is checked over exactly these bytes (`req.rawBody`).
 * `req.body` gets the parsed JSON, or undefined when it is not JSON (the signature decides first).
 */
export function webhookBody(limit = WEBHOOK_BODY_LIMIT) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'POST') return next();
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      res.status(413).json({ code: 'PAYLOAD_TOO_LARGE', message: `The body is over ${limit} bytes` });
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > limit) {
        refused = true;
        res.status(413).json({ code: 'PAYLOAD_TOO_LARGE', message: `The body is over ${limit} bytes` });
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (refused) return;
      const raw = Buffer.concat(chunks);
      (req as Request & { rawBody?: Buffer }).rawBody = raw;
      try {
        req.body = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
      } catch {
        req.body = undefined;
      }
      next();
    });
    req.on('error', next);
  };
}
