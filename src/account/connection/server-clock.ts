/**
 * The server's clock as this connection last saw it: the offset from ours,
 * read from the `t` of `<success>` and `pair-success`. What the server
 * counts by (the unified session id) must come from its time, not a local
 * clock that may be minutes off. Zero offset until the server said a time.
 */
import type { BinaryNode } from '../../protocol/binary/index.js';
import { serverClockOffset, unifiedSessionStanza } from '../../protocol/stanza/unified-session.js';

export class ServerClock {
  readonly #localNow: () => number;
  #offsetMs = 0;

  constructor(localNow: () => number) {
    this.#localNow = localNow;
  }

  /** Takes the server's time from a stanza that carries `t` (unix seconds); others change nothing. */
  observe(stanza: BinaryNode): void {
    const offset = serverClockOffset(stanza.attrs.t, this.#localNow());
    if (offset !== undefined) this.#offsetMs = offset;
  }

  /** The server's time now, unix ms. */
  now(): number {
    return this.#localNow() + this.#offsetMs;
  }

  /** `<ib><unified_session id/></ib>` for this moment of the server's time. */
  unifiedSession(): BinaryNode {
    return unifiedSessionStanza(this.now());
  }
}
