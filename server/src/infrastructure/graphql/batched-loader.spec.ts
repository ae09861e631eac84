import { describe, expect, it, vi } from 'vitest';
import { batchedLoader } from './batched-loader.js';

describe('batchedLoader', () => {
  it('loads the keys asked for in one turn in one call and answers each caller', async () => {
    const load = vi.fn(async (keys: string[]) => new Map(keys.map((k) => [k, k.toUpperCase()])));
    const get = batchedLoader(load, () => '?');
    const answers = await Promise.all([get('a'), get('b'), get('a')]);
    expect(answers).toEqual(['A', 'B', 'A']);
    expect(load).toHaveBeenCalledTimes(1);
    expect(load).toHaveBeenCalledWith(['a', 'b']);
  });

  it('caches nothing across turns and gives the fallback for a missing key', async () => {
    let version = 1;
    const load = vi.fn(
      async (keys: string[]) => new Map(keys.filter((k) => k !== 'gone').map((k) => [k, version])),
    );
    const get = batchedLoader(load, () => 0);
    expect(await Promise.all([get('x'), get('gone')])).toEqual([1, 0]);
    version = 2;
    expect(await get('x')).toBe(2);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('reads at most 500 keys per call', async () => {
    const load = vi.fn(async (keys: number[]) => new Map(keys.map((k) => [k, k])));
    const get = batchedLoader(load, () => -1);
    const keys = Array.from({ length: 1_200 }, (_, i) => i);
    expect(await Promise.all(keys.map(get))).toEqual(keys);
    expect(load.mock.calls.map(([batch]) => batch.length)).toEqual([500, 500, 200]);
  });

  it('rejects every caller of a failed batch', async () => {
    const get = batchedLoader<string, number>(
      () => Promise.reject(new Error('down')),
      () => 0,
    );
    await expect(Promise.all([get('a'), get('b')])).rejects.toThrow('down');
  });
});
