/**
 * Linking a companion, the phone's side of both flows (phone-host.ts has the
 * sequence): QR scan, or pairing code typed on the phone. Owns the order of
 * host calls and the crypto each step needs; the server owns the stanzas.
 */
import type { CompanionHistoryConfig, CompanionSlot, PhoneHost, SeededCompanion } from '../phone-host.js';
import { buildDeviceIdentity } from './adv.js';
import { PhoneError } from './errors.js';
import type { PhoneKeys } from './keys.js';
import { finishLinkCode, startLinkCode } from './link-code.js';
import { parseLinkQr } from './qr.js';

interface Companion {
  ref: string;
  noiseKey: Uint8Array;
  identityKey: Uint8Array;
  platformId: number;
  advSecret: Uint8Array;
}

/** A linked companion: its device jid and the history it asked for. */
export interface LinkedCompanion {
  deviceJid: string;
  history?: CompanionHistoryConfig;
}

async function signIn(host: PhoneHost, keys: PhoneKeys, c: Companion): Promise<LinkedCompanion> {
  const slot = host.reserveCompanion({ ref: c.ref, noiseKey: c.noiseKey, identityKey: c.identityKey, platformId: c.platformId });
  const identity = buildDeviceIdentity({
    account: keys.identity,
    companionIdentityPub: c.identityKey,
    advSecret: c.advSecret,
    rawId: keys.advRawId,
    keyIndex: slot.keyIndex,
    timestamp: Math.floor(host.now() / 1000),
  });
  await host.completeCompanion({ deviceJid: slot.deviceJid, deviceIdentity: identity.hmacWrapped });
  return { deviceJid: slot.deviceJid, ...(slot.history ? { history: slot.history } : {}) };
}

/**
 * A companion linked without a pairing session (benchmarks seeding thousands of
 * accounts): the server stores its device, and the phone vouches for it as at
 * a QR link. Returns what pair-success would carry, for the companion to
 * check and keep (its ADV account signature).
 * @throws SimError LIMIT from the host
 */
export function seedCompanion(host: PhoneHost, keys: PhoneKeys, c: SeededCompanion & { advSecret: Uint8Array }): CompanionSlot & { deviceIdentity: Uint8Array } {
  const { advSecret, ...reg } = c;
  const slot = host.seedCompanion(reg);
  const identity = buildDeviceIdentity({
    account: keys.identity,
    companionIdentityPub: c.identityKey,
    advSecret,
    rawId: keys.advRawId,
    keyIndex: slot.keyIndex,
    timestamp: Math.floor(host.now() / 1000),
  });
  return { ...slot, deviceIdentity: identity.hmacWrapped };
}

/**
 * The phone scans `qr`.
 * @throws PhoneError BAD_QR; SimError UNKNOWN_REF / PAIRING_FAILED from the host
 */
export async function linkByQr(host: PhoneHost, keys: PhoneKeys, qr: string): Promise<LinkedCompanion> {
  const q = parseLinkQr(qr);
  return signIn(host, keys, { ref: q.ref, noiseKey: q.noiseKey, identityKey: q.identityKey, platformId: q.platformId, advSecret: q.advSecret });
}

/**
 * The user types `code` on the phone for the companion waiting with a link-code hello.
 * @throws PhoneError BAD_LINK_CODE, NO_PENDING_LINK, BAD_LINK_BUNDLE (wrong code),
 *   LINK_IDENTITY_MISMATCH; SimError UNKNOWN_REF / PAIRING_FAILED from the host
 */
export async function linkByCode(host: PhoneHost, keys: PhoneKeys, code: string): Promise<LinkedCompanion> {
  const pending = host.pendingCodeLink();
  if (!pending) throw new PhoneError('NO_PENDING_LINK', `no companion is waiting for a pairing code for ${host.phone}`);
  const start = startLinkCode(code, pending.wrappedCompanionEphemeralPub);
  const finish = await host.sendPrimaryHello({
    ref: pending.ref,
    primaryIdentityPub: keys.identity.public,
    wrappedPrimaryEphemeralPub: start.wrappedPrimaryEphemeralPub,
  });
  const done = finishLinkCode(start.state, keys.identity, finish.wrappedKeyBundle, finish.companionIdentityKey);
  return signIn(host, keys, {
    ref: pending.ref,
    noiseKey: pending.noiseKey,
    identityKey: done.companionIdentityPub,
    platformId: pending.platformId,
    advSecret: done.advSecret,
  });
}
