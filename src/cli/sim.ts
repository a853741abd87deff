/**
 * `wad sim [--host 127.0.0.1] [--port 0] [--data-dir DIR]`: runs the WhatsApp
 * server simulator in the foreground. Prints exactly one JSON line on stdout
 * when ready, logs to stderr, stops cleanly on SIGTERM/SIGINT.
 */
import { startSim, type SimHandle } from '../sim/index.js';

const USAGE = `usage: wad sim [--host 127.0.0.1] [--port 0] [--data-dir DIR] [--print-env] [--verbose]

Runs the WhatsApp server simulator in the foreground. When ready it prints one
JSON line: {"event":"ready","wsUrl","adminUrl","mediaUrl","mediaCaPath","rootPublicKey"}.
The admin API is served on adminUrl. Stop with SIGTERM or SIGINT.

  --print-env      print instead the shell lines that point a daemon at it
                   (export WAD_SERVER_WS_URL=… and the others), e.g.
                   wad sim --print-env > sim.env, then: . ./sim.env && wad daemon`;

interface SimArgs {
  host: string;
  port: number;
  dataDir?: string;
  verbose: boolean;
  printEnv: boolean;
  help: boolean;
}

/** @throws Error with a one-line message for bad arguments */
export function parseSimArgs(argv: string[]): SimArgs {
  const out: SimArgs = { host: '127.0.0.1', port: 0, verbose: false, printEnv: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--help':
      case '-h':
        out.help = true;
        break;
      case '--host':
        out.host = value();
        break;
      case '--port': {
        const v = value();
        const port = Number(v);
        if (!/^[0-9]+$/.test(v) || port > 65_535) throw new Error(`--port must be 0-65535, not ${v}`);
        out.port = port;
        break;
      }
      case '--data-dir':
        out.dataDir = value();
        break;
      case '--verbose':
        out.verbose = true;
        break;
      case '--print-env':
        out.printEnv = true;
        break;
      default:
        throw new Error(`unknown option ${arg} (see wad sim --help)`);
    }
  }
  return out;
}

export async function runSim(argv: string[]): Promise<number> {
  let args: SimArgs;
  try {
    args = parseSimArgs(argv);
  } catch (err) {
    process.stderr.write(`wad sim: ${(err as Error).message}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  let sim: SimHandle;
  try {
    sim = await startSim({
      host: args.host,
      port: args.port,
      ...(args.dataDir !== undefined ? { dataDir: args.dataDir } : {}),
      ...(args.verbose ? { log: (line: string) => process.stderr.write(`wad sim: ${line}\n`) } : {}),
    });
  } catch (err) {
    process.stderr.write(`wad sim: cannot start: ${(err as Error).message}\n`);
    return 1;
  }
  const { wsUrl, adminUrl, mediaUrl, mediaCaPath, rootPublicKey } = sim;
  process.stdout.write(
    args.printEnv ? simEnvLines({ wsUrl, adminUrl, mediaCaPath, rootPublicKey }) : JSON.stringify({ event: 'ready', wsUrl, adminUrl, mediaUrl, mediaCaPath, rootPublicKey }) + '\n',
  );
  process.stderr.write(`wad sim: listening on ${adminUrl} (pid ${process.pid})\n`);
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`wad sim: ${signal}, stopping\n`);
      const force = setTimeout(() => resolve(1), 10_000);
      force.unref();
      sim.close().then(
        () => {
          clearTimeout(force);
          resolve(0);
        },
        (err: unknown) => {
          process.stderr.write(`wad sim: error while stopping: ${(err as Error).message}\n`);
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

/**
 * The environment that points a daemon at this simulator, as shell lines:
 * the three values a newcomer would otherwise copy from the ready line by
 * hand, and where the simulator publishes its Web build (else the daemon
 * would ask WhatsApp's site for it).
 */
export function simEnvLines(sim: { wsUrl: string; adminUrl: string; mediaCaPath: string; rootPublicKey: string }): string {
  const quote = (v: string): string => `'${v.replace(/'/g, `'\\''`)}'`;
  return [
    `export WAD_SERVER_WS_URL=${quote(sim.wsUrl)}`,
    `export WAD_SERVER_ROOT_KEY=${quote(sim.rootPublicKey)}`,
    `export WAD_SERVER_MEDIA_CA=${quote(sim.mediaCaPath)}`,
    `export WAD_SERVER_WEB_VERSION_URL=${quote(`${sim.adminUrl}/sw.js`)}`,
    `# the simulator's admin API: ${sim.adminUrl}`,
    '',
  ].join('\n');
}
