/**
 * Device lists per user (`dev/<server>/<user>`): which devices a contact has,
 * as USync or a device notification last said, with the time we learned it
 * so stale lists can be refreshed.
 */
import { encodeRecord } from '../codec/value.js';
import { Fields } from '../codec/fields.js';
import { StoreError } from '../errors.js';
import { key } from '../keys.js';
import type { ReadContext, WriteContext } from '../context.js';
import { parseSignalJid } from './address.js';

export const DEVICES = 'dev';
const FORMAT = 1;

export interface DeviceEntry {
  readonly id: number;
  /** ADV key index, when the list came with one. */
  readonly keyIndex?: number | undefined;
}

export interface DeviceList {
  readonly devices: readonly DeviceEntry[];
  /** When we learned it (ms). */
  readonly updatedAt: number;
}

function deviceListKey(ns: Uint8Array, userJid: string): Uint8Array {
  const u = parseSignalJid(userJid);
  return key(ns, DEVICES, u.server, u.user);
}

function decode(bytes: Uint8Array): DeviceList {
  const f = Fields.of('deviceList', bytes, FORMAT);
  const devices = f.list('devices').map((d) => {
    const e = Fields.from('deviceList.devices[]', d);
    return { id: e.int('id'), keyIndex: e.optInt('keyIndex') };
  });
  return { devices, updatedAt: f.int('updatedAt') };
}

export class DeviceReader {
  constructor(readonly ctx: ReadContext) {}

  /** @throws StoreError BAD_KEY when `userJid` is not a user JID */
  async get(userJid: string): Promise<DeviceList | undefined> {
    return (await this.getMany([userJid]))[0];
  }

  /** A damaged list reads as unknown (it is fetched again). */
  async getMany(userJids: readonly string[]): Promise<(DeviceList | undefined)[]> {
    const keys = userJids.map((j) => deviceListKey(this.ctx.ns, j));
    const values = await this.ctx.getMany(keys);
    return values.map((v, i) => v && this.ctx.decodeOrSkip(keys[i]!, () => decode(v)));
  }
}

export class DeviceWriter {
  constructor(readonly tx: WriteContext) {}

  put(userJid: string, list: DeviceList): void {
    for (const d of list.devices) {
      if (!Number.isInteger(d.id) || d.id < 0) throw new StoreError('BAD_VALUE', `bad device id ${d.id}`);
    }
    this.tx.put(
      deviceListKey(this.tx.ns, userJid),
      encodeRecord(FORMAT, { devices: list.devices.map((d) => ({ id: d.id, keyIndex: d.keyIndex })), updatedAt: list.updatedAt }),
    );
  }

  delete(userJid: string): void {
    this.tx.del(deviceListKey(this.tx.ns, userJid));
  }
}
