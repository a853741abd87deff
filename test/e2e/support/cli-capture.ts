/**
 * Runs a `wad` command's entry function in this process, capturing what it
 * prints: a child process costs seconds of start-up per command, and the
 * command's own code (argument parsing, output, exit code) is what these
 * tests check.
 */
export interface CliResult {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** `run(argv)` with stdout and stderr captured (and restored, also when it throws). */
export async function captureCli(run: (argv: string[]) => Promise<number>, argv: string[]): Promise<CliResult> {
  let out = '';
  let err = '';
  const write = { out: process.stdout.write, err: process.stderr.write };
  process.stdout.write = ((c: string) => ((out += c), true)) as typeof process.stdout.write;
  process.stderr.write = ((c: string) => ((err += c), true)) as typeof process.stderr.write;
  try {
    return { code: await run(argv), out, err };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
  }
}

/** A `wad` command against the daemon's control socket. */
export function runCli(run: (argv: string[]) => Promise<number>, socketPath: string, args: string[]): Promise<CliResult> {
  return captureCli(run, [...args, '--socket', socketPath]);
}
