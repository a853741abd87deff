/**
 * How a test starts `wad` as a child process: Node's arguments for this
 * checkout's CLI, compiled once per run by the global setup, or through tsx
 * when that compile did not happen.
 */
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';

/** src/cli/main.ts: the source the compiled CLI comes from. */
export const WAD_SOURCE_MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/** Node's arguments that run `wad <args>` (to put after process.execPath). */
export function wadArgs(...args: string[]): string[] {
  const compiled = inject('wadCompiledMain');
  return compiled ? [compiled, ...args] : ['--import', 'tsx', WAD_SOURCE_MAIN, ...args];
}
