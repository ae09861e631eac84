import { describe, expect, it, vi } from 'vitest';
import { requestLoader } from './request-loader.js';

describe('requestLoader', () => {
  it('loads the keys of one context in one call and answers each caller', async () => {
    const load = vi.fn(async (keys: string[]) => new Map(keys.map((k) => [k, k.toUpperCase()])));
    const get = requestLoader(load, () => '?');
    const context = {};
    const answers = await Promise.all([get(context, 'a'), get(context, 'b'), get(context, 'a')]);
    expect(answers).toEqual(['A', 'B', 'A']);
    expect(load).toHaveBeenCalledTimes(1);
    expect(load).toHaveBeenCalledWith(['a', 'b']);
  });

  it('keeps contexts apart, caches nothing and gives the fallback for a missing key', async () => {
    const load = vi.fn(
      async (keys: string[]) => new Map(keys.filter((k) => k !== 'gone').map((k) => [k, 1])),
    );
    const get = requestLoader(load, () => 0);
    const one = {};
    expect(await Promise.all([get(one, 'x'), get({}, 'x'), get(one, 'gone')])).toEqual([1, 1, 0]);
    expect(await get(one, 'x')).toBe(1);
    expect(load).toHaveBeenCalledTimes(3);
  });

  it('rejects every caller of a failed batch', async () => {
    const get = requestLoader<string, number>(
      () => Promise.reject(new Error('down')),
      () => 0,
    );
    const context = {};
    await expect(Promise.all([get(context, 'a'), get(context, 'b')])).rejects.toThrow('down');
  });
});
