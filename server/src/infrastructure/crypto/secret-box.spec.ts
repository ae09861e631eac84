import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox, sameSecret } from './secret-box.js';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('opens what it sealed, in the versioned format, with a fresh IV each time', () => {
    const sealed = box.seal('EAAB-page-token-é');
    expect(sealed).toMatch(/^v1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain('EAAB');
    expect(box.open(sealed)).toBe('EAAB-page-token-é');
    expect(box.seal('EAAB-page-token-é')).not.toBe(sealed);
  });

  it('refuses a tampered ciphertext, tag or IV', () => {
    const sealed = box.seal('secret');
    const parts = sealed.split(':');
    for (const index of [1, 2, 3]) {
      const bytes = Buffer.from(parts[index], 'base64url');
      bytes[0] ^= 1;
      const altered = [...parts];
      altered[index] = bytes.toString('base64url');
      expect(() => box.open(altered.join(':'))).toThrow(/altered|malformed/);
    }
  });

  it('refuses another key, another version and garbage', () => {
    const sealed = box.seal('secret');
    expect(() => new SecretBox(randomBytes(32)).open(sealed)).toThrow(/another key/);
    expect(() => box.open(sealed.replace(/^v1/, 'v2'))).toThrow(/not a v1/);
    expect(() => box.open('plain')).toThrow();
    expect(() => new SecretBox(randomBytes(16))).toThrow(/32 bytes/);
  });

  it('derives distinct keys per purpose', () => {
    expect(box.derivedKey('a').equals(box.derivedKey('a'))).toBe(true);
    expect(box.derivedKey('a').equals(box.derivedKey('b'))).toBe(false);
  });

  it('compares secrets of any length', () => {
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('abc', 'abd')).toBe(false);
    expect(sameSecret('abc', 'abcd')).toBe(false);
  });
});
