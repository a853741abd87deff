/**
 * One encrypted app state record, both ways. A record is
 *
 *   index: HMAC-SHA256(index key, JSON index)      e.g. ["mute","<jid>"]
 *   value: iv ‖ AES-256-CBC(SyncActionData) ‖ value MAC
 *   keyId: the sync key both are made with
 *
 * and SyncActionData repeats the JSON index inside the encryption, so a
 * reader proves the index MAC names what the value says. Decoding checks, in
 * this order: the key is known, the value MAC, the padding, the protobuf, the
 * index MAC, the index JSON; the first failure throws and nothing is returned.
 */
import { aesCbcDecrypt, aesCbcEncrypt } from '../crypto/aes.js';
import { bytesEqual } from '../crypto/hash.js';
import { proto } from '../proto/index.js';
import { AppStateError } from './errors.js';
import { requireKeys, type KeyLookup, type MutationKeys } from './keys.js';
import { indexMac, MAC_LENGTH, valueMac, type MutationOperation } from './macs.js';

const IV_LENGTH = 16;
const AES_BLOCK = 16;
const { SET, REMOVE } = proto.SyncdMutation.SyncdOperation;

/** What one mutation says, before encryption or after decryption. */
export interface MutationContent {
  readonly operation: MutationOperation;
  /** The JSON index as its elements, e.g. ["pin_v1", "<jid>"]. */
  readonly index: readonly string[];
  readonly value: proto.ISyncActionValue;
  /** The action's schema version (SyncActionData.version), e.g. 2 for mute, 5 for pin. */
  readonly version: number;
}

export interface EncodedMutation {
  readonly mutation: proto.ISyncdMutation;
  readonly indexMac: Uint8Array;
  readonly valueMac: Uint8Array;
}

export interface DecodedMutation extends MutationContent {
  readonly value: proto.SyncActionValue;
  readonly indexMac: Uint8Array;
  readonly valueMac: Uint8Array;
  readonly keyId: Uint8Array;
}

/** The key a mutation is encrypted with: its id and its expansion. */
export interface SigningKey {
  readonly keyId: Uint8Array;
  readonly keys: MutationKeys;
}

/**
 * Encrypts one mutation. The IV comes from the caller (randomness is not
 * this layer's): 16 fresh random bytes per mutation.
 * @throws AppStateError BAD_RECORD when iv is not 16 bytes
 */
export function encodeMutation(content: MutationContent, key: SigningKey, iv: Uint8Array): EncodedMutation {
  if (iv.length !== IV_LENGTH) throw new AppStateError('BAD_RECORD', `a value IV is ${IV_LENGTH} bytes, got ${iv.length}`);
  const indexBytes = new TextEncoder().encode(JSON.stringify(content.index));
  const plaintext = proto.SyncActionData.encode({
    index: indexBytes,
    value: content.value,
    padding: new Uint8Array(0),
    version: content.version,
  }).finish();
  const ciphertext = aesCbcEncrypt(key.keys.valueEncryption, iv, plaintext);
  const data = new Uint8Array(IV_LENGTH + ciphertext.length);
  data.set(iv, 0);
  data.set(ciphertext, IV_LENGTH);
  const vMac = valueMac(content.operation, data, key.keyId, key.keys.valueMac);
  const iMac = indexMac(key.keys.index, indexBytes);
  const blob = new Uint8Array(data.length + MAC_LENGTH);
  blob.set(data, 0);
  blob.set(vMac, data.length);
  return {
    mutation: {
      operation: content.operation === 'set' ? SET : REMOVE,
      record: { index: { blob: iMac }, value: { blob }, keyId: { id: key.keyId } },
    },
    indexMac: iMac,
    valueMac: vMac,
  };
}

/** The operation of a wire mutation (absent means SET, the protobuf default). */
export function operationOf(mutation: proto.ISyncdMutation): MutationOperation {
  const op = mutation.operation ?? SET;
  if (op === SET) return 'set';
  if (op === REMOVE) return 'remove';
  throw new AppStateError('BAD_RECORD', `unknown mutation operation ${String(op)}`);
}

/** The value MAC a record carries (its last 32 bytes), checked for length only. */
export function recordValueMac(record: proto.ISyncdRecord | null | undefined): Uint8Array {
  return splitRecord(record).mac;
}

/**
 * Decrypts and verifies one record.
 * @throws AppStateError MISSING_KEY, BAD_RECORD, BAD_VALUE_MAC, BAD_DECRYPT, BAD_CONTENT, BAD_INDEX_MAC
 */
export function decodeRecord(operation: MutationOperation, record: proto.ISyncdRecord | null | undefined, lookup: KeyLookup): DecodedMutation {
  const { keyId, indexMac: iMac, data, mac } = splitRecord(record);
  const keys = requireKeys(lookup, keyId, 'a record');
  if (!bytesEqual(valueMac(operation, data, keyId, keys.valueMac), mac)) {
    throw new AppStateError('BAD_VALUE_MAC', 'the value MAC of a record does not verify', { keyId });
  }
  let plaintext: Uint8Array;
  try {
    plaintext = aesCbcDecrypt(keys.valueEncryption, data.subarray(0, IV_LENGTH), data.subarray(IV_LENGTH));
  } catch (cause) {
    throw new AppStateError('BAD_DECRYPT', 'a record with a valid MAC does not decrypt', { cause, keyId });
  }
  let action: proto.SyncActionData;
  try {
    action = proto.SyncActionData.decode(plaintext);
  } catch (cause) {
    throw new AppStateError('BAD_CONTENT', 'a record does not hold a SyncActionData', { cause, keyId });
  }
  const indexBytes = action.index ?? new Uint8Array(0);
  if (!bytesEqual(indexMac(keys.index, indexBytes), iMac)) {
    throw new AppStateError('BAD_INDEX_MAC', 'the index MAC of a record does not match its index', { keyId });
  }
  return {
    operation,
    index: parseIndex(indexBytes),
    value: action.value ? (action.value as proto.SyncActionValue) : proto.SyncActionValue.create(),
    version: action.version ?? 0,
    indexMac: iMac,
    valueMac: mac,
    keyId,
  };
}

function splitRecord(record: proto.ISyncdRecord | null | undefined): { keyId: Uint8Array; indexMac: Uint8Array; data: Uint8Array; mac: Uint8Array } {
  const keyId = record?.keyId?.id;
  const iMac = record?.index?.blob;
  const blob = record?.value?.blob;
  if (!keyId || keyId.length === 0) throw new AppStateError('BAD_RECORD', 'a record names no key id');
  if (!iMac || iMac.length !== MAC_LENGTH) throw new AppStateError('BAD_RECORD', `a record's index MAC is ${iMac?.length ?? 0} bytes, not ${MAC_LENGTH}`);
  // At least one cipher block: CBC with PKCS#7 never yields less.
  if (!blob || blob.length < IV_LENGTH + AES_BLOCK + MAC_LENGTH || (blob.length - IV_LENGTH - MAC_LENGTH) % AES_BLOCK !== 0) {
    throw new AppStateError('BAD_RECORD', `a record value of ${blob?.length ?? 0} bytes is not iv ‖ whole cipher blocks ‖ MAC`);
  }
  return { keyId, indexMac: iMac, data: blob.subarray(0, blob.length - MAC_LENGTH), mac: blob.subarray(blob.length - MAC_LENGTH) };
}

function parseIndex(bytes: Uint8Array): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    throw new AppStateError('BAD_CONTENT', 'a record index is not JSON', { cause });
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((e): e is string => typeof e === 'string')) {
    throw new AppStateError('BAD_CONTENT', 'a record index is not a non-empty JSON array of strings');
  }
  return parsed;
}
