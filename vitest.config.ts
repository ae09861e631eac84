import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// SWC instead of esbuild: NestJS dependency injection needs emitted decorator metadata.
export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: {
    alias: [
      { find: '@parley/libs', replacement: fileURLToPath(new URL('./libs', import.meta.url)) },
      // Node loads graphql's CommonJS entry for Nest and Apollo; Vite would pick its .mjs build for
      // our files, and two copies of graphql refuse each other's schemas.
      { find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') },
    ],
  },
  test: {
    include: ['libs/**/*.spec.ts', 'server/src/**/*.spec.ts', 'test/**/*.spec.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
