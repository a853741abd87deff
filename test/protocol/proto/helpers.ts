// Differential helpers: encode/decode the same object with our generated
// module and with Baileys' (an independent build of the public schema), and
// compare bytes and plain-object forms.
import { createHash } from 'node:crypto';
import { expect } from 'vitest';

/**
 * The slice of a protobufjs static message class these helpers use. Method
 * syntax keeps parameters bivariant, so every generated class fits Codec<unknown>.
 */
export interface Codec<T = unknown> {
  encode(message: T): { finish(): Uint8Array };
  decode(bytes: Uint8Array): T;
  fromObject(object: Record<string, unknown>): T;
  toObject(message: T, options?: Record<string, unknown>): Record<string, unknown>;
}

/** Plain form used for comparisons: base64 bytes, numeric longs, enum names. */
export const PLAIN = { longs: Number, bytes: String, enums: String } as const;
/** Same with enum numbers: stable when our enum keeps only a subset of names. */
export const PLAIN_NUMERIC = { longs: Number, bytes: String, enums: Number } as const;

/** Deterministic "random" bytes for fixtures. */
export function bytes(length: number, seed: string): Uint8Array {
  const out = new Uint8Array(length);
  for (let block = 0; block * 32 < length; block++) {
    const digest = createHash('sha256').update(`${seed}/${block}`).digest();
    out.set(digest.subarray(0, Math.min(32, length - block * 32)), block * 32);
  }
  return out;
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/**
 * Asserts that `object` survives both directions identically:
 * ours.encode → theirs.decode, theirs.encode → ours.decode, the same bytes
 * from both encoders, and nothing lost (what ours decodes equals what Baileys
 * makes of the input). Returns our encoding.
 */
export function expectSameRoundTrip(ours: Codec, theirs: Codec, object: Record<string, unknown>): Uint8Array {
  const expected = theirs.toObject(theirs.fromObject(object), PLAIN);
  const ourBytes = ours.encode(ours.fromObject(object)).finish();
  const theirBytes = theirs.encode(theirs.fromObject(object)).finish();
  expect(hex(ourBytes)).toBe(hex(theirBytes));

  expect(theirs.toObject(theirs.decode(ourBytes), PLAIN)).toEqual(expected);
  expect(ours.toObject(ours.decode(theirBytes), PLAIN)).toEqual(expected);
  // Re-encoding what we decoded reproduces the bytes: nothing dropped or reordered.
  expect(hex(ours.encode(ours.decode(theirBytes)).finish())).toBe(hex(theirBytes));
  return ourBytes;
}

/** Same as expectSameRoundTrip for a message Baileys built (a class instance). */
export function expectSameAsBaileys(ours: Codec, theirs: Codec, theirMessage: unknown): Uint8Array {
  const theirBytes = theirs.encode(theirMessage).finish();
  const expected = theirs.toObject(theirs.decode(theirBytes), PLAIN);
  const decoded = ours.decode(theirBytes);
  expect(ours.toObject(decoded, PLAIN)).toEqual(expected);
  const ourBytes = ours.encode(decoded).finish();
  expect(hex(ourBytes)).toBe(hex(theirBytes));
  expect(theirs.toObject(theirs.decode(ourBytes), PLAIN)).toEqual(expected);
  return ourBytes;
}
