import { defineConfig } from 'vitest/config';
import base from './vitest.config';

// Browser tests: Chromium against the real built client served by a real server.
// Spread, not mergeConfig: merging would concatenate the base's include/exclude lists.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/e2e/**/*.e2e.spec.ts'],
    exclude: ['node_modules/**'],
    testTimeout: 60_000,
  },
});
