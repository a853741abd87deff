/**
 * Where a daemon and its clients meet by default: the data dir (XDG) and the
 * control socket inside it, or `$WAD_SOCKET`. The daemon's config and
 * WadClient follow the same rules, so both live here.
 */
import { isAbsolute, join } from 'node:path';

export function defaultDataDir(env: Readonly<Record<string, string | undefined>>, home: string): string {
  const xdg = env['XDG_DATA_HOME'];
  return join(xdg && isAbsolute(xdg) ? xdg : join(home, '.local', 'share'), 'wad');
}
