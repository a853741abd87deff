/** Where the WhatsApp server is and which Web build wad announces to it. */
import { parseWebVersion } from '../../protocol/pairing/version.js';
import { bad, nullable, object, ok, refine, str } from '../checks.js';
import { DAY, ms } from '../values.js';

export interface ServerConfig {
  readonly wsUrl: string;
  /** WhatsApp's certificate root key, 64 hex characters (32 bytes). */
  readonly rootPublicKey: string;
  /** Absolute path of a PEM CA for the media host (the simulator's), or null for the system CAs. */
  readonly mediaCaPath: string | null;
  /** The WhatsApp Web build to announce ("2.3000.<build>"), or null for the one wad was released with; a newer published one replaces it. */
  readonly webVersion: string | null;
  /** Where WhatsApp publishes its current Web build (its service worker script), fetched daily and after a 405; null: never fetch. */
  readonly webVersionUrl: string | null;
  /** How often the published build is fetched. */
  readonly webVersionRefreshMs: number;
}

const wsUrl = refine(str({ nonEmpty: true }), (v) => {
  try {
    const u = new URL(v);
    return u.protocol === 'ws:' || u.protocol === 'wss:' ? ok(v) : bad('a ws:// or wss:// URL');
  } catch {
    return bad('a ws:// or wss:// URL');
  }
});

const webVersion = refine(str({ nonEmpty: true }), (v) => (parseWebVersion(v) ? ok(v) : bad('a Web build "2.3000.<build>"')));

const httpUrl = refine(str({ nonEmpty: true }), (v) => {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:' ? ok(v) : bad('an http:// or https:// URL');
  } catch {
    return bad('an http:// or https:// URL');
  }
});

const hexKey = refine(str(), (v) => (/^[0-9a-fA-F]{64}$/.test(v) ? ok(v.toLowerCase()) : bad('64 hex characters (a 32-byte key)')));

export const serverSchema = object({
  wsUrl,
  rootPublicKey: hexKey,
  mediaCaPath: nullable(str({ nonEmpty: true })),
  webVersion: nullable(webVersion),
  webVersionUrl: nullable(httpUrl),
  webVersionRefreshMs: ms(60_000, 30 * DAY),
});
