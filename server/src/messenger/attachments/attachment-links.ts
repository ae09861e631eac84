import { Injectable } from '@nestjs/common';
import { hmac, SecretBox, sameSecret } from '../../infrastructure/crypto/secret-box.js';

/** How long a link handed to a reader works. Long enough for a conversation to stay open on screen. */
export const ATTACHMENT_LINK_TTL_SECONDS = 12 * 3600;

/**
 * Links to stored attachments. Browsers fetch images with no Authorization header, so the link
 * itself is the permission: it is signed (HMAC with a key derived from ENCRYPTION_KEY), names one
 * stored file, and expires. It is handed out only by the API, to callers who may read the message.
 */
@Injectable()
export class AttachmentLinks {
  private readonly key: Buffer;

  constructor(box: SecretBox) {
    this.key = box.derivedKey('attachment-links');
  }

  /** `/attachments/<key>?name=…&type=…&expires=…&sig=…` (relative to PUBLIC_URL). */
  link(
    stored: { key: string; contentType: string; name?: string | null },
    now = Date.now(),
    ttlSeconds = ATTACHMENT_LINK_TTL_SECONDS,
  ): string {
    const params = new URLSearchParams({
      type: stored.contentType,
      ...(stored.name ? { name: stored.name } : {}),
      expires: String(Math.floor(now / 1000) + ttlSeconds),
    });
    params.set('sig', hmac(this.key, `${stored.key}?${params.toString()}`));
    return `/attachments/${stored.key}?${params.toString()}`;
  }

  /** What a link grants, or why it does not: the signature covers the key, type, name and expiry. */
  verify(
    key: string,
    query: Record<string, unknown>,
    now = Date.now(),
  ): { contentType: string; name: string | null } | 'forged' | 'expired' {
    const text = (name: string) => (typeof query[name] === 'string' ? (query[name] as string) : undefined);
    const [type, name, expires, sig] = [text('type'), text('name'), text('expires'), text('sig')];
    if (!type || !expires || !sig) return 'forged';
    const params = new URLSearchParams({ type, ...(name ? { name } : {}), expires });
    if (!sameSecret(sig, hmac(this.key, `${key}?${params.toString()}`))) return 'forged';
    if (Number(expires) * 1000 < now) return 'expired';
    return { contentType: type, name: name ?? null };
  }
}
