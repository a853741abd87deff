/**
 * `wad demo`: the embedded default (CONTRACTS.md §1). Placeholder until the
 * daemon and messaging land end to end.
 */
export async function runDemo(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write('usage: wad demo\n\nStarts a simulator and a daemon in temporary dirs, links two accounts through simulated phones,\nexchanges messages, prints what happens, exits 0.\n');
    return 0;
  }
  process.stderr.write('wad demo: not available in this build yet\n');
  return 1;
}
