/**
 * The credentials record: everything that makes this companion device the
 * same device after a restart (noise key, identity, signed prekey, ADV
 * identity from pairing, prekey counters). One record, written whole in the
 * transaction that changes it, so a crash never leaves half of a pairing
 * behind.
 */
import { Fields } from '../codec/fields.js';
import { encodeRecord, type ValueMap } from '../codec/value.js';

export interface KeyPair {
  readonly public: Uint8Array;
  readonly private: Uint8Array;
}

export interface SignedPreKeyRecord {
  readonly keyId: number;
  readonly keyPair: KeyPair;
  /** XEdDSA signature by the identity key over the 0x05-prefixed public key. */
  readonly signature: Uint8Array;
}

/** Who we are once paired: our device JID, our LID when the server told us, our push name. */
export interface Me {
  readonly id: string;
  readonly lid?: string | undefined;
  readonly name?: string | undefined;
}

/** ADVSignedDeviceIdentity as the phone signed it at pairing (field by field). */
export interface AdvSignedIdentity {
  readonly details: Uint8Array;
  readonly accountSignatureKey?: Uint8Array | undefined;
  readonly accountSignature: Uint8Array;
  readonly deviceSignature: Uint8Array;
}

export interface Creds {
  readonly noiseKey: KeyPair;
  readonly pairingEphemeralKeyPair: KeyPair;
  readonly identityKey: KeyPair;
  readonly signedPreKey: SignedPreKeyRecord;
  /** 14-bit Signal registration id. */
  readonly registrationId: number;
  /** 32 bytes: the HMAC key the phone uses to sign our device identity. */
  readonly advSecretKey: Uint8Array;
  readonly me?: Me | undefined;
  readonly account?: AdvSignedIdentity | undefined;
  readonly platform?: string | undefined;
  /** Edge routing info from the server: sent back in the next handshake. */
  readonly routingInfo?: Uint8Array | undefined;
  /** Next one-time prekey id to generate. */
  readonly nextPreKeyId: number;
  /** Lowest prekey id not yet uploaded to the server. */
  readonly firstUnuploadedPreKeyId: number;
  readonly accountSyncCounter: number;
  /** True once pairing finished (the server accepted our device). */
  readonly registered: boolean;
  readonly pairingCode?: string | undefined;
  readonly lastPropHash?: string | undefined;
  readonly myAppStateKeyId?: string | undefined;
  readonly lastAccountSyncTimestamp?: number | undefined;
}

const FORMAT = 1;

function pair(k: KeyPair): ValueMap {
  return { public: k.public, private: k.private };
}

export function encodeCreds(c: Creds): Uint8Array {
  return encodeRecord(FORMAT, {
    noiseKey: pair(c.noiseKey),
    pairingEphemeralKeyPair: pair(c.pairingEphemeralKeyPair),
    identityKey: pair(c.identityKey),
    signedPreKey: { keyId: c.signedPreKey.keyId, keyPair: pair(c.signedPreKey.keyPair), signature: c.signedPreKey.signature },
    registrationId: c.registrationId,
    advSecretKey: c.advSecretKey,
    me: c.me && { id: c.me.id, lid: c.me.lid, name: c.me.name },
    account: c.account && {
      details: c.account.details,
      accountSignatureKey: c.account.accountSignatureKey,
      accountSignature: c.account.accountSignature,
      deviceSignature: c.account.deviceSignature,
    },
    platform: c.platform,
    routingInfo: c.routingInfo,
    nextPreKeyId: c.nextPreKeyId,
    firstUnuploadedPreKeyId: c.firstUnuploadedPreKeyId,
    accountSyncCounter: c.accountSyncCounter,
    registered: c.registered,
    pairingCode: c.pairingCode,
    lastPropHash: c.lastPropHash,
    myAppStateKeyId: c.myAppStateKeyId,
    lastAccountSyncTimestamp: c.lastAccountSyncTimestamp,
  });
}

function readPair(f: Fields): KeyPair {
  return { public: f.bytes('public', 32), private: f.bytes('private', 32) };
}

/** @throws StoreError CORRUPT_RECORD */
export function decodeCreds(bytes: Uint8Array): Creds {
  const f = Fields.of('creds', bytes, FORMAT);
  const spk = f.sub('signedPreKey');
  const me = f.optSub('me');
  const account = f.optSub('account');
  return deepFreeze({
    noiseKey: readPair(f.sub('noiseKey')),
    pairingEphemeralKeyPair: readPair(f.sub('pairingEphemeralKeyPair')),
    identityKey: readPair(f.sub('identityKey')),
    signedPreKey: { keyId: spk.int('keyId'), keyPair: readPair(spk.sub('keyPair')), signature: spk.bytes('signature', 64) },
    registrationId: f.int('registrationId'),
    advSecretKey: f.bytes('advSecretKey', 32),
    me: me && { id: me.str('id'), lid: me.optStr('lid'), name: me.optStr('name') },
    account: account && {
      details: account.bytes('details'),
      accountSignatureKey: account.optBytes('accountSignatureKey'),
      accountSignature: account.bytes('accountSignature'),
      deviceSignature: account.bytes('deviceSignature'),
    },
    platform: f.optStr('platform'),
    routingInfo: f.optBytes('routingInfo'),
    nextPreKeyId: f.int('nextPreKeyId'),
    firstUnuploadedPreKeyId: f.int('firstUnuploadedPreKeyId'),
    accountSyncCounter: f.int('accountSyncCounter'),
    registered: f.bool('registered'),
    pairingCode: f.optStr('pairingCode'),
    lastPropHash: f.optStr('lastPropHash'),
    myAppStateKeyId: f.optStr('myAppStateKeyId'),
    lastAccountSyncTimestamp: f.optInt('lastAccountSyncTimestamp'),
  });
}

/** Freezes plain objects (typed arrays cannot be frozen: callers must treat them as read-only). */
export function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !ArrayBuffer.isView(v) && !Object.isFrozen(v)) {
    for (const child of Object.values(v)) deepFreeze(child);
    Object.freeze(v);
  }
  return v;
}
