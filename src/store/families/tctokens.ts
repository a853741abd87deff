/**
 * Trusted-contact (privacy) tokens per contact (`tct/<server>/<user>`). A 1:1
 * send to a first contact without a valid token fails with error 463 (field
 * lesson 4), so tokens are kept with their expiry and read with the clock.
 */
import { encodeRecord } from '../codec/value.js';
import { Fields } from '../codec/fields.js';
import { key } from '../keys.js';
import type { ReadContext, WriteContext } from '../context.js';
import { parseSignalJid } from './address.js';

export const TCTOKENS = 'tct';
const FORMAT = 1;

export interface TcToken {
  readonly token: Uint8Array;
  /** The token's timestamp as the server gave it (seconds). */
  readonly timestamp: number;
  /** When we stop attaching it (ms); undefined: no known expiry. */
  readonly expiresAt?: number | undefined;
}

function tcKey(ns: Uint8Array, jid: string): Uint8Array {
  const u = parseSignalJid(jid);
  return key(ns, TCTOKENS, u.server, u.user);
}

export class TcTokenReader {
  constructor(readonly ctx: ReadContext) {}

  async get(jid: string): Promise<TcToken | undefined> {
    const k = tcKey(this.ctx.ns, jid);
    const v = await this.ctx.get(k);
    if (!v) return undefined;
    return this.ctx.decodeOrSkip(k, () => {
      const f = Fields.of('tctoken', v, FORMAT);
      return { token: f.bytes('token'), timestamp: f.int('timestamp'), expiresAt: f.optInt('expiresAt') };
    });
  }

  /** The token if it has not expired at `nowMs`. */
  async getValid(jid: string, nowMs: number): Promise<TcToken | undefined> {
    const t = await this.get(jid);
    return t && (t.expiresAt === undefined || t.expiresAt > nowMs) ? t : undefined;
  }
}

export class TcTokenWriter {
  constructor(readonly tx: WriteContext) {}

  put(jid: string, t: TcToken): void {
    this.tx.put(tcKey(this.tx.ns, jid), encodeRecord(FORMAT, { token: t.token, timestamp: t.timestamp, expiresAt: t.expiresAt }));
  }

  delete(jid: string): void {
    this.tx.del(tcKey(this.tx.ns, jid));
  }
}
