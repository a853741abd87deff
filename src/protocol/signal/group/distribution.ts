/**
 * Sender-key distribution: creating our sending state and the
 * SenderKeyDistributionMessage that lets group members decrypt it, and
 * processing the ones other members send us. Owns these two steps only;
 * sending the distribution to each member device (inside a pkmsg/msg) is
 * the 1:1 session's job.
 */
import { randomBytes } from 'node:crypto';
import { generateSeededSigningKey, keyPairFromPrivate, seededSigningKey, type KeyPair } from '../../crypto/index.js';
import { GroupCipherError } from './errors.js';
import { newState, withReceivedState, type SenderKeyRecord } from './record.js';
import { decodeDistribution, encodeDistribution } from './wire.js';

export interface NewSenderKeyOptions {
  /** Random 31-bit id unless given (libsignal: random below 2^31 - 1). */
  keyId?: number;
  /** 32 random bytes unless given. */
  chainKey?: Uint8Array;
  /**
   * A fresh key pair unless given. A pair with its Ed25519 `seed`
   * (crypto/seeded-signing-key) is signed with by node:crypto; a bare
   * Curve25519 pair through XEdDSA's slower arithmetic.
   */
  signingKeyPair?: KeyPair & { readonly seed?: Uint8Array };
}

export interface SenderKeyDistributionResult {
  /** Our sending record (unchanged when it already had a state). */
  readonly record: SenderKeyRecord;
  /** The SenderKeyDistributionMessage bytes, for every member device. */
  readonly distribution: Uint8Array;
}

function randomKeyId(): number {
  return randomBytes(4).readUInt32BE(0) & 0x7fffffff;
}

/**
 * Our signing key: by default one node:crypto signs with (every message we
 * send is signed, and XEdDSA's arithmetic was most of a group encrypt's cost).
 * A given seed decides the pair; a given bare pair is normalised to its
 * clamped form, as stored keys are elsewhere.
 */
function signingKeyPair(given: NewSenderKeyOptions['signingKeyPair']): KeyPair & { readonly seed?: Uint8Array | undefined } {
  try {
    if (!given) return generateSeededSigningKey();
    return given.seed ? seededSigningKey(given.seed) : keyPairFromPrivate(given.private);
  } catch (cause) {
    throw new GroupCipherError('BAD_DISTRIBUTION', 'the given signing key is unusable', { cause });
  }
}

/**
 * The distribution message for our sending state, creating the state first
 * when `record` is undefined, empty or not ours (no signing private key).
 * To rotate the key (a member left the group), pass undefined.
 * The distribution carries the chain's current iteration and key, so members
 * who get it late can still read every message sent from now on.
 * @throws GroupCipherError BAD_DISTRIBUTION when an option has a wrong length
 */
export function createSenderKeyDistribution(record: SenderKeyRecord | undefined, opts: NewSenderKeyOptions = {}): SenderKeyDistributionResult {
  let state = record?.states[0];
  let out = record;
  if (!out || !state || !state.signingPrivate) {
    const chainKey = opts.chainKey ?? randomBytes(32);
    if (chainKey.length !== 32) throw new GroupCipherError('BAD_DISTRIBUTION', `chain key of ${chainKey.length} bytes, expected 32`);
    const keyId = opts.keyId ?? randomKeyId();
    if (!Number.isInteger(keyId) || keyId < 0 || keyId > 0xffffffff) throw new GroupCipherError('BAD_DISTRIBUTION', `key id ${keyId} is not a uint32`);
    const pair = signingKeyPair(opts.signingKeyPair);
    state = newState(keyId, 0, new Uint8Array(chainKey), pair.public, pair.private, pair.seed);
    out = { states: [state] };
  }
  const distribution = encodeDistribution({ keyId: state.keyId, iteration: state.iteration, chainKey: state.chainKey, signingPublic: state.signingPublic });
  return { record: out, distribution };
}

/**
 * The receiving record after a member's distribution message (see
 * withReceivedState for re-sent and rotated keys).
 * @throws GroupCipherError TRUNCATED, BAD_VERSION, BAD_DISTRIBUTION
 */
export function processSenderKeyDistribution(record: SenderKeyRecord | undefined, distribution: Uint8Array): SenderKeyRecord {
  const d = decodeDistribution(distribution);
  return withReceivedState(record, newState(d.keyId, d.iteration, d.chainKey, d.signingPublic));
}
