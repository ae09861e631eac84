import { describe, expect, it } from 'vitest';
import { classifyGraphError, graphErrorReason } from './graph-errors.js';

describe('classifyGraphError', () => {
  it.each([
    [190, 463, 'token'],
    [190, null, 'token'],
    [10, null, 'permission'],
    [200, null, 'permission'],
    [230, 0, 'permission'],
    [299, null, 'permission'],
    [10, 2018278, 'window'],
    [10, 2018065, 'window'],
    [551, 1545041, 'unavailable'],
    [4, null, 'rate-limit'],
    [17, null, 'rate-limit'],
    [32, null, 'rate-limit'],
    [613, null, 'rate-limit'],
    [80001, null, 'rate-limit'],
    [1, null, 'temporary'],
    [2, null, 'temporary'],
    [1200, null, 'temporary'],
    [100, 2018001, 'bad-request'],
    [300, null, 'bad-request'],
    [12345, null, 'bad-request'],
  ] as const)('code %s subcode %s is %s', (code, subcode, kind) => {
    expect(classifyGraphError({ code, subcode, httpStatus: 400 })).toBe(kind);
  });

  it('is temporary when no Facebook error came back: network, timeout, 5xx', () => {
    expect(classifyGraphError({ code: null, httpStatus: 0 })).toBe('temporary');
    expect(classifyGraphError({ code: null, httpStatus: 502 })).toBe('temporary');
    expect(classifyGraphError({ code: null })).toBe('temporary');
    expect(classifyGraphError({ code: null, httpStatus: 404 })).toBe('bad-request');
  });

  it('decides by the code even when the HTTP status says otherwise', () => {
    expect(classifyGraphError({ code: 190, httpStatus: 500 })).toBe('token');
  });
});

describe('graphErrorReason', () => {
  it('says what happened, with the codes', () => {
    expect(graphErrorReason({ code: 190, subcode: 463 })).toBe(
      'the page token has expired (Facebook error 190/463)',
    );
    expect(graphErrorReason({ code: 190, subcode: 460 })).toBe(
      'the password of the account was changed (Facebook error 190/460)',
    );
    expect(graphErrorReason({ code: 200 }, '(#200) Requires pages_messaging')).toBe(
      'a permission Parley needs is missing or was revoked (Facebook error 200): (#200) Requires pages_messaging',
    );
    expect(graphErrorReason({ code: 10, subcode: 2018278 })).toMatch(/24-hour window/);
    expect(graphErrorReason({ code: 551 })).toMatch(/isn't available/);
    expect(graphErrorReason({ code: 613 })).toMatch(/limiting/);
    expect(graphErrorReason({ code: null, httpStatus: 0 }, 'timed out')).toBe(
      'Facebook could not be reached: timed out',
    );
    expect(graphErrorReason({ code: 100 }, 'bad id')).toBe(
      'Facebook refused the request (Facebook error 100): bad id',
    );
  });
});
