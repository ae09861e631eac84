import type { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { PASSWORD_MAX, PASSWORD_MIN } from './user-rules.js';
import { normalizeUsername } from './usernames.js';

/**
 * The lowest zxcvbn score a password may have: 3 means "safely unguessable", about 10^8 guesses or
 * more, which holds against online guessing and slows an offline attack on an argon2id hash to years.
 */
export const PASSWORD_MIN_SCORE = 3;

/** Who the password is for: their names are the first words an attacker tries. */
export interface PasswordOwner {
  username: string;
  displayName?: string;
}

/** Words of the product itself, guessed as readily as the user's own names. */
const PRODUCT_WORDS = ['parley', 'contact', 'center', 'messenger'];

let checker: Promise<ZxcvbnFactory> | undefined;

/**
 * zxcvbn with the common-password and English dictionaries, built once on first use (the
 * dictionaries take about a second to load and rank). Levenshtein matching stays off: it costs
 * about half a second of CPU per check, during which the server answers nobody.
 */
function strengthChecker(): Promise<ZxcvbnFactory> {
  checker ??= Promise.all([
    import('@zxcvbn-ts/core'),
    import('@zxcvbn-ts/language-common'),
    import('@zxcvbn-ts/language-en'),
  ]).then(
    ([core, common, en]) =>
      new core.ZxcvbnFactory({
        dictionary: { ...common.dictionary, ...en.dictionary },
        graphs: common.adjacencyGraphs,
        translations: en.translations,
      }),
  );
  return checker;
}

/** The names and their parts ("agent.ana" also as "agent" and "ana"), for zxcvbn's user inputs. */
function wordsOf(owner: PasswordOwner): string[] {
  const names = [owner.username, owner.displayName ?? ''].map((n) => n.trim().toLowerCase()).filter(Boolean);
  const parts = names.flatMap((n) => n.split(/[\s._-]+/u)).filter((p) => p.length >= 3);
  return [...new Set([...names, ...parts, ...PRODUCT_WORDS])];
}

/**
 * Why this password is refused, in words that follow the field name ("password: …"), or null when
 * it may be used. Refused: outside the length limits, containing the username (however cased or
 * typed), or scoring under PASSWORD_MIN_SCORE, which catches common passwords and ones built from
 * the user's names; zxcvbn's own warning and suggestions say what to change.
 */
export async function passwordProblem(password: string, owner: PasswordOwner): Promise<string | null> {
  if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) {
    return `must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters`;
  }
  const username = normalizeUsername(owner.username);
  if (username && normalizeUsername(password).includes(username)) {
    return 'must not contain the username';
  }
  const zxcvbn = await strengthChecker();
  const words = wordsOf(owner);
  const result = zxcvbn.check(password, words);
  if (result.score >= PASSWORD_MIN_SCORE) {
    // "Ana.Agent-2024" for agent.ana scores well only thanks to the names: what is left without
    // them must be strong by itself.
    const lower = password.toLowerCase();
    const rest = words.reduce((text, word) => text.split(word).join(' '), lower).trim();
    if (rest === lower.trim() || zxcvbn.check(rest, words).score >= PASSWORD_MIN_SCORE) return null;
    return 'must not be built from the username or display name';
  }
  const advice = [result.feedback.warning, ...result.feedback.suggestions]
    .filter((text): text is string => Boolean(text))
    .join(' ');
  return `is too easy to guess. ${advice || 'Use a longer passphrase of several uncommon words.'}`;
}
