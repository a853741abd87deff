/**
 * Group encrypt and decrypt (`skmsg`) over immutable sender-key records.
 * Owns which message key a message may use (the chain's iteration rules);
 * never mutates a record, so a failed decrypt leaves the caller's record as
 * it was. Plaintexts are taken and returned as given: WhatsApp's random
 * padding is the caller's (signal/padding).
 */
import { aesCbcDecrypt, aesCbcEncrypt, xeddsaVerify } from '../../crypto/index.js';
import { chainStep, messageKeyFromSeed, nextChainKey } from './chain.js';
import { GroupCipherError } from './errors.js';
import {
  MAX_FORWARD_JUMP,
  MAX_ITERATION,
  MAX_SKIPPED_KEYS,
  findState,
  withUpdatedState,
  type SenderKeyRecord,
  type SenderKeyState,
} from './record.js';
import { findSkipped, skippedSeedAt, withSkipped, withoutSkipped } from './skipped.js';
import { decodeSenderKeyMessage, encodeSenderKeyMessage } from './wire.js';

export interface GroupEncryptResult {
  readonly record: SenderKeyRecord;
  /** The skmsg bytes. */
  readonly ciphertext: Uint8Array;
}

export interface GroupDecryptResult {
  readonly record: SenderKeyRecord;
  readonly plaintext: Uint8Array;
}

/**
 * Encrypts with our newest sending state and advances its chain by one
 * (iterations 0, 1, 2, … as libsignal; Baileys' sender skips every other one).
 * `random` (64 bytes) only makes an XEdDSA signature reproducible in tests
 * (a key made with its Ed25519 seed signs deterministically).
 * @throws GroupCipherError NO_SENDER_KEY (empty record), NO_SIGNING_KEY (a
 *   receiving record), CHAIN_EXHAUSTED
 */
export function groupEncrypt(record: SenderKeyRecord, plaintext: Uint8Array, opts: { random?: Uint8Array } = {}): GroupEncryptResult {
  const state = record.states[0];
  if (!state) throw new GroupCipherError('NO_SENDER_KEY', 'no sender key to encrypt with: create a distribution first');
  if (!state.signingPrivate) throw new GroupCipherError('NO_SIGNING_KEY', `sender key ${state.keyId} is a receiving state`);
  if (state.iteration >= MAX_ITERATION) throw new GroupCipherError('CHAIN_EXHAUSTED', `sender key ${state.keyId} is exhausted`);
  const step = chainStep(state.chainKey);
  const { iv, cipherKey } = messageKeyFromSeed(step.seed);
  const body = aesCbcEncrypt(cipherKey, iv, plaintext);
  const ciphertext = encodeSenderKeyMessage({ keyId: state.keyId, iteration: state.iteration, ciphertext: body }, state.signingPrivate, {
    seed: state.signingSeed,
    random: opts.random,
  });
  const next: SenderKeyState = { ...state, iteration: state.iteration + 1, chainKey: step.next };
  return { record: withUpdatedState(record, state, next), ciphertext };
}

/**
 * The message-key seed for `iteration` and the state after using it: a
 * skipped key is consumed; a future iteration stores the keys it passes.
 */
function takeMessageKey(state: SenderKeyState, iteration: number): { seed: Uint8Array; state: SenderKeyState } {
  if (iteration < state.iteration) {
    const index = findSkipped(state.skipped, iteration);
    if (index < 0) {
      throw new GroupCipherError('DUPLICATE', `iteration ${iteration} of sender key ${state.keyId} was used already or is older than the kept keys (chain at ${state.iteration})`);
    }
    return { seed: skippedSeedAt(state.skipped, index), state: { ...state, skipped: withoutSkipped(state.skipped, index) } };
  }
  if (iteration - state.iteration > MAX_FORWARD_JUMP) {
    throw new GroupCipherError('TOO_FAR_AHEAD', `iteration ${iteration} is more than ${MAX_FORWARD_JUMP} past the chain (${state.iteration})`);
  }
  if (iteration >= MAX_ITERATION) throw new GroupCipherError('CHAIN_EXHAUSTED', `iteration ${iteration} would exhaust the chain`);
  let chainKey = state.chainKey;
  const passed: Array<readonly [number, Uint8Array]> = [];
  // Keys that the bound would drop at once are not worth deriving.
  const firstKept = iteration - MAX_SKIPPED_KEYS;
  for (let i = state.iteration; i < iteration; i++) {
    if (i >= firstKept) {
      const step = chainStep(chainKey);
      passed.push([i, step.seed]);
      chainKey = step.next;
    } else {
      chainKey = nextChainKey(chainKey);
    }
  }
  const { seed, next } = chainStep(chainKey);
  const skipped = passed.length === 0 ? state.skipped : withSkipped(state.skipped, passed, MAX_SKIPPED_KEYS);
  return { seed, state: { ...state, iteration: iteration + 1, chainKey: next, skipped } };
}

/**
 * Verifies and decrypts an skmsg with the state its key id names.
 * @throws GroupCipherError TRUNCATED, BAD_VERSION, BAD_MESSAGE (malformed
 *   bytes), NO_SENDER_KEY (no state for the key id: process the sender's
 *   distribution message, then retry), BAD_SIGNATURE, DUPLICATE,
 *   TOO_FAR_AHEAD, CHAIN_EXHAUSTED, DECRYPT_FAILED
 */
export function groupDecrypt(record: SenderKeyRecord | undefined, skmsg: Uint8Array): GroupDecryptResult {
  const msg = decodeSenderKeyMessage(skmsg);
  const state = findState(record, msg.keyId);
  if (!record || !state) throw new GroupCipherError('NO_SENDER_KEY', `no sender key ${msg.keyId} for this sender`);
  if (!xeddsaVerify(state.signingPublic, msg.signed, msg.signature)) {
    throw new GroupCipherError('BAD_SIGNATURE', `skmsg signature does not verify with sender key ${msg.keyId}`);
  }
  const taken = takeMessageKey(state, msg.iteration);
  const { iv, cipherKey } = messageKeyFromSeed(taken.seed);
  let plaintext: Uint8Array;
  try {
    plaintext = aesCbcDecrypt(cipherKey, iv, msg.ciphertext);
  } catch (cause) {
    throw new GroupCipherError('DECRYPT_FAILED', `skmsg iteration ${msg.iteration} does not decrypt`, { cause });
  }
  return { record: withUpdatedState(record, state, taken.state), plaintext };
}
