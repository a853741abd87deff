/**
 * Signal 1:1 state: session records and trusted identity keys, keyed by the
 * canonical address (`ses/<server>/<user>/<device>`, `idk/…`). Records are
 * opaque bytes: the Signal layer owns their format (src/protocol/signal), the
 * store only keeps them whole. All devices of a user are one key range, so
 * "every session of this contact" is one scan (device lists, LID migration).
 */
import { key, prefixOf, prefixRange, tailText } from '../keys.js';
import { copyBytes, type ReadContext, type WriteContext } from '../context.js';
import { addressParts, unsafeSignalAddress, type SignalAddress, type UserRef } from './address.js';

export const SESSIONS = 'ses';
export const IDENTITIES = 'idk';

export function sessionKey(ns: Uint8Array, a: SignalAddress): Uint8Array {
  return key(ns, SESSIONS, ...addressParts(a));
}

export function identityKey(ns: Uint8Array, a: SignalAddress): Uint8Array {
  return key(ns, IDENTITIES, ...addressParts(a));
}

/** Every stored record of one family for one user: [address, bytes] in device order of the keys. */
export async function userRecords(
  ctx: ReadContext,
  family: string,
  user: UserRef,
): Promise<Array<[SignalAddress, Uint8Array]>> {
  const prefix = prefixOf(ctx.ns, family, user.server, user.user);
  const out: Array<[SignalAddress, Uint8Array]> = [];
  for await (const [k, v] of ctx.scan(prefixRange(prefix))) {
    out.push([unsafeSignalAddress(user.user, user.server, Number(tailText(k, prefix))), copyBytes(v)]);
  }
  return out;
}

export class SessionReader {
  constructor(readonly ctx: ReadContext) {}

  async get(a: SignalAddress): Promise<Uint8Array | undefined> {
    const v = await this.ctx.get(sessionKey(this.ctx.ns, a));
    return v && copyBytes(v);
  }

  async getMany(addresses: readonly SignalAddress[]): Promise<(Uint8Array | undefined)[]> {
    const values = await this.ctx.getMany(addresses.map((a) => sessionKey(this.ctx.ns, a)));
    return values.map((v) => v && copyBytes(v));
  }

  /** Sessions with every device of a user. */
  ofUser(user: UserRef): Promise<Array<[SignalAddress, Uint8Array]>> {
    return userRecords(this.ctx, SESSIONS, user);
  }
}

export class SessionWriter {
  constructor(readonly tx: WriteContext) {}

  put(a: SignalAddress, record: Uint8Array): void {
    this.tx.put(sessionKey(this.tx.ns, a), record);
  }

  delete(a: SignalAddress): void {
    this.tx.del(sessionKey(this.tx.ns, a));
  }
}

export class IdentityReader {
  constructor(readonly ctx: ReadContext) {}

  async get(a: SignalAddress): Promise<Uint8Array | undefined> {
    const v = await this.ctx.get(identityKey(this.ctx.ns, a));
    return v && copyBytes(v);
  }

  async getMany(addresses: readonly SignalAddress[]): Promise<(Uint8Array | undefined)[]> {
    const values = await this.ctx.getMany(addresses.map((a) => identityKey(this.ctx.ns, a)));
    return values.map((v) => v && copyBytes(v));
  }
}

export class IdentityWriter {
  constructor(readonly tx: WriteContext) {}

  /** The peer's public identity key as trusted (raw 32 bytes or 33 with the 0x05 type byte). */
  put(a: SignalAddress, publicKey: Uint8Array): void {
    this.tx.put(identityKey(this.tx.ns, a), publicKey);
  }

  delete(a: SignalAddress): void {
    this.tx.del(identityKey(this.tx.ns, a));
  }
}
