// The symmetric state against Baileys' noise handler, which exposes the same
// operations (authenticate = mixHash, mixIntoKey = mixKeys, encrypt, and
// finishInit = split): random operation sequences must give identical bytes.
import { makeNoiseHandler } from 'baileys';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src/protocol/crypto/index.js';
import {
  decryptWithAd,
  encryptWithAd,
  initSymmetric,
  mixHash,
  mixKeys,
  NoiseTransport,
  split,
  WA_INTRO_HEADER,
  type SymmetricState,
} from '../../../src/protocol/noise/index.js';
import { expectNoiseError, hex } from './helpers.js';

const silent = { level: 'silent', child: () => silent, trace() {}, debug() {}, info() {} };
const logger = silent as unknown as Parameters<typeof makeNoiseHandler>[0]['logger'];

type Op = { kind: 'hash' | 'keys' | 'encrypt'; data: Uint8Array };

describe('symmetric state', () => {
  it('matches Baileys step for step (property)', async () => {
    const opArb = fc.record({ kind: fc.constantFrom<Op['kind']>('hash', 'keys', 'encrypt'), data: fc.uint8Array({ maxLength: 100 }) });
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.array(opArb, { maxLength: 15 }), async (firstIkm, ops) => {
        const kp = generateKeyPair();
        const theirs = makeNoiseHandler({ keyPair: { public: Buffer.from(kp.public), private: Buffer.from(kp.private) }, NOISE_HEADER: Buffer.from(WA_INTRO_HEADER), logger });
        // Baileys mixes the header and its ephemeral key at construction.
        let ours: SymmetricState = mixHash(initSymmetric(WA_INTRO_HEADER), kp.public);
        ours = mixKeys(ours, firstIkm);
        theirs.mixIntoKey(Buffer.from(firstIkm));
        for (const op of ops) {
          if (op.kind === 'hash') {
            ours = mixHash(ours, op.data);
            theirs.authenticate(Buffer.from(op.data));
          } else if (op.kind === 'keys') {
            ours = mixKeys(ours, op.data);
            theirs.mixIntoKey(Buffer.from(op.data));
          } else {
            const before = ours;
            const step = encryptWithAd(ours, op.data);
            ours = step.state;
            expect(hex(step.ciphertext)).toBe(hex(theirs.encrypt(Buffer.from(op.data))));
            // And our decrypt inverts our encrypt from the same state.
            expect(hex(decryptWithAd(before, step.ciphertext).plaintext)).toBe(hex(op.data));
          }
        }
        await theirs.finishInit();
        const transport = NoiseTransport.forRole('client', split(ours));
        const probe = Buffer.from('probe');
        expect(hex(transport.encrypt(probe))).toBe(hex(theirs.encrypt(probe)));
      }),
      { numRuns: 150 },
    );
  });

  it('uses the 32-byte protocol name as the initial hash without hashing it', () => {
    const s = initSymmetric(new Uint8Array(0));
    // With an empty prologue, h = SHA-256(name ‖ "") and ck = name.
    expect(Buffer.from(s.salt).toString('latin1')).toBe('Noise_XX_25519_AESGCM_SHA256\0\0\0\0');
    expect(s.key).toBeUndefined();
  });

  it('refuses to encrypt before a key is mixed in, and failed decrypts leave the state usable', () => {
    const s = initSymmetric(WA_INTRO_HEADER);
    expectNoiseError(() => encryptWithAd(s, Uint8Array.of(1)), 'BAD_HANDSHAKE');
    const keyed = mixKeys(s, Uint8Array.of(1, 2, 3));
    const { ciphertext } = encryptWithAd(keyed, Uint8Array.of(9));
    const bad = Uint8Array.from(ciphertext);
    bad[0]! ^= 1;
    expectNoiseError(() => decryptWithAd(keyed, bad), 'DECRYPT');
    expect(hex(decryptWithAd(keyed, ciphertext).plaintext)).toBe('09');
  });
});
