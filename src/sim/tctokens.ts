/**
 * Trusted-contact (privacy) tokens, the server's half. A token says "the
 * issuer accepts 1:1 messages from the holder"; WhatsApp refuses a 1:1 send
 * that needs one and lacks it with ack error 463. Tokens are opaque to
 * clients, so the simulator makes them stateless: the timestamp and an HMAC
 * of (issuer, holder, timestamp) under a secret derived from the server's
 * own key, so they stay valid across a restart with --data-dir.
 *
 *   token bytes = 0x01 ‖ t (4 bytes, big endian, unix s) ‖ HMAC-SHA256(secret, "issuerLid>holderLid:t")[0..16)
 *
 * Which senders need a token is a per-user switch (an account WhatsApp
 * restricted may not start chats without one); it is kept in memory only.
 * Does not parse stanzas (iq/privacy.ts, router.ts do).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { tcTokenCutoff } from '../protocol/iq/privacy-tokens.js';
import type { UserRecord } from './state.js';

const VERSION = 1;
const MAC_BYTES = 16;
const TOKEN_BYTES = 1 + 4 + MAC_BYTES;
/** A token from a clock a little ahead of ours is still good; one from much later is forged. */
const FUTURE_SLACK_S = 86_400;

export class TcTokenAuthority {
  readonly #secret: Uint8Array;
  /** Users (phone numbers) whose 1:1 sends need a token from the recipient. */
  readonly #required = new Set<string>();

  constructor(secret: Uint8Array) {
    this.#secret = secret;
  }

  /** The token `holder` attaches to its 1:1 messages to `issuer`. */
  mint(issuer: UserRecord, holder: UserRecord, tSeconds: number): Uint8Array {
    const out = new Uint8Array(TOKEN_BYTES);
    out[0] = VERSION;
    new DataView(out.buffer).setUint32(1, tSeconds >>> 0);
    out.set(this.#mac(issuer, holder, tSeconds), 5);
    return out;
  }

  /** Whether `token` lets `holder` message `issuer` at `nowSeconds` (made by us for that pair, not expired). */
  valid(token: Uint8Array | undefined, issuer: UserRecord, holder: UserRecord, nowSeconds: number): boolean {
    if (!token || token.length !== TOKEN_BYTES || token[0] !== VERSION) return false;
    const t = new DataView(token.buffer, token.byteOffset, token.byteLength).getUint32(1);
    if (t < tcTokenCutoff(nowSeconds) || t > nowSeconds + FUTURE_SLACK_S) return false;
    return timingSafeEqual(token.subarray(5), this.#mac(issuer, holder, t));
  }

  setRequired(phone: string, required: boolean): void {
    if (required) this.#required.add(phone);
    else this.#required.delete(phone);
  }

  /** Whether `sender`'s 1:1 messages need a valid token of the recipient. */
  required(sender: UserRecord): boolean {
    return this.#required.has(sender.phone);
  }

  #mac(issuer: UserRecord, holder: UserRecord, t: number): Uint8Array {
    return createHmac('sha256', this.#secret).update(`${issuer.lidUser}>${holder.lidUser}:${t}`).digest().subarray(0, MAC_BYTES);
  }
}
