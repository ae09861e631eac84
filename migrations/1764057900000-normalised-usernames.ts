import type { MigrationInterface, QueryRunner } from 'typeorm';
import { normalizeUsername } from '@parley/libs/shared/usernames.js';

/**
 * Stores every username in its normalised form (see normalizeUsername), as new users are: sign-in
 * and the lockout compare normalised names. The unique index already kept names the collation
 * matches apart, so two users meeting in one name means a name only normalisation equates (a
 * ligature, say): that stops the migration, naming both, for an admin to rename one.
 */
export class NormalisedUsernames1764057900000 implements MigrationInterface {
  name = 'NormalisedUsernames1764057900000';

  async up(q: QueryRunner): Promise<void> {
    const rows: { id: string; username: string }[] = await q.query('SELECT id, username FROM users');
    const owner = new Map<string, string>();
    for (const row of rows) {
      const normalised = normalizeUsername(row.username);
      const other = owner.get(normalised);
      if (other !== undefined) {
        throw new Error(
          `Usernames "${other}" and "${row.username}" are the same name once normalised ("${normalised}"); rename one and migrate again`,
        );
      }
      owner.set(normalised, row.username);
    }
    for (const row of rows) {
      const normalised = normalizeUsername(row.username);
      // Byte comparison: the collation would call "Ana" and "ana" equal already.
      if (Buffer.from(normalised).equals(Buffer.from(row.username))) continue;
      await q.query('UPDATE users SET username = ? WHERE id = ?', [normalised, row.id]);
    }
  }

  async down(): Promise<void> {
    // The original spellings are not kept; normalised names work with the earlier code too.
  }
}
