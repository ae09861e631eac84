import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { GeneratedSecretName } from './config.js';

/**
 * Development secrets are generated once and kept in a git-ignored file, so sessions and
 * encrypted page tokens survive a restart of `npm start`.
 */
export function devSecretStore(file: string): (name: GeneratedSecretName) => string {
  let stored: Record<string, string> = {};
  try {
    stored = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch {
    stored = {};
  }
  return (name) => {
    if (!stored[name]) {
      stored[name] =
        name === 'ENCRYPTION_KEY' ? randomBytes(32).toString('hex') : randomBytes(32).toString('base64url');
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
    }
    return stored[name];
  };
}
