// A small seeded random source, so routing decisions (RANDOM, WRANDOM), their tests and benchmarks can
// be replayed exactly. Not for anything secret: it is predictable by design.

/**
 * Mulberry32: a 32-bit seeded generator returning numbers in [0, 1), like `Math.random`. The same seed
 * gives the same sequence on every platform (only 32-bit integer arithmetic is used).
 */
export function mulberry32(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
