/**
 * ADV ("account device verification") as the primary phone does it: the phone
 * vouches for a new companion by signing its identity with the account key
 * (the phone's Signal identity), HMACs the result with the secret the companion
 * showed in its QR (or derived through the pairing code), checks the
 * companion's countersignature, and signs the list of valid key indexes.
 *
 * Byte layouts (WhatsApp Web's WAWebAdvSignatureConstants; Baileys'
 * configureSuccessfulPairing checks the first two):
 *   accountSignature = XEdDSA(account, [6,0] ‖ ADVDeviceIdentity ‖ companionIdentityPub)
 *   deviceSignature  = XEdDSA(companion, [6,1] ‖ ADVDeviceIdentity ‖ companionIdentityPub ‖ accountPub)
 *   keyIndexList sig = XEdDSA(account, [6,2] ‖ ADVKeyIndexList)
 *   hmac             = HMAC-SHA256(advSecret, ADVSignedDeviceIdentity)
 * Pure: builds and checks bytes; it does not choose key indexes (the server
 * does) and sends nothing.
 */
import { bytesEqual, hmacSha256, xeddsaSign, xeddsaVerify, type KeyPair } from '../../protocol/crypto/index.js';
import { proto } from '../../protocol/proto/index.js';
import { PhoneError } from './errors.js';

export const ADV_ACCOUNT_SIG_PREFIX = Uint8Array.of(6, 0);
export const ADV_DEVICE_SIG_PREFIX = Uint8Array.of(6, 1);
export const ADV_KEY_INDEX_LIST_SIG_PREFIX = Uint8Array.of(6, 2);

export interface DeviceIdentityRequest {
  /** The phone's identity key pair (the ADV account key). */
  account: KeyPair;
  /** The companion's identity public key (32 bytes), from the QR or companion_finish. */
  companionIdentityPub: Uint8Array;
  /** The ADV secret (32 bytes): the QR's base64-decoded field, or the link-code derivation. */
  advSecret: Uint8Array;
  /** The account's ADV raw id (the same in every device identity and key index list). */
  rawId: number;
  /** The index the server assigned to this companion (CompanionSlot.keyIndex). */
  keyIndex: number;
  /** Unix seconds. */
  timestamp: number;
}

export interface DeviceIdentity {
  /** Content of <pair-success><device-identity>: ADVSignedDeviceIdentityHMAC. */
  hmacWrapped: Uint8Array;
  /** ADVSignedDeviceIdentity{details, accountSignatureKey, accountSignature}. */
  signed: Uint8Array;
  /** ADVDeviceIdentity, the bytes both signatures cover. */
  details: Uint8Array;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

/** The pair-success device identity for one companion. */
export function buildDeviceIdentity(req: DeviceIdentityRequest): DeviceIdentity {
  const details = proto.ADVDeviceIdentity.encode({
    rawId: req.rawId,
    timestamp: req.timestamp,
    keyIndex: req.keyIndex,
    accountType: proto.ADVEncryptionType.E2EE,
    deviceType: proto.ADVEncryptionType.E2EE,
  }).finish();
  const accountSignature = xeddsaSign(req.account.private, concat(ADV_ACCOUNT_SIG_PREFIX, details, req.companionIdentityPub));
  const signed = proto.ADVSignedDeviceIdentity.encode({ details, accountSignatureKey: req.account.public, accountSignature }).finish();
  const hmac = hmacSha256(req.advSecret, signed);
  const hmacWrapped = proto.ADVSignedDeviceIdentityHMAC.encode({ details: signed, hmac }).finish();
  return { hmacWrapped, signed, details };
}

function decodeSigned(bytes: Uint8Array): proto.ADVSignedDeviceIdentity {
  try {
    return proto.ADVSignedDeviceIdentity.decode(bytes);
  } catch (cause) {
    throw new PhoneError('ADV_MALFORMED', 'ADVSignedDeviceIdentity does not decode', { cause });
  }
}

export interface VerifiedCompanionIdentity {
  /** The companion's reply completed with accountSignatureKey: what its pkmsgs carry in <device-identity>. */
  signed: Uint8Array;
  keyIndex: number;
}

/**
 * Checks the companion's <pair-device-sign><device-identity> (an ADVSignedDeviceIdentity
 * without accountSignatureKey): the details must be the ones the phone issued, the
 * account signature the phone's, and the device signature the companion's.
 * @throws PhoneError ADV_MALFORMED (does not decode, fields missing or changed),
 *   ADV_BAD_SIGNATURE (either signature fails)
 */
export function verifyCompanionSignature(
  reply: Uint8Array,
  issued: { details: Uint8Array; accountPub: Uint8Array; companionIdentityPub: Uint8Array },
): VerifiedCompanionIdentity {
  const signed = decodeSigned(reply);
  const { details, accountSignature, deviceSignature } = signed;
  if (!details?.length || !accountSignature?.length || !deviceSignature?.length) {
    throw new PhoneError('ADV_MALFORMED', 'pair-device-sign lacks details or a signature');
  }
  if (!bytesEqual(details, issued.details)) throw new PhoneError('ADV_MALFORMED', 'pair-device-sign details differ from the ones issued');
  if (signed.accountSignatureKey?.length && !bytesEqual(signed.accountSignatureKey, issued.accountPub)) {
    throw new PhoneError('ADV_MALFORMED', 'pair-device-sign names another account key');
  }
  if (!xeddsaVerify(issued.accountPub, concat(ADV_ACCOUNT_SIG_PREFIX, details, issued.companionIdentityPub), accountSignature)) {
    throw new PhoneError('ADV_BAD_SIGNATURE', 'account signature does not verify');
  }
  const deviceMsg = concat(ADV_DEVICE_SIG_PREFIX, details, issued.companionIdentityPub, issued.accountPub);
  if (!xeddsaVerify(issued.companionIdentityPub, deviceMsg, deviceSignature)) {
    throw new PhoneError('ADV_BAD_SIGNATURE', 'device signature does not verify');
  }
  const identity = proto.ADVDeviceIdentity.decode(details);
  const full = proto.ADVSignedDeviceIdentity.encode({ details, accountSignatureKey: issued.accountPub, accountSignature, deviceSignature }).finish();
  return { signed: full, keyIndex: identity.keyIndex ?? 0 };
}

export interface KeyIndexListRequest {
  account: KeyPair;
  rawId: number;
  /** Unix seconds; also the `ts` attribute of <key-index-list>. */
  timestamp: number;
  /** The newest key index issued. */
  currentIndex: number;
  /** Indexes of the companions still linked. */
  validIndexes: number[];
}

/** Content of USync's <key-index-list ts=…>: ADVSignedKeyIndexList signed by the account. */
export function buildKeyIndexList(req: KeyIndexListRequest): Uint8Array {
  const details = proto.ADVKeyIndexList.encode({
    rawId: req.rawId,
    timestamp: req.timestamp,
    currentIndex: req.currentIndex,
    validIndexes: req.validIndexes,
    accountType: proto.ADVEncryptionType.E2EE,
  }).finish();
  const accountSignature = xeddsaSign(req.account.private, concat(ADV_KEY_INDEX_LIST_SIG_PREFIX, details));
  return proto.ADVSignedKeyIndexList.encode({ details, accountSignature, accountSignatureKey: req.account.public }).finish();
}

/**
 * For the server, which sees only the bytes: checks a companion's
 * pair-device-sign reply against the pair-success device identity it carried.
 * Returns the completed ADVSignedDeviceIdentity to store for the device.
 * @throws PhoneError ADV_MALFORMED, ADV_BAD_SIGNATURE
 */
export function verifyPairDeviceSign(pairSuccessIdentity: Uint8Array, reply: Uint8Array, companionIdentityPub: Uint8Array): VerifiedCompanionIdentity {
  let issued: proto.ADVSignedDeviceIdentity;
  try {
    issued = proto.ADVSignedDeviceIdentity.decode(proto.ADVSignedDeviceIdentityHMAC.decode(pairSuccessIdentity).details ?? new Uint8Array(0));
  } catch (cause) {
    throw new PhoneError('ADV_MALFORMED', 'pair-success device identity does not decode', { cause });
  }
  if (!issued.details?.length || !issued.accountSignatureKey?.length) throw new PhoneError('ADV_MALFORMED', 'pair-success device identity lacks details');
  return verifyCompanionSignature(reply, { details: issued.details, accountPub: issued.accountSignatureKey, companionIdentityPub });
}
