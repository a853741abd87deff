/**
 * Where the daemon's socket is by default: `$WAD_SOCKET`,
 * else `<data-dir>/wad.sock` with the data dir from `$WAD_DATA_DIR` or the
 * XDG default, the same rules the daemon's config follows.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { defaultDataDir } from '../contract/paths.js';

export function defaultSocketPath(env: Readonly<Record<string, string | undefined>> = process.env, dataDir?: string): string {
  if (dataDir !== undefined) return join(dataDir, 'wad.sock');
  const sock = env['WAD_SOCKET'];
  if (sock) return sock;
  return join(env['WAD_DATA_DIR'] || defaultDataDir(env, homedir()), 'wad.sock');
}
