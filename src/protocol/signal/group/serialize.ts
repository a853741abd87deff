/**
 * The stored form of a sender-key record: compact, versioned bytes.
 * Owns this layout only (a store keeps the bytes; worker jobs carry them).
 *
 * format 1, integers big-endian:
 *   u8 format (1) ‖ u8 state count (≤ MAX_STATES) ‖ per state:
 *     u32 key id ‖ u32 iteration ‖ chain key (32) ‖ signing public (32) ‖
 *     u8 flags (bit 0: a signing private key follows; bit 1, only with bit 0:
 *       its Ed25519 seed follows it) ‖ [signing private (32)] ‖ [signing seed (32)] ‖
 *     u16 skipped count (≤ MAX_SKIPPED_KEYS) ‖ skipped entries (36 each, skipped.ts)
 */
import { GroupCipherError } from './errors.js';
import { MAX_SKIPPED_KEYS, MAX_STATES, type SenderKeyRecord, type SenderKeyState } from './record.js';
import { SKIPPED_ENTRY_BYTES, skippedCount } from './skipped.js';

export const SENDER_KEY_RECORD_FORMAT = 1;

const FIXED_STATE_BYTES = 4 + 4 + 32 + 32 + 1 + 2;
const HAS_PRIVATE = 1;
const HAS_SEED = 2;

export function serializeSenderKeyRecord(record: SenderKeyRecord): Uint8Array {
  let size = 2;
  for (const s of record.states) size += FIXED_STATE_BYTES + (s.signingPrivate ? 32 : 0) + (s.signingPrivate && s.signingSeed ? 32 : 0) + s.skipped.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out[0] = SENDER_KEY_RECORD_FORMAT;
  out[1] = record.states.length;
  let o = 2;
  for (const s of record.states) {
    view.setUint32(o, s.keyId);
    view.setUint32(o + 4, s.iteration);
    out.set(s.chainKey, o + 8);
    out.set(s.signingPublic, o + 40);
    out[o + 72] = s.signingPrivate ? HAS_PRIVATE | (s.signingSeed ? HAS_SEED : 0) : 0;
    o += 73;
    if (s.signingPrivate) {
      out.set(s.signingPrivate, o);
      o += 32;
      if (s.signingSeed) {
        out.set(s.signingSeed, o);
        o += 32;
      }
    }
    view.setUint16(o, skippedCount(s.skipped));
    out.set(s.skipped, o + 2);
    o += 2 + s.skipped.length;
  }
  return out;
}

/** A view into the record's own copy of the bytes. */
function view(bytes: Uint8Array, start: number, end: number): Uint8Array {
  return bytes.subarray(start, end);
}

function bad(message: string): never {
  throw new GroupCipherError('BAD_RECORD', message);
}

/**
 * Reads stored record bytes; the result shares no memory with `bytes` (they
 * are copied once, and the record's keys are views into that copy: stored
 * keys must not alias the caller's buffer, and one copy is cheaper than one
 * per key).
 * @throws GroupCipherError BAD_RECORD for an unknown format, a wrong length
 *   or counts beyond the limits
 */
export function deserializeSenderKeyRecord(input: Uint8Array): SenderKeyRecord {
  const bytes = new Uint8Array(input); // a copy even of a Buffer (whose slice is a view)
  if (bytes.length < 2) bad('sender key record is truncated');
  if (bytes[0] !== SENDER_KEY_RECORD_FORMAT) bad(`unknown sender key record format ${bytes[0]}`);
  const count = bytes[1]!;
  if (count > MAX_STATES) bad(`sender key record holds ${count} states, more than ${MAX_STATES}`);
  const data = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (o: number, n: number) => {
    if (o + n > bytes.length) bad('sender key record is truncated');
  };
  const states: SenderKeyState[] = [];
  let o = 2;
  for (let i = 0; i < count; i++) {
    need(o, 73);
    const flags = bytes[o + 72]!;
    if ((flags & ~(HAS_PRIVATE | HAS_SEED)) !== 0 || flags === HAS_SEED) bad(`unknown state flags ${flags}`);
    const keyId = data.getUint32(o);
    const iteration = data.getUint32(o + 4);
    const chainKey = view(bytes, o + 8, o + 40);
    const signingPublic = view(bytes, o + 40, o + 72);
    let signingPrivate: Uint8Array | undefined;
    let signingSeed: Uint8Array | undefined;
    o += 73;
    if (flags & HAS_PRIVATE) {
      need(o, 32);
      signingPrivate = view(bytes, o, o + 32);
      o += 32;
    }
    if (flags & HAS_SEED) {
      need(o, 32);
      signingSeed = view(bytes, o, o + 32);
      o += 32;
    }
    need(o, 2);
    const skippedN = data.getUint16(o);
    if (skippedN > MAX_SKIPPED_KEYS) bad(`state holds ${skippedN} skipped keys, more than ${MAX_SKIPPED_KEYS}`);
    need(o + 2, skippedN * SKIPPED_ENTRY_BYTES);
    o += 2;
    // Lookups binary-search, so order is part of validity.
    for (let k = 1; k < skippedN; k++) {
      const at = o + k * SKIPPED_ENTRY_BYTES;
      if (data.getUint32(at) <= data.getUint32(at - SKIPPED_ENTRY_BYTES)) bad('skipped keys are not in ascending order');
    }
    const skipped = view(bytes, o, o + skippedN * SKIPPED_ENTRY_BYTES);
    o += skipped.length;
    states.push({ keyId, iteration, chainKey, signingPublic, signingPrivate, signingSeed, skipped });
  }
  if (o !== bytes.length) bad(`sender key record has ${bytes.length - o} trailing bytes`);
  return { states };
}
