/**
 * Parses the linking QR a companion shows (Baileys' buildPairingQRData):
 *   https://wa.me/settings/linked_devices#ref,noiseKeyB64,identityKeyB64,advSecretB64,platformId
 * Owns only the string format; it does not know what the server does with
 * the ref or how the phone signs the companion in.
 */
import { PhoneError } from './errors.js';

export const QR_PREFIX = 'https://wa.me/settings/linked_devices#';

export interface LinkQr {
  /** The server's pair-device ref, as the companion printed it (UTF-8 of the <ref> bytes). */
  ref: string;
  /** The companion's Noise static public key (32 bytes); it logs in with it after pairing. */
  noiseKey: Uint8Array;
  /** The companion's Signal identity public key (32 bytes); the phone signs it in ADV. */
  identityKey: Uint8Array;
  /** The shared ADV secret (32 bytes) keying the pair-success HMAC. */
  advSecret: Uint8Array;
  /** The base64 text of advSecret exactly as scanned. */
  advSecretB64: string;
  /** CompanionWebClientType: Chrome=1 … Electron=7, UWP=8, other=9. */
  platformId: number;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function key32(field: string, text: string): Uint8Array {
  if (!BASE64.test(text) || text.length % 4 !== 0) {
    throw new PhoneError('BAD_QR', `QR ${field} is not base64`);
  }
  const bytes = new Uint8Array(Buffer.from(text, 'base64'));
  if (bytes.length !== 32) throw new PhoneError('BAD_QR', `QR ${field} is ${bytes.length} bytes, want 32`);
  return bytes;
}

/** @throws PhoneError BAD_QR for any deviation from the format above. */
export function parseLinkQr(qr: string): LinkQr {
  if (typeof qr !== 'string' || !qr.startsWith(QR_PREFIX)) {
    throw new PhoneError('BAD_QR', 'not a WhatsApp linking QR (wrong prefix)');
  }
  const parts = qr.slice(QR_PREFIX.length).split(',');
  if (parts.length !== 5) throw new PhoneError('BAD_QR', `QR has ${parts.length} fields, want 5`);
  const [ref, noise, identity, adv, platform] = parts as [string, string, string, string, string];
  if (ref.length === 0) throw new PhoneError('BAD_QR', 'QR ref is empty');
  if (!/^\d{1,3}$/.test(platform)) throw new PhoneError('BAD_QR', `QR platform id ${JSON.stringify(platform)} is not a number`);
  return {
    ref,
    noiseKey: key32('noise key', noise),
    identityKey: key32('identity key', identity),
    advSecret: key32('adv secret', adv),
    advSecretB64: adv,
    platformId: Number(platform),
  };
}

/** The inverse of parseLinkQr, for tests and for a simulated companion. */
export function formatLinkQr(qr: Omit<LinkQr, 'advSecretB64'> & { advSecretB64?: string }): string {
  const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');
  return QR_PREFIX + [qr.ref, b64(qr.noiseKey), b64(qr.identityKey), qr.advSecretB64 ?? b64(qr.advSecret), String(qr.platformId)].join(',');
}
