import { describe, expect, it } from 'vitest';
import { passwordProblem } from './passwords.js';

const ana = { username: 'agent.ana', displayName: 'Ana Agent' };

describe('passwordProblem', () => {
  it.each(['velvet-otter-93', 'quiet-meadow-compass', 'correct horse battery staple', 'cleo-new-secret-2'])(
    'accepts %j',
    async (password) => {
      expect(await passwordProblem(password, ana)).toBeNull();
    },
  );

  it.each(['password-123', 'Password1!', 'qwertyuiop', 'iloveyou2', '12345678'])(
    'refuses the common password %j, saying why',
    async (password) => {
      expect(await passwordProblem(password, ana)).toMatch(/^is too easy to guess\. \S/);
    },
  );

  it('passes on zxcvbn’s warning and suggestion', async () => {
    expect(await passwordProblem('password-123', ana)).toBe(
      'is too easy to guess. This is similar to a commonly used password. Add more words that are less common.',
    );
  });

  it.each(['agent.ana', 'AGENT.ANA', 'agent.ana-2024!', 'ｍｙ-agent.ana-pass'])(
    'refuses %j, which contains the username',
    async (password) => {
      expect(await passwordProblem(password, ana)).toBe('must not contain the username');
    },
  );

  it.each(['Ana.Agent-2024', 'agent-password', 'AnaAgent1984'])(
    'refuses %j, built from the names',
    async (password) => {
      expect(await passwordProblem(password, ana)).toMatch(
        /^(must not be built from the username or display name|is too easy to guess\. )/,
      );
    },
  );

  it('refuses passwords outside the length limits', async () => {
    expect(await passwordProblem('a-b-c', ana)).toBe('must be 8 to 200 characters');
    expect(await passwordProblem('x'.repeat(201), ana)).toBe('must be 8 to 200 characters');
  });
});
