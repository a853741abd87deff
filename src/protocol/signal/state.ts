/**
 * The shapes of Signal 1:1 state: plain, immutable data. Functions in this
 * module tree never mutate a state they are given; they return new objects and
 * share what did not change, so a failed operation leaves the caller's state as
 * it was by construction. All public keys are the raw 32-byte form; the 0x05
 * type byte is added only on the wire.
 */
import type { KeyPair } from '../crypto/curve25519.js';

export type { KeyPair };

/** Our long-term identity as the Signal layer needs it. */
export interface LocalIdentity {
  readonly identityKey: KeyPair;
  /** 14-bit id sent in every pkmsg so the peer can tell our reinstalls apart. */
  readonly registrationId: number;
}

/** A message key derived ahead of time for a message that has not arrived yet. */
export interface SkippedKey {
  readonly counter: number;
  /** HMAC(chainKey, 0x01): the seed the three message keys are derived from. */
  readonly seed: Uint8Array;
}

/** The keys we expect the peer to use while it sends with one ratchet key. */
export interface ReceivingChain {
  readonly ratchetKey: Uint8Array;
  /** Key for message `nextCounter`; undefined once the peer has moved to a newer ratchet key. */
  readonly chainKey: Uint8Array | undefined;
  readonly nextCounter: number;
  /** Ascending by counter, at most MAX_SKIPPED_KEYS_PER_CHAIN. */
  readonly skipped: readonly SkippedKey[];
}

export interface SendingChain {
  readonly chainKey: Uint8Array;
  readonly nextCounter: number;
}

/** What an initiator repeats in every message until the peer answers (turns `msg` into `pkmsg`). */
export interface PendingPreKey {
  readonly baseKey: Uint8Array;
  readonly signedPreKeyId: number;
  readonly preKeyId: number | undefined;
}

/** One Double Ratchet session with one device of a peer. */
export interface SessionState {
  readonly remoteIdentity: Uint8Array;
  readonly remoteRegistrationId: number;
  /** The X3DH base key: names the session (a repeated pkmsg finds its session by it). */
  readonly baseKey: Uint8Array;
  /** True when we built the session from a bundle (the base key is ours). */
  readonly initiator: boolean;
  readonly rootKey: Uint8Array;
  readonly ourRatchet: KeyPair;
  readonly theirRatchet: Uint8Array;
  /** Counter of the last message sent on our previous sending chain (sent in every message). */
  readonly previousCounter: number;
  /** Absent only for a responder that has not yet decrypted the first message. */
  readonly sending: SendingChain | undefined;
  /** Newest first, at most MAX_RECEIVING_CHAINS. */
  readonly receiving: readonly ReceivingChain[];
  readonly pendingPreKey: PendingPreKey | undefined;
}

/**
 * All sessions with one device of a peer: the one we send with, and earlier ones
 * kept so that messages still in flight on them decrypt (most recent first).
 */
export interface SessionRecord {
  readonly current: SessionState | undefined;
  readonly previous: readonly SessionState[];
}

/** Signal's limit: earlier sessions kept per record. */
export const MAX_PREVIOUS_SESSIONS = 40;
/** Signal's limit (libsignal-node keeps every chain forever: its records grow without bound). */
export const MAX_RECEIVING_CHAINS = 5;
/** How far ahead of its chain a message may be, and how many unused keys a chain keeps (libsignal's 2000). */
export const MAX_SKIP = 2000;
export const MAX_SKIPPED_KEYS_PER_CHAIN = 2000;

export const EMPTY_RECORD: SessionRecord = Object.freeze({ current: undefined, previous: Object.freeze([]) as readonly SessionState[] });

export function emptyRecord(): SessionRecord {
  return EMPTY_RECORD;
}

export function hasOpenSession(record: SessionRecord | undefined): boolean {
  return record?.current?.sending !== undefined;
}
