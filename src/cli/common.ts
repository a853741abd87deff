/**
 * What every daemon-facing command shares: --socket,
 * --data-dir, --json, --help; argument parsing with one-line errors; turning
 * WadClientError into a message a person can act on; exit codes (0 ok, 1
 * failed, 2 bad usage). Owns no command.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { WadClient, WadClientError } from '../client/index.js';
import { defaultSocketPath } from '../client/paths.js';
import { HttpLink } from './http-link.js';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const COMMON = {
  socket: { type: 'string' },
  url: { type: 'string' },
  token: { type: 'string' },
  'data-dir': { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options'];

export const COMMON_HELP = `  --socket PATH    the daemon's socket (default: $WAD_SOCKET, else <data-dir>/wad.sock)
  --url URL        a daemon's HTTP API instead (http://host:port; default: $WAD_URL)
  --token TOKEN    its bearer token (default: $WAD_TOKEN)
  --data-dir DIR   the daemon's data directory (default: $WAD_DATA_DIR, else ~/.local/share/wad)
  --json           machine output: one JSON object per line
  -h, --help       this text`;

type Options = NonNullable<ParseArgsConfig['options']>;

type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: typeof COMMON & O; allowPositionals: true; strict: true }>>;

/** util.parseArgs with the common flags; its errors become one-line UsageErrors. */
export function parse<O extends Options>(argv: readonly string[], options: O): Parsed<O> {
  try {
    return parseArgs({ args: [...argv], options: { ...COMMON, ...options }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0]!.replace(/^Unknown option '([^']+)'.*/, "unknown option '$1'"));
  }
}

export function socketOf(values: { socket?: string | undefined; 'data-dir'?: string | undefined }): string {
  return values.socket ?? defaultSocketPath(process.env, values['data-dir']);
}

/** What a command talks to: the control socket, or a daemon's HTTP API. */
export type DaemonLink = WadClient | HttpLink;

type LinkValues = { socket?: string | undefined; 'data-dir'?: string | undefined; url?: string | undefined; token?: string | undefined };

/** Connects without reconnecting (a command is short: a lost daemon is an error); over HTTP with --url or $WAD_URL. */
export async function connect(values: LinkValues): Promise<DaemonLink> {
  const url = values.url ?? (values.socket === undefined ? process.env['WAD_URL'] : undefined);
  if (url !== undefined) {
    if (!/^https?:\/\//.test(url)) throw new UsageError(`--url must be an http:// or https:// URL (got '${url}')`);
    return new HttpLink(url, values.token ?? process.env['WAD_TOKEN']);
  }
  return WadClient.connect({ socket: socketOf(values), reconnect: false });
}

/** One line for stderr. */
export function explain(err: unknown, context: { account?: string } = {}): string {
  if (err instanceof UsageError) return err.message;
  if (err instanceof WadClientError) {
    if (err.code === 'NOT_FOUND' && context.account !== undefined && /account/i.test(err.message)) {
      return `unknown account '${context.account}' (see \`wad account list\`)`;
    }
    if (err.code === 'RATE_LIMITED' && err.retryAfter !== undefined) return `${err.message} (retry in ${Math.ceil(err.retryAfter / 1000)} s)`;
    if (err.code === 'UNAVAILABLE' && context.account !== undefined && !/daemon/.test(err.message)) return `account '${context.account}' is not online: ${err.message}`;
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

/** Runs a command body, printing its failure as `wad <cmd>: <message>` and returning the exit code. */
export async function run(cmd: string, body: () => Promise<number>, context: { account?: string } = {}): Promise<number> {
  try {
    return await body();
  } catch (err) {
    process.stderr.write(`wad ${cmd}: ${explain(err, context)}\n`);
    return err instanceof UsageError ? 2 : 1;
  }
}

/** Writes one JSON object as a line. */
export function jsonLine(obj: unknown): void {
  process.stdout.write(JSON.stringify(obj) + '\n');
}
