import { describe, expect, it } from 'vitest';
import { acceptActivationMessage, describeActivationOutcome } from './facebook-activation.js';

const expected = { origin: 'https://parley.example', campaignId: 'c1' };
const good = {
  type: 'parley:facebook-activation',
  campaignId: 'c1',
  outcome: 'connected',
  message: 'Connected to Parley Demo Bakery',
  pageName: 'Parley Demo Bakery',
};

describe('acceptActivationMessage', () => {
  it('accepts the popup message for this campaign from Parley itself', () => {
    expect(acceptActivationMessage({ origin: expected.origin, data: good }, expected)).toEqual(good);
  });

  it('refuses a message from another origin', () => {
    expect(acceptActivationMessage({ origin: 'https://evil.example', data: good }, expected)).toBeNull();
  });

  it('ignores messages of another kind, another campaign, or malformed ones', () => {
    const at = (data: unknown) => acceptActivationMessage({ origin: expected.origin, data }, expected);
    expect(at('parley:facebook-activation')).toBeNull();
    expect(at(null)).toBeNull();
    expect(at({ ...good, type: 'webpack-ok' })).toBeNull();
    expect(at({ ...good, campaignId: 'c2' })).toBeNull();
    expect(at({ ...good, outcome: 'maybe' })).toBeNull();
  });

  it('keeps an outcome without words or page name, with empty words', () => {
    const data = { type: 'parley:facebook-activation', campaignId: 'c1', outcome: 'cancelled', message: 7 };
    expect(acceptActivationMessage({ origin: expected.origin, data }, expected)).toEqual({
      type: 'parley:facebook-activation',
      campaignId: 'c1',
      outcome: 'cancelled',
      message: '',
    });
  });
});

describe('describeActivationOutcome', () => {
  it("prefers the popup's own words, which name the declined permission", () => {
    expect(
      describeActivationOutcome({
        outcome: 'declined',
        message: ' You declined pages_messaging: Parley cannot reply. ',
      }),
    ).toBe('You declined pages_messaging: Parley cannot reply.');
  });

  it('has words of its own for every outcome', () => {
    expect(describeActivationOutcome({ outcome: 'connected', message: '', pageName: 'Bakery' })).toBe(
      'Connected to Bakery.',
    );
    for (const outcome of ['connected', 'declined', 'cancelled', 'no-pages', 'failed'] as const) {
      expect(describeActivationOutcome({ outcome, message: '' })).toMatch(/^[A-Z].+\.$/);
    }
  });
});
