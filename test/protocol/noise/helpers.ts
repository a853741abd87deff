// Shared test helpers for the Noise suites.
import { expect } from 'vitest';
import { NoiseError, type NoiseErrorCode } from '../../../src/protocol/noise/index.js';

export const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');

export function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

/** Splits `bytes` at the given cut points (taken modulo its length), in order. */
export function chunkAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => (bytes.length === 0 ? 0 : c % (bytes.length + 1))))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let at = 0;
  for (const p of points) {
    chunks.push(bytes.subarray(at, p));
    at = p;
  }
  chunks.push(bytes.subarray(at));
  return chunks;
}

/** A deterministic pseudo-random generator (xorshift32) for fuzz loops. */
export function rng(seed: number): { next(): number; int(n: number): number; bytes(n: number): Uint8Array } {
  let x = seed >>> 0 || 1;
  const next = (): number => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  return {
    next,
    int: (n) => next() % n,
    bytes: (n) => {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = next() & 0xff;
      return out;
    },
  };
}

export function expectNoiseError(fn: () => unknown, code: NoiseErrorCode): NoiseError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(NoiseError);
    expect((e as NoiseError).code).toBe(code);
    return e as NoiseError;
  }
  throw new Error(`expected NoiseError ${code}, nothing was thrown`);
}

import { generateKeyPair, keyPairFromPrivate, xeddsaSign, type KeyPair } from '../../../src/protocol/crypto/index.js';
import { proto } from '../../../src/protocol/proto/index.js';
import { makeCertChain } from '../../../src/protocol/noise/index.js';

export interface Pki {
  root: KeyPair;
  intermediate: KeyPair;
  serverStatic: KeyPair;
  certChain: Uint8Array;
}

/** A root, an intermediate and a server static key, with the chain linking them. */
export function makePki(seed?: number): Pki {
  const key = (i: number): KeyPair => (seed === undefined ? generateKeyPair() : keyPairFromPrivate(new Uint8Array(32).fill(seed + i)));
  const root = key(1);
  const intermediate = key(2);
  const serverStatic = key(3);
  const certChain = makeCertChain({ rootPrivateKey: root.private, intermediateKeyPair: intermediate, serverStaticPublic: serverStatic.public });
  return { root, intermediate, serverStatic, certChain };
}

type Details = proto.CertChain.NoiseCertificate.IDetails;

/** A chain from explicit details, each signed by the given key (for building broken chains). */
export function signChain(opts: {
  intermediate: Details;
  leaf: Details;
  intermediateSigner: Uint8Array;
  leafSigner: Uint8Array;
  mutate?: (chain: proto.ICertChain) => void;
}): Uint8Array {
  const interBytes = proto.CertChain.NoiseCertificate.Details.encode(opts.intermediate).finish();
  const leafBytes = proto.CertChain.NoiseCertificate.Details.encode(opts.leaf).finish();
  const chain: proto.ICertChain = {
    intermediate: { details: interBytes, signature: xeddsaSign(opts.intermediateSigner, interBytes) },
    leaf: { details: leafBytes, signature: xeddsaSign(opts.leafSigner, leafBytes) },
  };
  opts.mutate?.(chain);
  return proto.CertChain.encode(chain).finish();
}
