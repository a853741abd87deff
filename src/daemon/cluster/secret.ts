/**
 * The cluster's shared secret, as daemons present it to each other
 * (`Authorization: Bearer <secret>` on a forwarded request) and check it:
 * both sides' digests compared with timingSafeEqual, so neither the time
 * taken nor the secret's length tells a guesser how close it came. Owns that
 * check; must not touch sockets.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
const BEARER = /^Bearer[ ]+(\S{1,4096})\s*$/i;

export class ClusterSecret {
  readonly #digest: Buffer;
  readonly #header: string;

  constructor(secret: string) {
    if (secret.length === 0) throw new Error('the cluster secret is empty');
    this.#digest = digest(secret);
    this.#header = `Bearer ${secret}`;
  }

  /** The Authorization header a daemon sends with a forwarded request. */
  get header(): string {
    return this.#header;
  }

  /** Whether an Authorization header carries the secret. */
  accepts(header: string | undefined): boolean {
    const m = header === undefined ? null : BEARER.exec(header);
    // A missing or malformed header is still compared (against a digest of nothing): refusals all take the same time.
    const presented = digest(m ? m[1]! : '');
    return timingSafeEqual(presented, this.#digest) && m !== null;
  }
}
