/**
 * X3DH session building (libsignal-node's SessionBuilder.initSession), both
 * ends: from a peer's prekey bundle (we initiate) and from the fields of an
 * incoming pkmsg (we respond). Unlike libsignal-node's initOutgoing we verify
 * the signed prekey's signature. Returns new SessionStates only; which record
 * they go into is record.ts's business.
 */
import { generateKeyPair, type KeyPair } from '../crypto/curve25519.js';
import { DJB_TYPE } from '../crypto/curve25519.js';
import { InvalidKeyError, InvalidSignatureError } from './errors.js';
import { agree, rootStep, X3DH_PREFIX, x3dhRootKey } from './kdf.js';
import { verifySignedPreKey } from './keys.js';
import type { LocalIdentity, SessionState } from './state.js';
import { copyBytes, type PreKeyMessageFields } from './wire.js';

/** A device's published keys, as the server hands them out (keys raw 32 bytes or 0x05-prefixed). */
export interface PreKeyBundle {
  readonly registrationId: number;
  readonly identityKey: Uint8Array;
  readonly signedPreKey: { readonly keyId: number; readonly publicKey: Uint8Array; readonly signature: Uint8Array };
  readonly preKey?: { readonly keyId: number; readonly publicKey: Uint8Array } | undefined;
}

/** The 32-byte form of a bundle key given raw or with its 0x05 type byte. @throws InvalidKeyError */
export function bundleKey(key: Uint8Array, what: string): Uint8Array {
  if (key.length === 32) return copyBytes(key);
  if (key.length === 33 && key[0] === DJB_TYPE) return copyBytes(key.subarray(1));
  throw new InvalidKeyError(`${what} is not a Curve25519 public key (${key.length} bytes)`);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The session an initiator starts from a bundle: its first sending chain is
 * ready and every message carries the pkmsg header until the peer answers.
 * @throws InvalidKeyError, InvalidSignatureError
 */
export function initiatorSession(local: LocalIdentity, bundle: PreKeyBundle): SessionState {
  const identity = bundleKey(bundle.identityKey, 'identity key');
  const signedPreKey = bundleKey(bundle.signedPreKey.publicKey, 'signed prekey');
  if (!verifySignedPreKey(identity, signedPreKey, bundle.signedPreKey.signature)) {
    throw new InvalidSignatureError();
  }
  const oneTime = bundle.preKey ? bundleKey(bundle.preKey.publicKey, 'one-time prekey') : undefined;
  const base = generateKeyPair();
  const agreements = [
    X3DH_PREFIX,
    agree(local.identityKey.private, signedPreKey),
    agree(base.private, identity),
    agree(base.private, signedPreKey),
  ];
  if (oneTime) agreements.push(agree(base.private, oneTime));
  const ourRatchet = generateKeyPair();
  const { rootKey, chainKey } = rootStep(x3dhRootKey(concat(agreements)), agree(ourRatchet.private, signedPreKey));
  return {
    remoteIdentity: identity,
    remoteRegistrationId: bundle.registrationId,
    baseKey: base.public,
    initiator: true,
    rootKey,
    ourRatchet,
    theirRatchet: signedPreKey,
    previousCounter: 0,
    sending: { chainKey, nextCounter: 0 },
    receiving: [],
    pendingPreKey: { baseKey: base.public, signedPreKeyId: bundle.signedPreKey.keyId, preKeyId: bundle.preKey?.keyId },
  };
}

/**
 * The session a responder derives from a pkmsg, before decrypting its inner
 * message (which makes the first ratchet step). Our signed prekey serves as our
 * first ratchet key, as in libsignal.
 * @throws InvalidKeyError
 */
export function responderSession(
  local: LocalIdentity,
  message: PreKeyMessageFields,
  signedPreKey: KeyPair,
  oneTimePreKey: KeyPair | undefined,
): SessionState {
  const agreements = [
    X3DH_PREFIX,
    agree(signedPreKey.private, message.identityKey),
    agree(local.identityKey.private, message.baseKey),
    agree(signedPreKey.private, message.baseKey),
  ];
  if (oneTimePreKey) agreements.push(agree(oneTimePreKey.private, message.baseKey));
  return {
    remoteIdentity: message.identityKey,
    remoteRegistrationId: message.registrationId,
    baseKey: message.baseKey,
    initiator: false,
    rootKey: x3dhRootKey(concat(agreements)),
    ourRatchet: { public: copyBytes(signedPreKey.public), private: copyBytes(signedPreKey.private) },
    theirRatchet: message.baseKey,
    previousCounter: 0,
    sending: undefined,
    receiving: [],
    pendingPreKey: undefined,
  };
}
