import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Pure tests that share their worker's modules (see `isolate` below): every
 * protocol test but the Signal ones, which spy on console and Date.now.
 */
const SHARED_MODULES = ['test/protocol/*.test.ts', 'test/protocol/!(signal)/**/*.test.ts'];

export default defineConfig({
  test: {
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
    projects: [
      {
        extends: true,
        test: {
          name: 'protocol',
          include: SHARED_MODULES,
          // src/protocol has no I/O, timers or clocks, and these files mock nothing: they
          // share one module graph per worker instead of each evaluating src/protocol (and
          // the generated protobuf code) again. test/protocol alone: 103 CPU-s instead of 177.
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'wad',
          include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...SHARED_MODULES],
          // Compiles src/ once for the tests that run `wad` or a daemon as a child process.
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
  },
});
