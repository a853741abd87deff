/**
 * The WhatsApp Web build the simulator publishes and the oldest it still
 * lets log in. WhatsApp publishes its current build in the service worker
 * script (`https://web.whatsapp.com/sw.js`, a JSON blob with
 * `\"client_revision\":N` inside a `JSON.parse("…")`) and refuses a
 * ClientPayload whose appVersion is a retired build with `<failure
 * reason="405"/>`. Both are served the same way here; the admin API moves
 * them (`POST /version`). Pure state and formatting, no I/O.
 */
import { SimError } from './errors.js';

export type WebVersion = readonly [number, number, number];

/** What a fresh simulator publishes; a client at least this new logs in. */
export const DEFAULT_SIM_WEB_VERSION: WebVersion = [2, 3000, 1043857760];

export class WebVersionPolicy {
  #latest: WebVersion = DEFAULT_SIM_WEB_VERSION;
  /** Below this a login is refused with 405; undefined: every build logs in. */
  #minimum: WebVersion | undefined;
  /** Fetches of the published build (GET /sw.js), for tests that want to see the refresh happen. */
  fetches = 0;

  get latest(): WebVersion {
    return this.#latest;
  }

  get minimum(): WebVersion | undefined {
    return this.#minimum;
  }

  /** Moves the published build and/or the minimum. A minimum above the published build is refused: no client could log in. @throws SimError BAD_REQUEST */
  set(next: { latest?: WebVersion | undefined; minimum?: WebVersion | null | undefined }): void {
    const latest = next.latest ?? this.#latest;
    const minimum = next.minimum === undefined ? this.#minimum : (next.minimum ?? undefined);
    if (minimum && compareVersions(minimum, latest) > 0) throw new SimError('BAD_REQUEST', `minimum ${minimum.join('.')} is above the published ${latest.join('.')}`);
    this.#latest = latest;
    this.#minimum = minimum;
  }

  /** True when a client announcing `version` must be refused (405). An absent version is refused once a minimum is set. */
  refuses(version: WebVersion | undefined): boolean {
    if (!this.#minimum) return false;
    return !version || compareVersions(version, this.#minimum) < 0;
  }

  /** The service worker script as WhatsApp serves it: the revision sits, escaped, inside a JSON string. */
  serviceWorker(): string {
    const data = JSON.stringify({ dynamic_data: { SiteData: { server_revision: this.#latest[2], client_revision: this.#latest[2] } } });
    return `/*sim*/self.__swData=JSON.parse(/*BTDS*/${JSON.stringify(data)});importScripts("/sw-main.js");\n`;
  }

  toJSON(): { latest: string; minimum: string | null; fetches: number } {
    return { latest: this.#latest.join('.'), minimum: this.#minimum ? this.#minimum.join('.') : null, fetches: this.fetches };
  }
}

export function compareVersions(a: WebVersion, b: WebVersion): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
}

/** "2.3000.1043857760" → [2, 3000, 1043857760]. @throws SimError BAD_REQUEST */
export function parseWebVersion(v: unknown, what: string): WebVersion {
  const m = typeof v === 'string' ? /^([0-9]{1,4})\.([0-9]{1,6})\.([0-9]{1,10})$/.exec(v) : null;
  if (!m) throw new SimError('BAD_REQUEST', `${what} must be a version "2.3000.<build>"`);
  const out = [Number(m[1]), Number(m[2]), Number(m[3])] as const;
  if (out.some((n) => n > 0xffffffff)) throw new SimError('BAD_REQUEST', `${what} does not fit a uint32 per part`);
  return out;
}
