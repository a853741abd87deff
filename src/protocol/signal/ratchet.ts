/**
 * The Double Ratchet on one SessionState, as libsignal-node runs it: encrypt on
 * the sending chain; decrypt by finding (or ratcheting to) the chain of the
 * message's ratchet key, with skipped-message keys for out-of-order delivery.
 *
 * Every function returns a new state and leaves its input untouched, so a
 * decrypt that fails (bad MAC, duplicate, too far ahead) changes nothing.
 * Bounds that libsignal-node lacks: at most MAX_RECEIVING_CHAINS chains and
 * MAX_SKIPPED_KEYS_PER_CHAIN unused keys per chain.
 */
import { aesCbcDecrypt, aesCbcEncrypt } from '../crypto/aes.js';
import { generateKeyPair } from '../crypto/curve25519.js';
import { bytesEqual } from '../crypto/hash.js';
import { BadMacError, DuplicateMessageError, InvalidMessageError, NoSessionError, TooManySkippedMessagesError } from './errors.js';
import { agree, chainStep, messageKeys, rootStep } from './kdf.js';
import {
  MAX_RECEIVING_CHAINS,
  MAX_SKIP,
  MAX_SKIPPED_KEYS_PER_CHAIN,
  type ReceivingChain,
  type SessionState,
  type SkippedKey,
} from './state.js';
import { encodeWhisperMessage, encodeWireKey, whisperMac, type ParsedWhisperMessage } from './wire.js';

/**
 * Encrypts one plaintext into a `msg` (the pkmsg wrapper, if due, is the caller's).
 * @throws NoSessionError when the state cannot send yet
 */
export function ratchetEncrypt(
  state: SessionState,
  ourIdentity33: Uint8Array,
  plaintext: Uint8Array,
): { state: SessionState; message: Uint8Array } {
  const sending = state.sending;
  if (!sending) throw new NoSessionError('the session has no sending chain yet');
  const chain = chainStep(sending.chainKey);
  const keys = messageKeys(chain.seed);
  const message = encodeWhisperMessage(
    {
      ratchetKey: state.ourRatchet.public,
      counter: sending.nextCounter,
      previousCounter: state.previousCounter,
      ciphertext: aesCbcEncrypt(keys.cipherKey, keys.iv, plaintext),
    },
    keys.macKey,
    ourIdentity33,
    encodeWireKey(state.remoteIdentity),
  );
  return {
    state: { ...state, sending: { chainKey: chain.next, nextCounter: sending.nextCounter + 1 } },
    message,
  };
}

/**
 * Decrypts a parsed `msg` with this state.
 * @throws BadMacError, DuplicateMessageError, TooManySkippedMessagesError,
 *   InvalidMessageError (CHAIN_CLOSED, BAD_CIPHERTEXT), InvalidKeyError
 */
export function ratchetDecrypt(
  state: SessionState,
  ourIdentity33: Uint8Array,
  message: ParsedWhisperMessage,
): { state: SessionState; plaintext: Uint8Array } {
  let next = state;
  let index = findChain(state.receiving, message.ratchetKey);
  if (index < 0) {
    next = step(state, message.ratchetKey, message.previousCounter);
    index = 0;
  }
  const { chain, seed } = takeMessageKey(next.receiving[index]!, message.counter);
  const keys = messageKeys(seed);
  const mac = whisperMac(keys.macKey, encodeWireKey(next.remoteIdentity), ourIdentity33, message.body);
  if (!bytesEqual(mac, message.mac)) throw new BadMacError();
  let plaintext: Uint8Array;
  try {
    plaintext = aesCbcDecrypt(keys.cipherKey, keys.iv, message.ciphertext);
  } catch (cause) {
    throw new InvalidMessageError('BAD_CIPHERTEXT', 'authenticated ciphertext does not decrypt', { cause });
  }
  const receiving = next.receiving.slice();
  receiving[index] = chain;
  return { state: { ...next, receiving, pendingPreKey: undefined }, plaintext };
}

function findChain(chains: readonly ReceivingChain[], ratchetKey: Uint8Array): number {
  for (let i = 0; i < chains.length; i++) if (bytesEqual(chains[i]!.ratchetKey, ratchetKey)) return i;
  return -1;
}

/**
 * The peer sent with a new ratchet key: close the chain of its previous key
 * (keeping keys up to `previousCounter` for late messages), derive the
 * receiving chain for the new key, then a fresh key pair and sending chain.
 */
function step(state: SessionState, theirRatchet: Uint8Array, previousCounter: number): SessionState {
  let receiving = state.receiving;
  const last = findChain(receiving, state.theirRatchet);
  if (last >= 0) {
    const closed = deriveUpTo(receiving[last]!, previousCounter + 1);
    const copy = receiving.slice();
    copy[last] = { ...closed, chainKey: undefined };
    receiving = copy;
  }
  const received = rootStep(state.rootKey, agree(state.ourRatchet.private, theirRatchet));
  const ourRatchet = generateKeyPair();
  const sent = rootStep(received.rootKey, agree(ourRatchet.private, theirRatchet));
  const fresh: ReceivingChain = { ratchetKey: theirRatchet, chainKey: received.chainKey, nextCounter: 0, skipped: [] };
  return {
    ...state,
    rootKey: sent.rootKey,
    ourRatchet,
    theirRatchet: fresh.ratchetKey,
    // Java libsignal's max(index - 1, 0): libsignal-node would send -1 for an unused chain.
    previousCounter: state.sending ? Math.max(state.sending.nextCounter - 1, 0) : state.previousCounter,
    sending: { chainKey: sent.chainKey, nextCounter: 0 },
    receiving: [fresh, ...receiving].slice(0, MAX_RECEIVING_CHAINS),
  };
}

/**
 * Derives the chain forward so that keys below `end` exist, storing the new
 * ones as skipped keys (at most MAX_SKIP at once, libsignal's limit).
 */
function deriveUpTo(chain: ReceivingChain, end: number): ReceivingChain {
  if (end <= chain.nextCounter) return chain;
  if (end - chain.nextCounter > MAX_SKIP) throw new TooManySkippedMessagesError(end - chain.nextCounter);
  if (!chain.chainKey) throw new InvalidMessageError('CHAIN_CLOSED', 'message is beyond the end of a closed chain');
  let chainKey = chain.chainKey;
  const added: SkippedKey[] = [];
  for (let counter = chain.nextCounter; counter < end; counter++) {
    const step = chainStep(chainKey);
    added.push({ counter, seed: step.seed });
    chainKey = step.next;
  }
  let skipped = chain.skipped.length === 0 ? added : chain.skipped.concat(added);
  if (skipped.length > MAX_SKIPPED_KEYS_PER_CHAIN) skipped = skipped.slice(skipped.length - MAX_SKIPPED_KEYS_PER_CHAIN);
  return { ...chain, chainKey, nextCounter: end, skipped };
}

/** The key seed for `counter`, and the chain without it. */
function takeMessageKey(chain: ReceivingChain, counter: number): { chain: ReceivingChain; seed: Uint8Array } {
  if (counter < chain.nextCounter) {
    const at = chain.skipped.findIndex((k) => k.counter === counter);
    // Used already (or its key was evicted by MAX_SKIPPED_KEYS_PER_CHAIN long ago).
    if (at < 0) throw new DuplicateMessageError(counter);
    const skipped = chain.skipped.slice();
    const [{ seed }] = skipped.splice(at, 1) as [SkippedKey];
    return { chain: { ...chain, skipped }, seed };
  }
  if (counter + 1 - chain.nextCounter > MAX_SKIP) throw new TooManySkippedMessagesError(counter + 1 - chain.nextCounter);
  if (!chain.chainKey) throw new InvalidMessageError('CHAIN_CLOSED', 'message is beyond the end of a closed chain');
  // Derive keys through `counter` (the last one is this message's, the rest are skipped).
  const derived = deriveUpTo(chain, counter);
  const step = chainStep(derived.chainKey!);
  return {
    chain: { ...derived, chainKey: step.next, nextCounter: counter + 1 },
    seed: step.seed,
  };
}
