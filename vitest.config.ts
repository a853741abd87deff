import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // End-to-end suites start servers and worker pools; 2-core CI machines need headroom.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
