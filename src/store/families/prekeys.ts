/**
 * One-time prekeys (`pk/<u32 id>`) and their use marks (`pku/<u32 id>` → u64
 * ms). A prekey is not deleted when a pkmsg consumes it: the peer may resend
 * the same pkmsg (a retry, a lost ack), and it must still decrypt (field
 * lesson 1). It is marked used and purged after a grace period.
 */
import { encodeRecord } from '../codec/value.js';
import { Fields } from '../codec/fields.js';
import { key, prefixOf, prefixRange, readU32, readU64, u32, u64 } from '../keys.js';
import type { ReadContext, WriteContext } from '../context.js';
import type { KeyPair } from '../records/creds.js';

export const PREKEYS = 'pk';
export const PREKEY_USED = 'pku';
const FORMAT = 1;

export interface StoredPreKey {
  readonly keyId: number;
  readonly keyPair: KeyPair;
  /** When a pkmsg consumed it (ms); undefined while unused. */
  readonly usedAt: number | undefined;
}

function preKeyKey(ns: Uint8Array, id: number): Uint8Array {
  return key(ns, PREKEYS, u32(id));
}

function usedKey(ns: Uint8Array, id: number): Uint8Array {
  return key(ns, PREKEY_USED, u32(id));
}

export class PreKeyReader {
  constructor(readonly ctx: ReadContext) {}

  async get(id: number): Promise<StoredPreKey | undefined> {
    return (await this.getMany([id]))[0];
  }

  async getMany(ids: readonly number[]): Promise<(StoredPreKey | undefined)[]> {
    const ns = this.ctx.ns;
    const values = await this.ctx.getManyOnce(ids.flatMap((id) => [preKeyKey(ns, id), usedKey(ns, id)]));
    // A damaged prekey reads as unknown: the pkmsg that names it fails, and our retry receipt carries a fresh one.
    return ids.map((keyId, i) => {
      const record = values[2 * i];
      if (!record) return undefined;
      return this.ctx.decodeOrSkip(preKeyKey(ns, keyId), () => {
        const f = Fields.of('preKey', record, FORMAT);
        const used = values[2 * i + 1];
        return { keyId, keyPair: { public: f.bytes('public', 32), private: f.bytes('private', 32) }, usedAt: used && readU64(used, 0) };
      });
    });
  }

  /**
   * The public halves of the prekeys in `ids` that are stored (the check of
   * the server's copy of our bundle at each login needs no more): one read
   * per prekey instead of two, as no use mark is read.
   */
  async publicKeys(ids: readonly number[]): Promise<Map<number, Uint8Array>> {
    const ns = this.ctx.ns;
    const values = await this.ctx.getManyOnce(ids.map((id) => preKeyKey(ns, id)));
    const found = new Map<number, Uint8Array>();
    ids.forEach((keyId, i) => {
      const record = values[i];
      const pub = record && this.ctx.decodeOrSkip(preKeyKey(ns, keyId), () => Fields.of('preKey', record, FORMAT).bytes('public', 32));
      if (pub) found.set(keyId, pub);
    });
    return found;
  }
}

export class PreKeyWriter {
  constructor(readonly tx: WriteContext) {}

  put(preKeys: Iterable<{ readonly keyId: number; readonly keyPair: KeyPair }>): void {
    for (const p of preKeys) {
      this.tx.put(preKeyKey(this.tx.ns, p.keyId), encodeRecord(FORMAT, { public: p.keyPair.public, private: p.keyPair.private }));
    }
  }

  /** Keeps the key for retransmitted pkmsgs; purgeUsed removes it after the grace period. */
  markUsed(id: number, atMs: number): void {
    this.tx.put(usedKey(this.tx.ns, id), u64(atMs));
  }

  delete(id: number): void {
    this.tx.del(preKeyKey(this.tx.ns, id));
    this.tx.del(usedKey(this.tx.ns, id));
  }
}

/** Queues deletion of prekeys used before `usedBeforeMs`. Returns how many. */
export async function stagePreKeyPurge(ctx: ReadContext, tx: WriteContext, usedBeforeMs: number): Promise<number> {
  const prefix = prefixOf(ctx.ns, PREKEY_USED);
  const writer = new PreKeyWriter(tx);
  let purged = 0;
  for await (const [k, v] of ctx.scan(prefixRange(prefix))) {
    if (readU64(v, 0) < usedBeforeMs) {
      writer.delete(readU32(k, prefix.length));
      purged++;
    }
  }
  return purged;
}
