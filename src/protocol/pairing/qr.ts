/**
 * The linking QR a companion shows (WhatsApp Web's, Baileys' buildPairingQRData):
 *
 *   https://wa.me/settings/linked_devices#<ref>,<noise pub b64>,<identity pub b64>,<adv secret b64>,<platform id>
 *
 * One QR per `pair-device` ref: the first lives 60 s, each later one 20 s.
 * Owns the string only; rendering and rotation are the runtime's.
 */
export const QR_PREFIX = 'https://wa.me/settings/linked_devices#';

/** How long each ref is shown (WhatsApp Web: the first 60 s, then 20 s). */
export const FIRST_QR_TTL_MS = 60_000;
export const NEXT_QR_TTL_MS = 20_000;

/** CompanionWebClientType, as the phone lists the device. */
export const CompanionPlatform = Object.freeze({
  CHROME: 1,
  EDGE: 2,
  FIREFOX: 3,
  IE: 4,
  OPERA: 5,
  SAFARI: 6,
  ELECTRON: 7,
  UWP: 8,
  OTHER_WEB_CLIENT: 9,
});

export interface QrParts {
  readonly ref: string;
  readonly noisePub: Uint8Array;
  readonly identityPub: Uint8Array;
  readonly advSecret: Uint8Array;
  readonly platformId: number;
}

const b64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');

export function buildQrString(q: QrParts): string {
  return QR_PREFIX + [q.ref, b64(q.noisePub), b64(q.identityPub), b64(q.advSecret), String(q.platformId)].join(',');
}

/** How long the QR of the ref at `index` stays valid. */
export function qrTtlMs(index: number): number {
  return index === 0 ? FIRST_QR_TTL_MS : NEXT_QR_TTL_MS;
}
