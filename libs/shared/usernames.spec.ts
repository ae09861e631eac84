import { describe, expect, it } from 'vitest';
import { normalizeUsername } from './usernames.js';

describe('normalizeUsername', () => {
  it.each([
    ['name', 'name'],
    ['Name', 'name'],
    ['NAME', 'name'],
    ['name ', 'name'],
    ['  name\t', 'name'],
    ['ｎａｍｅ', 'name'],
    ['Ｎａｍｅ', 'name'],
    ['name\u00A0', 'name'],
    ['name\u3000', 'name'],
    ['na\u200Bme', 'name'],
    ['\uFEFFname', 'name'],
    ['na\u00ADme', 'name'],
    ['ﬁle', 'file'],
    ['agent.Ana_2', 'agent.ana_2'],
  ])('%j is %j', (raw, expected) => {
    expect(normalizeUsername(raw)).toBe(expected);
  });

  it('folds inner whitespace to one space rather than joining the words', () => {
    expect(normalizeUsername('ana\u00A0\u00A0 agent')).toBe('ana agent');
  });

  it('is idempotent', () => {
    for (const raw of ['Ｎａｍｅ ', 'İstanbul', 'ß.user', 'agent.ana']) {
      expect(normalizeUsername(normalizeUsername(raw))).toBe(normalizeUsername(raw));
    }
  });
});
