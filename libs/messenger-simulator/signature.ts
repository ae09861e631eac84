import { createHmac } from 'node:crypto';

/**
 * JSON as Meta sends webhook bodies: every non-ASCII UTF-16 unit as a lowercase `\uXXXX` escape and
 * `/` as `\/`. Parley must verify the signature over these exact bytes; re-serialising the parsed
 * JSON gives different bytes, which is what the tests check.
 */
export function metaJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/\//g, '\\/');
}

/** Both headers Meta sends; the sha256 one is authoritative, sha1 is legacy. */
export function signatureHeaders(body: Buffer, appSecret: string): Record<string, string> {
  return {
    'X-Hub-Signature-256': `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`,
    'X-Hub-Signature': `sha1=${createHmac('sha1', appSecret).update(body).digest('hex')}`,
  };
}
