/**
 * One-time prekeys per device, handed out one at a time (each key must be
 * used once: Baileys deletes it after the first pkmsg and a reused key gives
 * "Key used already or never filled"). Bounded per device; the directory
 * (state.ts) holds the rest of a device's bundle.
 */
import type { PreKeyBundle } from './phone-host.js';
import type { DeviceRecord } from './state.js';
import { b64, unb64 } from './state.js';

export interface OneTimePreKey {
  keyId: number;
  publicKey: Uint8Array;
}

export class PreKeyStore {
  readonly #keys = new Map<string, OneTimePreKey[]>();
  readonly #max: number;

  constructor(maxPerDevice: number) {
    this.#max = maxPerDevice;
  }

  /** Adds keys (replacing a key with the same id); keys past the bound are ignored. Returns how many were kept. */
  add(deviceJid: string, keys: readonly OneTimePreKey[]): number {
    const list = this.#keys.get(deviceJid) ?? [];
    const ids = new Set(list.map((k) => k.keyId));
    let kept = 0;
    for (const k of keys) {
      if (ids.has(k.keyId)) continue;
      if (list.length >= this.#max) break;
      list.push(k);
      ids.add(k.keyId);
      kept++;
    }
    this.#keys.set(deviceJid, list);
    return kept;
  }

  count(deviceJid: string): number {
    return this.#keys.get(deviceJid)?.length ?? 0;
  }

  /** The keys held for a device, in the order they are handed out. */
  held(deviceJid: string): readonly OneTimePreKey[] {
    return this.#keys.get(deviceJid) ?? [];
  }

  take(deviceJid: string): OneTimePreKey | undefined {
    return this.#keys.get(deviceJid)?.shift();
  }

  drop(deviceJid: string): void {
    this.#keys.delete(deviceJid);
  }

  /** The bundle of a device, popping one one-time prekey; undefined without identity or signed prekey. */
  bundle(device: DeviceRecord): PreKeyBundle | undefined {
    if (!device.identityKey || !device.signedPreKey || device.registrationId === undefined) return undefined;
    const bundle: PreKeyBundle = {
      registrationId: device.registrationId,
      identityKey: device.identityKey,
      signedPreKey: device.signedPreKey,
    };
    const pre = this.take(device.jid);
    if (pre) bundle.preKey = pre;
    return bundle;
  }

  snapshot(): Record<string, Array<[number, string]>> {
    const out: Record<string, Array<[number, string]>> = {};
    for (const [jid, list] of this.#keys) out[jid] = list.map((k) => [k.keyId, b64(k.publicKey)!]);
    return out;
  }

  restore(snap: Record<string, Array<[number, string]>>): void {
    for (const [jid, list] of Object.entries(snap)) {
      this.add(jid, list.map(([keyId, pub]) => ({ keyId, publicKey: unb64(pub) })));
    }
  }
}
