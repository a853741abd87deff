/**
 * The WhatsApp Web build a client announces in its ClientPayload
 * (`userAgent.appVersion`, and the md5 `buildHash` at registration), and how
 * the build WhatsApp currently publishes is read. WhatsApp refuses a retired
 * build at login with 405, so the build must follow what web.whatsapp.com
 * serves; the runtime fetches it and passes it in (this file does no I/O).
 *
 * Where it is published: the service worker script
 * `https://web.whatsapp.com/sw.js` (what Baileys' fetchLatestWaWebVersion
 * reads) carries `"client_revision":<build>` inside a JSON string, so its
 * quotes may be escaped (`\"client_revision\":<build>`); the parser takes
 * both. The major and minor parts are not published: Baileys uses 2.3000.
 */
export type WebVersion = readonly [number, number, number];

/** The build wad was last released with (Baileys 7's); a config or a fetched build replaces it. */
export const DEFAULT_WEB_VERSION: WebVersion = [2, 3000, 1043857760];

const PUBLISHED = /\\?"client_revision\\?":\s*(\d{1,10})/;

/**
 * The build published in a sw.js or web page body: `[2, 3000, client_revision]`,
 * or undefined when the body names none.
 */
export function publishedWebVersion(body: string): WebVersion | undefined {
  const m = PUBLISHED.exec(body);
  if (!m) return undefined;
  const revision = Number(m[1]);
  return Number.isSafeInteger(revision) && revision > 0 && revision <= 0xffffffff ? [2, 3000, revision] : undefined;
}

/** "2.3000.1043857760" → the version, or undefined when it is not three dot-separated uint32s. */
export function parseWebVersion(text: string): WebVersion | undefined {
  const m = /^([0-9]{1,10})\.([0-9]{1,10})\.([0-9]{1,10})$/.exec(text);
  if (!m) return undefined;
  const v = [Number(m[1]), Number(m[2]), Number(m[3])] as const;
  return v.every((n) => n <= 0xffffffff) ? v : undefined;
}

export function formatWebVersion(v: WebVersion): string {
  return v.join('.');
}

/** Negative when a is older than b, 0 when equal, positive when newer. */
export function compareWebVersions(a: WebVersion, b: WebVersion): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}
