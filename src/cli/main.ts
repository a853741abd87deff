/**
 * The `wad` command line. Commands join as their issues deliver them.
 */
import { runSim } from './sim.js';

const VERSION = '0.1.0';

function usage(): string {
  return [
    `wad ${VERSION} — a WhatsApp multi-device daemon`,
    '',
    'usage: wad <command> [options]',
    '',
    'commands available in this build:',
    '  sim         run the WhatsApp server simulator (wad sim --help)',
    '  --help      this text',
    '  --version   the version',
  ].join('\n');
}

const args = process.argv.slice(2);
if (args.length === 0 || args[0] === '--help' || args[0] === 'help') {
  process.stdout.write(usage() + '\n');
} else if (args[0] === '--version') {
  process.stdout.write(VERSION + '\n');
} else if (args[0] === 'sim') {
  process.exitCode = await runSim(args.slice(1));
} else {
  process.stderr.write(`wad: unknown command '${args[0]}' (see wad --help)\n`);
  process.exitCode = 2;
}
