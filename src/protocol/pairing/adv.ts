/**
 * ADV ("account device verification"), the companion's side of pair-success
 * (WhatsApp Web; Baileys' configureSuccessfulPairing):
 *
 * 1. `<device-identity>` is ADVSignedDeviceIdentityHMAC{details, hmac, accountType}:
 *    hmac must be HMAC-SHA256(advSecret, [6,5 if hosted] ‖ details).
 * 2. details is ADVSignedDeviceIdentity{details: ADVDeviceIdentity, accountSignatureKey,
 *    accountSignature}: the phone's account key signed
 *    [6,0] ‖ ADVDeviceIdentity ‖ ourIdentityPub ([6,5] for hosted devices).
 * 3. We countersign: deviceSignature = XEdDSA(ourIdentity,
 *    [6,1] ‖ ADVDeviceIdentity ‖ ourIdentityPub ‖ accountSignatureKey)
 *    ([6,6] for hosted devices), and answer with the signed identity
 *    WITHOUT accountSignatureKey, tagged with the key index.
 *
 * Pure: verifies and signs bytes; storing the result is the runtime's.
 */
import { bytesEqual, hmacSha256, xeddsaSign, xeddsaVerify, type KeyPair } from '../crypto/index.js';
import { proto } from '../proto/index.js';
import { PairingError } from './errors.js';

export const ADV_ACCOUNT_SIG_PREFIX = Uint8Array.of(6, 0);
export const ADV_DEVICE_SIG_PREFIX = Uint8Array.of(6, 1);
export const ADV_HOSTED_ACCOUNT_SIG_PREFIX = Uint8Array.of(6, 5);
export const ADV_HOSTED_DEVICE_SIG_PREFIX = Uint8Array.of(6, 6);

/** What pairing leaves us with, field by field (the store's AdvSignedIdentity). */
export interface SignedDeviceIdentity {
  readonly details: Uint8Array;
  readonly accountSignatureKey: Uint8Array;
  readonly accountSignature: Uint8Array;
  readonly deviceSignature: Uint8Array;
}

export interface VerifiedPairing {
  readonly account: SignedDeviceIdentity;
  readonly keyIndex: number;
  /** Content of our `<pair-device-sign><device-identity>`: the signed identity without accountSignatureKey. */
  readonly reply: Uint8Array;
}

function decode<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (cause) {
    throw new PairingError('MALFORMED', `${what} does not decode`, { cause });
  }
}

/**
 * Checks the phone's device identity and countersigns it with our identity key.
 * @throws PairingError MALFORMED, HMAC_MISMATCH, BAD_ACCOUNT_SIGNATURE
 */
export function verifyAndSignDeviceIdentity(deviceIdentityHmac: Uint8Array, advSecret: Uint8Array, identity: KeyPair): VerifiedPairing {
  const wrapped = decode('ADVSignedDeviceIdentityHMAC', () => proto.ADVSignedDeviceIdentityHMAC.decode(deviceIdentityHmac));
  const signedBytes = wrapped.details;
  const hmac = wrapped.hmac;
  if (!signedBytes?.length || !hmac?.length) throw new PairingError('MALFORMED', 'device identity lacks details or hmac');
  const hosted = wrapped.accountType === proto.ADVEncryptionType.HOSTED;
  const expected = hosted ? hmacSha256(advSecret, ADV_HOSTED_ACCOUNT_SIG_PREFIX, signedBytes) : hmacSha256(advSecret, signedBytes);
  if (!bytesEqual(expected, hmac)) throw new PairingError('HMAC_MISMATCH', 'pair-success hmac does not match our ADV secret');

  const signed = decode('ADVSignedDeviceIdentity', () => proto.ADVSignedDeviceIdentity.decode(signedBytes));
  const details = signed.details;
  const accountSignatureKey = signed.accountSignatureKey;
  const accountSignature = signed.accountSignature;
  if (!details?.length || accountSignatureKey?.length !== 32 || accountSignature?.length !== 64) {
    throw new PairingError('MALFORMED', 'signed device identity lacks details, a 32-byte account key or a 64-byte signature');
  }
  const device = decode('ADVDeviceIdentity', () => proto.ADVDeviceIdentity.decode(details));
  const hostedDevice = device.deviceType === proto.ADVEncryptionType.HOSTED;
  const accountMsg = Buffer.concat([hostedDevice ? ADV_HOSTED_ACCOUNT_SIG_PREFIX : ADV_ACCOUNT_SIG_PREFIX, details, identity.public]);
  if (!xeddsaVerify(accountSignatureKey, accountMsg, accountSignature)) {
    throw new PairingError('BAD_ACCOUNT_SIGNATURE', 'the account signature over our identity does not verify');
  }
  const deviceMsg = Buffer.concat([hostedDevice ? ADV_HOSTED_DEVICE_SIG_PREFIX : ADV_DEVICE_SIG_PREFIX, details, identity.public, accountSignatureKey]);
  const deviceSignature = xeddsaSign(identity.private, deviceMsg);
  const account: SignedDeviceIdentity = {
    details: new Uint8Array(details),
    accountSignatureKey: new Uint8Array(accountSignatureKey),
    accountSignature: new Uint8Array(accountSignature),
    deviceSignature,
  };
  const reply = proto.ADVSignedDeviceIdentity.encode({ details, accountSignature, deviceSignature }).finish();
  return { account, keyIndex: device.keyIndex ?? 0, reply };
}

/** The ADVSignedDeviceIdentity our pkmsgs carry in `<device-identity>` (with the account key). */
export function encodeDeviceIdentity(account: SignedDeviceIdentity): Uint8Array {
  return proto.ADVSignedDeviceIdentity.encode(account).finish();
}
