/**
 * Group (sender key) state: the sender-key record of each (sender device,
 * group), keyed `sk/<server>/<user>/<device>/<group>` so that all of one
 * sender's records are one range (they move together on PN→LID migration),
 * and which devices already hold our own sender key per group
 * (`skd/<group>`), so a group send distributes it only to the devices that
 * lack it. Records are opaque bytes (src/protocol/signal/group).
 */
import { encodeRecord } from '../codec/value.js';
import { Fields } from '../codec/fields.js';
import { StoreError } from '../errors.js';
import { key, prefixOf, prefixRange, tailText } from '../keys.js';
import { copyBytes, type ReadContext, type WriteContext } from '../context.js';
import { addressParts, type SignalAddress, type UserRef } from './address.js';

export const SENDER_KEYS = 'sk';
export const DISTRIBUTED = 'skd';
const DISTRIBUTED_FORMAT = 1;

export function senderKeyKey(ns: Uint8Array, group: string, sender: SignalAddress): Uint8Array {
  return key(ns, SENDER_KEYS, ...addressParts(sender), group);
}

function distributedKey(ns: Uint8Array, group: string): Uint8Array {
  return key(ns, DISTRIBUTED, group);
}

/** Every sender-key record of one sender's devices: [device, group, bytes]. */
export async function senderRecordsOfUser(ctx: ReadContext, user: UserRef): Promise<Array<[number, string, Uint8Array]>> {
  const prefix = prefixOf(ctx.ns, SENDER_KEYS, user.server, user.user);
  const out: Array<[number, string, Uint8Array]> = [];
  for await (const [k, v] of ctx.scan(prefixRange(prefix))) {
    const tail = tailText(k, prefix);
    const slash = tail.indexOf('/');
    out.push([Number(tail.slice(0, slash)), tail.slice(slash + 1), copyBytes(v)]);
  }
  return out;
}

export class SenderKeyReader {
  constructor(readonly ctx: ReadContext) {}

  async get(group: string, sender: SignalAddress): Promise<Uint8Array | undefined> {
    const v = await this.ctx.get(senderKeyKey(this.ctx.ns, group, sender));
    return v && copyBytes(v);
  }

  /** Device JIDs that hold our current sender key for `group`. */
  async distributedTo(group: string): Promise<Set<string>> {
    const v = await this.ctx.get(distributedKey(this.ctx.ns, group));
    if (!v) return new Set();
    const list = Fields.of('senderKeyDistribution', v, DISTRIBUTED_FORMAT).list('devices');
    return new Set(
      list.map((d) => {
        if (typeof d !== 'string') throw new StoreError('CORRUPT_RECORD', 'senderKeyDistribution.devices: expected strings');
        return d;
      }),
    );
  }
}

export class SenderKeyWriter {
  constructor(readonly tx: WriteContext) {}

  put(group: string, sender: SignalAddress, record: Uint8Array): void {
    this.tx.put(senderKeyKey(this.tx.ns, group, sender), record);
  }

  delete(group: string, sender: SignalAddress): void {
    this.tx.del(senderKeyKey(this.tx.ns, group, sender));
  }

  /** Replaces the set of devices holding our sender key (after a send that distributed it). */
  setDistributed(group: string, deviceJids: Iterable<string>): void {
    this.tx.put(distributedKey(this.tx.ns, group), encodeRecord(DISTRIBUTED_FORMAT, { devices: [...deviceJids] }));
  }

  /** Forget the distribution (our sender key was rotated: everyone needs the new one). */
  clearDistributed(group: string): void {
    this.tx.del(distributedKey(this.tx.ns, group));
  }
}
