/**
 * Sender-key records: the plain, immutable state a group member keeps per
 * (group, sender device). Owns the shape of that state and the rules for
 * adding states; it does no cryptography and never mutates a record: every
 * change returns a new record that shares unchanged parts with the old one.
 *
 * A record holds up to MAX_STATES states, newest first. A receiving record
 * gains a state per distribution message (a sender rotates its key when the
 * group's membership changes, and messages under the previous key may still
 * be in flight). Our own sending record holds exactly one state, the only
 * kind with a signing private key.
 */
import { bytesEqual } from '../../crypto/index.js';
import { NO_SKIPPED_KEYS } from './skipped.js';

/** States kept per record (libsignal's MAX_SENDER_KEY_STATES). */
export const MAX_STATES = 5;
/** Skipped message keys kept per state (libsignal and Baileys: 2000). */
export const MAX_SKIPPED_KEYS = 2000;
/** How far past the chain a message may jump (Baileys: "Over 2000 messages into the future!"). */
export const MAX_FORWARD_JUMP = 2000;
/** The largest iteration: the wire field is a uint32. */
export const MAX_ITERATION = 0xffffffff;

export interface SenderKeyState {
  /** The sender's key id ("chain id"), a 31-bit random number. */
  readonly keyId: number;
  /** The iteration `chainKey` belongs to: the next message key to derive. */
  readonly iteration: number;
  /** 32 bytes. */
  readonly chainKey: Uint8Array;
  /** The sender's 32-byte Curve25519 signing public key (no 0x05 prefix). */
  readonly signingPublic: Uint8Array;
  /** Only in our own sending state. */
  readonly signingPrivate?: Uint8Array | undefined;
  /**
   * The Ed25519 seed `signingPrivate` derives from, when the key was made to
   * be signed with by node:crypto (crypto/seeded-signing-key); absent for keys
   * given as a bare Curve25519 private key, which are signed with as XEdDSA.
   */
  readonly signingSeed?: Uint8Array | undefined;
  /** Message keys of skipped iterations, packed (skipped.ts). */
  readonly skipped: Uint8Array;
}

export interface SenderKeyRecord {
  /** Newest first. */
  readonly states: readonly SenderKeyState[];
}

export const EMPTY_RECORD: SenderKeyRecord = Object.freeze({ states: Object.freeze([]) as readonly SenderKeyState[] });

export function newState(
  keyId: number,
  iteration: number,
  chainKey: Uint8Array,
  signingPublic: Uint8Array,
  signingPrivate?: Uint8Array,
  signingSeed?: Uint8Array,
): SenderKeyState {
  return { keyId, iteration, chainKey, signingPublic, signingPrivate, signingSeed, skipped: NO_SKIPPED_KEYS };
}

export function findState(record: SenderKeyRecord | undefined, keyId: number): SenderKeyState | undefined {
  return record?.states.find((s) => s.keyId === keyId);
}

/**
 * The record with a state from a distribution message, as libsignal (Rust)
 * adds it: a state with the same key id and signing key is kept as it is
 * (re-sent or late distribution messages must neither rewind the chain,
 * which would allow replays, nor drop skipped keys) and moved to the front;
 * a state with the same key id but another signing key is replaced; the
 * oldest states beyond MAX_STATES are dropped.
 */
export function withReceivedState(record: SenderKeyRecord | undefined, state: SenderKeyState): SenderKeyRecord {
  const states = record?.states ?? [];
  const same = states.find((s) => s.keyId === state.keyId && bytesEqual(s.signingPublic, state.signingPublic));
  const others = states.filter((s) => s.keyId !== state.keyId);
  return { states: [same ?? state, ...others].slice(0, MAX_STATES) };
}

/** The record with `next` in place of `prev` (same position). */
export function withUpdatedState(record: SenderKeyRecord, prev: SenderKeyState, next: SenderKeyState): SenderKeyRecord {
  return { states: record.states.map((s) => (s === prev ? next : s)) };
}
