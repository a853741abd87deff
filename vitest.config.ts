import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // Compiles src/ once for the tests that run `wad` or a daemon as a child process.
    globalSetup: ['test/support/global-setup.ts'],
    // End-to-end suites start servers and worker pools; 2-core CI machines need headroom.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // vitest's default is one fork per core minus one: a single fork on 2 cores, which
    // leaves a core idle while an end-to-end file waits on its simulator, its daemons'
    // sockets and its child processes (one fork kept about 0.7 of a core busy). Two forks
    // ran a sample of end-to-end, CLI and crypto files in 61 s instead of 109 s.
    // VITEST_MAX_WORKERS (or --maxWorkers) still overrides it.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
