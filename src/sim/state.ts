/**
 * The simulator's directory of users and their devices: phone numbers, LIDs,
 * device ids, Noise keys, Signal identities, signed prekeys, ADV key indexes
 * and signed device identities. In memory and bounded (limits.ts); snapshot()
 * and restore() give persist.ts a JSON form.
 *
 * It does not hold one-time prekeys (prekeys.ts), queues (offline.ts), groups
 * (groups.ts) or sockets (hub.ts).
 */
import { sha256 } from '../protocol/crypto/index.js';
import { SimError } from './errors.js';
import type { SimLimits } from './limits.js';

export const PN_SERVER = 's.whatsapp.net';
export const LID_SERVER = 'lid';

export interface SignedPreKey {
  keyId: number;
  publicKey: Uint8Array;
  signature: Uint8Array;
}

export interface DeviceRecord {
  /** "phone@s.whatsapp.net" for device 0, "phone:N@s.whatsapp.net" otherwise. */
  jid: string;
  deviceId: number;
  /** The companion's Noise static key, checked at every login (absent for the phone). */
  noiseKey?: Uint8Array;
  identityKey?: Uint8Array;
  registrationId?: number;
  signedPreKey?: SignedPreKey;
  /** ADV key index (0 for the phone). */
  keyIndex: number;
  /** A short platform name for GET /devices: "Chrome", "Firefox", … or "phone". */
  platform: string;
  /** Unix ms. */
  linkedAt: number;
  /** ADVSignedDeviceIdentity as the companion returned it in pair-device-sign. */
  deviceIdentity?: Uint8Array;
}

export interface UserRecord {
  phone: string;
  name: string;
  /** "phone@s.whatsapp.net" */
  jid: string;
  /** The LID user part (digits) and its JID "lid@lid". */
  lidUser: string;
  lid: string;
  devices: Map<number, DeviceRecord>;
  /** The next ADV key index to hand out; only grows. */
  nextKeyIndex: number;
  /**
   * The user shows others only its LID (WhatsApp's phone number privacy): LID-addressed
   * stanzas and LID groups carry no PN of it to anyone but its own devices.
   */
  hidePhoneNumber?: boolean;
}

export function deviceJid(phone: string, deviceId: number, server = PN_SERVER): string {
  return deviceId === 0 ? `${phone}@${server}` : `${phone}:${deviceId}@${server}`;
}

/** Splits "user[:device]@server" strictly; undefined for anything else (agents, empty users). */
export function parseDeviceJid(jid: string): { user: string; device: number; server: string } | undefined {
  const m = /^([0-9]+)(?::([0-9]{1,3}))?@([a-z.]+)$/.exec(jid);
  if (!m) return undefined;
  return { user: m[1]!, device: m[2] === undefined ? 0 : Number(m[2]), server: m[3]! };
}

/** A stable 15-digit LID for a phone number (the same after a restart, without storage). */
export function lidFor(phone: string): string {
  const h = sha256(new TextEncoder().encode(`wad-sim-lid:${phone}`));
  let n = 0n;
  for (let i = 0; i < 8; i++) n = (n << 8n) | BigInt(h[i]!);
  return String(100_000_000_000_000n + (n % 899_999_999_999_999n));
}

export const PLATFORM_NAMES: Readonly<Record<number, string>> = Object.freeze({
  1: 'Chrome',
  2: 'Edge',
  3: 'Firefox',
  4: 'IE',
  5: 'Opera',
  6: 'Safari',
  7: 'Electron',
  8: 'UWP',
  9: 'Other',
});

export class Directory {
  readonly #users = new Map<string, UserRecord>();
  readonly #byLid = new Map<string, string>();
  readonly #limits: SimLimits;

  constructor(limits: SimLimits) {
    this.#limits = limits;
  }

  /** @throws SimError ALREADY_EXISTS, BAD_REQUEST, LIMIT */
  addUser(phone: string, name: string, now: number): UserRecord {
    if (!/^[1-9][0-9]{5,14}$/.test(phone)) throw new SimError('BAD_REQUEST', `phone must be 6-15 digits: ${phone}`);
    if (this.#users.has(phone)) throw new SimError('ALREADY_EXISTS', `user ${phone} exists`);
    if (this.#users.size >= this.#limits.maxUsers) throw new SimError('LIMIT', 'too many users');
    const lidUser = lidFor(phone);
    const user: UserRecord = {
      phone,
      name,
      jid: `${phone}@${PN_SERVER}`,
      lidUser,
      lid: `${lidUser}@${LID_SERVER}`,
      devices: new Map(),
      nextKeyIndex: 1,
    };
    user.devices.set(0, { jid: user.jid, deviceId: 0, keyIndex: 0, platform: 'phone', linkedAt: now });
    this.#users.set(phone, user);
    this.#byLid.set(lidUser, phone);
    return user;
  }

  /** Undoes addUser (a phone that failed to start). */
  removeUser(phone: string): void {
    const u = this.#users.get(phone);
    if (!u) return;
    this.#users.delete(phone);
    this.#byLid.delete(u.lidUser);
  }

  user(phone: string): UserRecord | undefined {
    return this.#users.get(phone);
  }

  users(): IterableIterator<UserRecord> {
    return this.#users.values();
  }

  /** The user of a PN or LID JID, with or without a device part. */
  userOf(jid: string): UserRecord | undefined {
    const p = parseDeviceJid(jid);
    if (!p) return undefined;
    if (p.server === PN_SERVER) return this.#users.get(p.user);
    if (p.server === LID_SERVER) {
      const phone = this.#byLid.get(p.user);
      return phone === undefined ? undefined : this.#users.get(phone);
    }
    return undefined;
  }

  device(jid: string): DeviceRecord | undefined {
    const p = parseDeviceJid(jid);
    if (!p) return undefined;
    return this.userOf(jid)?.devices.get(p.device);
  }

  /** The PN device jid ("phone[:N]@s.whatsapp.net") of a known device named in PN or LID form. */
  pnDevice(jid: string): string | undefined {
    return this.device(jid)?.jid;
  }

  /** The LID form ("lid[:N]@lid") of a known device named in PN or LID form. */
  lidDevice(jid: string): string | undefined {
    const p = parseDeviceJid(jid);
    const user = this.userOf(jid);
    return p && user?.devices.has(p.device) ? deviceJid(user.lidUser, p.device, LID_SERVER) : undefined;
  }

  /** Device jids of a user in PN form, the phone first. */
  deviceJids(user: UserRecord): string[] {
    return [...user.devices.keys()].sort((a, b) => a - b).map((d) => deviceJid(user.phone, d));
  }

  /**
   * Picks the lowest free companion id and the next key index.
   * @throws SimError LIMIT when the user has maxCompanions companions
   */
  allocateCompanion(user: UserRecord, reserved: ReadonlySet<number>): { deviceId: number; keyIndex: number } {
    for (let id = 1; id <= this.#limits.maxCompanions; id++) {
      if (!user.devices.has(id) && !reserved.has(id)) {
        return { deviceId: id, keyIndex: user.nextKeyIndex++ };
      }
    }
    throw new SimError('LIMIT', `user ${user.phone} has ${this.#limits.maxCompanions} companions`);
  }

  addDevice(user: UserRecord, device: DeviceRecord): void {
    user.devices.set(device.deviceId, device);
  }

  removeDevice(user: UserRecord, deviceId: number): DeviceRecord | undefined {
    if (deviceId === 0) return undefined;
    const d = user.devices.get(deviceId);
    user.devices.delete(deviceId);
    return d;
  }

  snapshot(): UserSnapshot[] {
    return [...this.#users.values()].map((u) => ({
      phone: u.phone,
      name: u.name,
      nextKeyIndex: u.nextKeyIndex,
      ...(u.hidePhoneNumber ? { hidePhoneNumber: true } : {}),
      devices: [...u.devices.values()].map((d) => ({
        deviceId: d.deviceId,
        keyIndex: d.keyIndex,
        platform: d.platform,
        linkedAt: d.linkedAt,
        noiseKey: b64(d.noiseKey),
        identityKey: b64(d.identityKey),
        registrationId: d.registrationId,
        signedPreKey: d.signedPreKey && {
          keyId: d.signedPreKey.keyId,
          publicKey: b64(d.signedPreKey.publicKey)!,
          signature: b64(d.signedPreKey.signature)!,
        },
        deviceIdentity: b64(d.deviceIdentity),
      })),
    }));
  }

  restore(users: UserSnapshot[]): void {
    for (const s of users) {
      const u = this.addUser(s.phone, s.name, 0);
      u.nextKeyIndex = s.nextKeyIndex;
      if (s.hidePhoneNumber) u.hidePhoneNumber = true;
      u.devices.clear();
      for (const d of s.devices) {
        const rec: DeviceRecord = {
          jid: deviceJid(s.phone, d.deviceId),
          deviceId: d.deviceId,
          keyIndex: d.keyIndex,
          platform: d.platform,
          linkedAt: d.linkedAt,
        };
        if (d.noiseKey) rec.noiseKey = unb64(d.noiseKey);
        if (d.identityKey) rec.identityKey = unb64(d.identityKey);
        if (d.registrationId !== undefined) rec.registrationId = d.registrationId;
        if (d.signedPreKey) {
          rec.signedPreKey = {
            keyId: d.signedPreKey.keyId,
            publicKey: unb64(d.signedPreKey.publicKey),
            signature: unb64(d.signedPreKey.signature),
          };
        }
        if (d.deviceIdentity) rec.deviceIdentity = unb64(d.deviceIdentity);
        u.devices.set(d.deviceId, rec);
      }
    }
  }
}

export interface UserSnapshot {
  phone: string;
  name: string;
  nextKeyIndex: number;
  hidePhoneNumber?: boolean | undefined;
  devices: Array<{
    deviceId: number;
    keyIndex: number;
    platform: string;
    linkedAt: number;
    noiseKey?: string | undefined;
    identityKey?: string | undefined;
    registrationId?: number | undefined;
    signedPreKey?: { keyId: number; publicKey: string; signature: string } | undefined;
    deviceIdentity?: string | undefined;
  }>;
}

export function b64(bytes: Uint8Array | undefined): string | undefined {
  return bytes === undefined ? undefined : Buffer.from(bytes).toString('base64');
}

export function unb64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64'));
}
