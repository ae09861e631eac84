/**
 * A username is one identity however it is typed. The database compares usernames with a
 * case- and width-insensitive collation that also ignores trailing spaces, so "Name", "name ",
 * "ｎａｍｅ" (full-width) and "name\u00A0" (no-break space) all find the same row. Everything that
 * keys on a username (storage, sign-in lookup, the sign-in lockout) goes through this one function,
 * so no spelling escapes what the database would treat as the same name:
 *
 * 1. NFKC: compatibility forms become their plain letters (full-width, ligatures, no-break space).
 * 2. Invisible characters go: format and control characters (zero-width space, joiners, soft
 *    hyphen, BOM, direction marks), which the collation ignores too.
 * 3. Runs of whitespace fold to one space, and the ends are trimmed.
 * 4. Lowercase (locale-independent), then NFKC again in case lowercasing produced a decomposed form.
 *
 * Stored usernames are the normalised form (lowercase), so the console shows what sign-in compares.
 */
export function normalizeUsername(raw: string): string {
  return raw
    .normalize('NFKC')
    .replace(/[\p{Cf}\p{Cc}\p{Default_Ignorable_Code_Point}]/gu, (c) => (/\s/.test(c) ? ' ' : ''))
    .replace(/\s+/gu, ' ')
    .trim()
    .toLowerCase()
    .normalize('NFKC');
}
