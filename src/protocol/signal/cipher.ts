/**
 * The 1:1 session API over records (libsignal-node's SessionBuilder and
 * SessionCipher, without the store): build a session from a bundle, encrypt to
 * `pkmsg`/`msg`, decrypt either. Every call takes the stored record and returns
 * the record to store; on any error nothing is returned, and the given record
 * is never modified, so a failed decrypt leaves the stored state as it was.
 *
 * Lookups are synchronous: a caller whose keys live in an async store reads the
 * pkmsg header first with `peekPreKeyMessage` and loads the named prekeys.
 */
import { bytesEqual } from '../crypto/hash.js';
import type { KeyPair } from '../crypto/curve25519.js';
import { InvalidPreKeyError, NoSessionError, SignalError, UntrustedIdentityError } from './errors.js';
import type { IdentityTrust } from './identity.js';
import { ratchetDecrypt, ratchetEncrypt } from './ratchet.js';
import { findSessionByBaseKey, sessionStates, withNewSession, withUpdatedSession } from './record.js';
import type { LocalIdentity, SessionRecord, SessionState } from './state.js';
import {
  encodePreKeyMessage,
  encodeWireKey,
  parsePreKeyMessage,
  parseWhisperMessage,
  type ParsedWhisperMessage,
  type PreKeyMessageFields,
} from './wire.js';
import { initiatorSession, responderSession, type PreKeyBundle } from './x3dh.js';

export type MessageType = 'pkmsg' | 'msg';

export interface TrustOptions {
  /** Defaults to trusting every key (WhatsApp's trust on first use). */
  readonly isTrustedIdentity?: IdentityTrust;
}

export interface DecryptLookups extends TrustOptions {
  /** Our one-time prekey with this id, if we still hold it. */
  readonly preKey?: (keyId: number) => KeyPair | undefined;
  /** Our signed prekey with this id, if we still hold it. */
  readonly signedPreKey?: (keyId: number) => KeyPair | undefined;
}

export interface EncryptResult {
  readonly record: SessionRecord;
  readonly type: MessageType;
  readonly ciphertext: Uint8Array;
  /** The peer device's registration id. */
  readonly remoteRegistrationId: number;
}

export interface DecryptResult {
  readonly record: SessionRecord;
  readonly plaintext: Uint8Array;
  /** The identity key of the session that decrypted the message. */
  readonly remoteIdentity: Uint8Array;
  /** A one-time prekey this message consumed: the caller deletes it (and refills the server's supply). */
  readonly usedPreKeyId?: number;
  /** A pkmsg started a new session with a key different from the current session's. */
  readonly identityChanged: boolean;
}

function checkTrust(trust: IdentityTrust | undefined, identity: Uint8Array): void {
  if (trust && !trust(identity)) throw new UntrustedIdentityError(identity);
}

/**
 * Starts a session from a peer device's prekey bundle, verifying its signed
 * prekey; the new session becomes current and the old one is archived.
 * @throws UntrustedIdentityError, InvalidSignatureError, InvalidKeyError
 */
export function initSessionFromBundle(
  record: SessionRecord | undefined,
  local: LocalIdentity,
  bundle: PreKeyBundle,
  options: TrustOptions = {},
): { record: SessionRecord; identityChanged: boolean } {
  const state = initiatorSession(local, bundle);
  checkTrust(options.isTrustedIdentity, state.remoteIdentity);
  const before = record?.current?.remoteIdentity;
  return {
    record: withNewSession(record, state),
    identityChanged: before !== undefined && !bytesEqual(before, state.remoteIdentity),
  };
}

/**
 * Encrypts with the current session: `pkmsg` until the peer has answered a
 * session we started, `msg` after.
 * @throws NoSessionError, UntrustedIdentityError
 */
export function encryptMessage(
  record: SessionRecord | undefined,
  local: LocalIdentity,
  plaintext: Uint8Array,
  options: TrustOptions = {},
): EncryptResult {
  const current = record?.current;
  if (!record || !current) throw new NoSessionError();
  checkTrust(options.isTrustedIdentity, current.remoteIdentity);
  const ourIdentity = local.identityKey.public;
  const { state, message } = ratchetEncrypt(current, encodeWireKey(ourIdentity), plaintext);
  const pending = current.pendingPreKey;
  const ciphertext = pending
    ? encodePreKeyMessage(
        {
          registrationId: local.registrationId,
          preKeyId: pending.preKeyId,
          signedPreKeyId: pending.signedPreKeyId,
          baseKey: pending.baseKey,
          identityKey: ourIdentity,
        },
        message,
      )
    : message;
  return {
    record: { current: state, previous: record.previous },
    type: pending ? 'pkmsg' : 'msg',
    ciphertext,
    remoteRegistrationId: current.remoteRegistrationId,
  };
}

/**
 * Decrypts a `pkmsg` or `msg` from one peer device.
 * @throws InvalidMessageError, InvalidKeyError (malformed input), NoSessionError,
 *   BadMacError, DuplicateMessageError, TooManySkippedMessagesError,
 *   InvalidPreKeyError, UntrustedIdentityError
 */
export function decryptMessage(
  record: SessionRecord | undefined,
  local: LocalIdentity,
  type: MessageType,
  ciphertext: Uint8Array,
  lookups: DecryptLookups = {},
): DecryptResult {
  return type === 'pkmsg' ? decryptPreKeyMessage(record, local, ciphertext, lookups) : decryptWhisper(record, local, ciphertext, lookups);
}

/** The header of a pkmsg, to load the prekeys it names before decrypting. @throws InvalidMessageError, InvalidKeyError */
export function peekPreKeyMessage(ciphertext: Uint8Array): PreKeyMessageFields {
  const { message: _inner, ...fields } = parsePreKeyMessage(ciphertext);
  return fields;
}

function decryptWhisper(record: SessionRecord | undefined, local: LocalIdentity, ciphertext: Uint8Array, lookups: DecryptLookups): DecryptResult {
  const message = parseWhisperMessage(ciphertext);
  if (!record) throw new NoSessionError();
  const { position, state, plaintext } = decryptWithAny(sessionStates(record), local, message);
  checkTrust(lookups.isTrustedIdentity, state.remoteIdentity);
  return { record: withUpdatedSession(record, position, state), plaintext, remoteIdentity: state.remoteIdentity, identityChanged: false };
}

function decryptPreKeyMessage(
  record: SessionRecord | undefined,
  local: LocalIdentity,
  ciphertext: Uint8Array,
  lookups: DecryptLookups,
): DecryptResult {
  const pkmsg = parsePreKeyMessage(ciphertext);
  checkTrust(lookups.isTrustedIdentity, pkmsg.identityKey);
  const ourIdentity33 = encodeWireKey(local.identityKey.public);
  // A repeated pkmsg (the peer has not seen our answer yet) belongs to the session it started.
  const existing = record ? findSessionByBaseKey(record, pkmsg.baseKey) : -1;
  if (record && existing >= 0) {
    const { state, plaintext } = ratchetDecrypt(sessionStates(record)[existing]!, ourIdentity33, pkmsg.message);
    return { record: withUpdatedSession(record, existing, state), plaintext, remoteIdentity: state.remoteIdentity, identityChanged: false };
  }
  let oneTimePreKey: KeyPair | undefined;
  if (pkmsg.preKeyId !== undefined) {
    oneTimePreKey = lookups.preKey?.(pkmsg.preKeyId);
    if (!oneTimePreKey) throw new InvalidPreKeyError('one-time', pkmsg.preKeyId);
  }
  const signedPreKey = lookups.signedPreKey?.(pkmsg.signedPreKeyId);
  if (!signedPreKey) throw new InvalidPreKeyError('signed', pkmsg.signedPreKeyId);
  const fresh = responderSession(local, pkmsg, signedPreKey, oneTimePreKey);
  const { state, plaintext } = ratchetDecrypt(fresh, ourIdentity33, pkmsg.message);
  const before = record?.current?.remoteIdentity;
  return {
    record: withNewSession(record, state),
    plaintext,
    remoteIdentity: state.remoteIdentity,
    ...(pkmsg.preKeyId !== undefined ? { usedPreKeyId: pkmsg.preKeyId } : {}),
    identityChanged: before !== undefined && !bytesEqual(before, state.remoteIdentity),
  };
}

/**
 * Tries each session in turn (libsignal's decryptWithSessions). When all fail,
 * the most telling error wins: one from a session that recognised the message
 * (duplicate, too far ahead) says more than "bad MAC", which every unrelated
 * session reports.
 */
function decryptWithAny(
  states: SessionState[],
  local: LocalIdentity,
  message: ParsedWhisperMessage,
): { position: number; state: SessionState; plaintext: Uint8Array } {
  if (states.length === 0) throw new NoSessionError();
  const ourIdentity33 = encodeWireKey(local.identityKey.public);
  let best: SignalError | undefined;
  for (let position = 0; position < states.length; position++) {
    try {
      return { position, ...ratchetDecrypt(states[position]!, ourIdentity33, message) };
    } catch (error) {
      if (!(error instanceof SignalError)) throw error;
      if (!best || rank(error) > rank(best)) best = error;
    }
  }
  throw best!;
}

function rank(error: SignalError): number {
  switch (error.code) {
    case 'DUPLICATE_MESSAGE':
      return 3;
    case 'TOO_MANY_SKIPPED':
    case 'CHAIN_CLOSED':
    case 'BAD_CIPHERTEXT':
      return 2;
    case 'BAD_MAC':
      return 0;
    default:
      return 1;
  }
}
