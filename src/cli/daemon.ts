/**
 * `wad daemon [--config FILE] [--data-dir DIR]`: runs the daemon in the
 * foreground. When ready it prints exactly one JSON line on
 * stdout, `{"event":"ready","socket":"<path>","pid":<n>}` (and `"listen":
 * "<host>:<port>"` with a TCP listener); logs (pino) go to
 * stderr; SIGTERM/SIGINT stop it gracefully within 10 s.
 */
import { loadConfig, type ConfigOverride } from '../config/index.js';
import { applyHeapGrowth, createDaemon, type Daemon } from '../daemon/index.js';
import { daemonLogger } from '../daemon/logger.js';

const USAGE = `usage: wad daemon [--config FILE] [--data-dir DIR] [--log-format auto|json|pretty]

Runs the daemon in the foreground. When ready it prints one JSON line:
{"event":"ready","socket":"<path>","pid":<n>}. Logs go to stderr: readable
lines on a terminal (coloured unless NO_COLOR is set), JSON lines otherwise;
--log-format (or log.format, WAD_LOG_FORMAT) chooses.
Stop with SIGTERM or SIGINT (graceful, within 10 s).`;

const LOG_FORMATS = ['auto', 'json', 'pretty'];

const STOP_DEADLINE_MS = 10_000;

interface DaemonArgs {
  config?: string;
  dataDir?: string;
  logFormat?: string;
  help: boolean;
}

/** @throws Error with a one-line message for bad arguments */
export function parseDaemonArgs(argv: readonly string[]): DaemonArgs {
  const out: DaemonArgs = { help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      const v = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (v === undefined || v === '') throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--help' || flag === '-h') out.help = true;
    else if (flag === '--config') out.config = value();
    else if (flag === '--data-dir') out.dataDir = value();
    else if (flag === '--log-format') {
      out.logFormat = value();
      if (!LOG_FORMATS.includes(out.logFormat)) throw new Error(`--log-format must be one of ${LOG_FORMATS.join(', ')}`);
    }
    else throw new Error(`unknown option ${arg} (see wad daemon --help)`);
  }
  return out;
}

export async function runDaemon(argv: readonly string[]): Promise<number> {
  let args: DaemonArgs;
  try {
    args = parseDaemonArgs(argv);
  } catch (err) {
    process.stderr.write(`wad daemon: ${(err as Error).message}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  let daemon: Daemon;
  try {
    const overrides: ConfigOverride[] = args.dataDir !== undefined ? [{ key: 'dataDir', value: args.dataDir, source: '--data-dir' }] : [];
    if (args.logFormat !== undefined) overrides.push({ key: 'log.format', value: args.logFormat, source: '--log-format' });
    const config = loadConfig({ configPath: args.config, overrides });
    applyHeapGrowth(config.memory.heapGrowthPercent);
    const logger = daemonLogger(config.log);
    daemon = await createDaemon(config, { logger });
  } catch (err) {
    process.stderr.write(`wad daemon: cannot start: ${oneLine(err)}\n`);
    return 1;
  }
  const tcp = daemon.ipc?.tcp;
  const http = daemon.http?.address;
  // With a TCP listener on port 0, the line is the only place that says which port it got.
  process.stdout.write(
    JSON.stringify({ event: 'ready', socket: daemon.socketPath, pid: process.pid, ...(tcp ? { listen: `${tcp.host}:${tcp.port}` } : {}), ...(http ? { http: `${http.host}:${http.port}` } : {}) }) + '\n',
  );
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      daemon.logger.info({ signal }, 'stopping');
      const force = setTimeout(() => {
        process.stderr.write(`wad daemon: did not stop within ${STOP_DEADLINE_MS / 1000} s\n`);
        resolve(1);
      }, STOP_DEADLINE_MS - 500);
      force.unref();
      daemon.stop().then(
        () => {
          clearTimeout(force);
          resolve(0);
        },
        (err: unknown) => {
          clearTimeout(force);
          process.stderr.write(`wad daemon: error while stopping: ${oneLine(err)}\n`);
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

function oneLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}
