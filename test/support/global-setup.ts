/**
 * Once per test run, before any test file: src/ compiled for the tests that
 * start `wad` or a daemon as a child process (see compiled-source.ts). If it
 * cannot be compiled those tests run the source through tsx instead, slower
 * but the same code.
 */
import type { TestProject } from 'vitest/node';
import { compileSource } from './compiled-source.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The compiled src/cli/main.ts, or '' when src/ could not be compiled. */
    wadCompiledMain: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const compiled = await compileSource().catch((err: unknown) => {
    process.stderr.write(`test setup: src/ not compiled (${err instanceof Error ? err.message : String(err)}): child processes run it through tsx\n`);
    return undefined;
  });
  project.provide('wadCompiledMain', compiled?.main ?? '');
  return async () => {
    await compiled?.remove();
  };
}
