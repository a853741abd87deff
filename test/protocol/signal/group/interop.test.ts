// Differential tests: our sender-key code against Baileys' group cipher, both
// ways, including distribution messages that arrive after the messages.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  GroupCipherError,
  createSenderKeyDistribution,
  groupDecrypt,
  groupEncrypt,
  processSenderKeyDistribution,
  type SenderKeyRecord,
} from '../../../../src/protocol/signal/group/index.js';
import { messageKeyFromSeed, messageKeySeed, nextChainKey } from '../../../../src/protocol/signal/group/chain.js';
import { SenderChainKey, SenderKeyDistributionMessage, SenderKeyMessage } from 'baileys/lib/Signal/Group/index.js';
import { decodeSenderKeyMessage } from '../../../../src/protocol/signal/group/wire.js';
import { toSignalPublicKey } from '../../../../src/protocol/crypto/index.js';
import { BaileysGroupChain } from './baileys-member.js';

const require = createRequire(import.meta.url);
const { randomBytes } = require('node:crypto') as typeof import('node:crypto');
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const text = (s: string) => new TextEncoder().encode(s);

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(GroupCipherError);
    return (e as GroupCipherError).code;
  }
  throw new Error('expected a GroupCipherError');
}

describe('sender chain derivations', () => {
  it('give the seeds, next chain keys, IVs and cipher keys of Baileys for random chain keys', () => {
    for (let i = 0; i < 50; i++) {
      const ck = randomBytes(32);
      const theirs = new SenderChainKey(i, ck);
      const theirKey = theirs.getSenderMessageKey();
      const ours = messageKeyFromSeed(messageKeySeed(ck));
      expect(hex(messageKeySeed(ck))).toBe(hex(theirKey.getSeed()));
      expect(hex(nextChainKey(ck))).toBe(hex(theirs.getNext().getSeed()));
      expect(hex(ours.iv)).toBe(hex(theirKey.getIv()));
      expect(hex(ours.cipherKey)).toBe(hex(theirKey.getCipherKey()));
    }
  });
});

describe('wire bytes', () => {
  it('our distribution is byte for byte the one Baileys builds from the same fields', () => {
    for (const [keyId, iteration] of [[0, 0], [1, 0], [0x7ffffffe, 5], [12345, 0xffffffff]] as const) {
      const chainKey = randomBytes(32);
      const ours = createSenderKeyDistribution(undefined, { keyId, chainKey }).record;
      // A state part-way along its chain carries its iteration in the distribution.
      const state = { ...ours.states[0]!, iteration };
      const { distribution } = createSenderKeyDistribution({ states: [state] });
      const theirs = new SenderKeyDistributionMessage(keyId, iteration, chainKey, Buffer.from(toSignalPublicKey(state.signingPublic)));
      expect(hex(distribution)).toBe(hex(theirs.serialize()));
    }
  });

  it('our skmsg is, up to the (randomised) signature, the one Baileys builds, and its signature verifies there', () => {
    for (let i = 0; i < 10; i++) {
      const { record } = createSenderKeyDistribution(undefined);
      const state = { ...record.states[0]!, iteration: i * 1000 };
      const ours = groupEncrypt({ states: [state] }, randomBytes(i * 10)).ciphertext;
      const parsed = decodeSenderKeyMessage(ours);
      const theirs = new SenderKeyMessage(parsed.keyId, parsed.iteration, Buffer.from(parsed.ciphertext), Buffer.from(state.signingPrivate!));
      expect(hex(parsed.signed)).toBe(hex(theirs.serialize().subarray(0, -64)));
      const reparsed = new SenderKeyMessage(null, null, null, null, Buffer.from(ours));
      expect(reparsed.getKeyId()).toBe(state.keyId);
      expect(reparsed.getIteration()).toBe(i * 1000);
      expect(() => reparsed.verifySignature(Buffer.from(toSignalPublicKey(state.signingPublic)))).not.toThrow();
    }
  });
});

describe('our sender, Baileys receivers', () => {
  it('Baileys processes our distribution and decrypts our messages in order', async () => {
    const { record, distribution } = createSenderKeyDistribution(undefined);
    const them = new BaileysGroupChain();
    await them.process(distribution);
    let r: SenderKeyRecord = record;
    for (let i = 0; i < 20; i++) {
      const pt = text(`hello group ${i} `.repeat(i));
      const out = groupEncrypt(r, pt);
      r = out.record;
      expect(hex(await them.decrypt(out.ciphertext))).toBe(hex(pt));
    }
  });

  it('Baileys decrypts our messages out of order, and a late joiner reads from the distribution on', async () => {
    let r = createSenderKeyDistribution(undefined).record;
    const early = new BaileysGroupChain();
    await early.process(createSenderKeyDistribution(r).distribution);
    const sent: Array<[Uint8Array, Uint8Array]> = [];
    for (let i = 0; i < 10; i++) {
      const pt = randomBytes(1 + i * 7);
      const out = groupEncrypt(r, pt);
      r = out.record;
      sent.push([pt, out.ciphertext]);
    }
    // A member who joins now gets a distribution at iteration 10.
    const late = new BaileysGroupChain();
    await late.process(createSenderKeyDistribution(r).distribution);
    const after = groupEncrypt(r, text('after'));
    expect(hex(await late.decrypt(after.ciphertext))).toBe(hex(text('after')));
    for (const i of [9, 3, 0, 5, 1, 2, 8, 4, 7, 6]) {
      expect(hex(await early.decrypt(sent[i]![1]))).toBe(hex(sent[i]![0]));
    }
  });
});

describe('Baileys sender, our receivers', () => {
  it('we decrypt Baileys messages (it skips every other iteration) in and out of order', async () => {
    const them = new BaileysGroupChain();
    let r = processSenderKeyDistribution(undefined, await them.distribution());
    const sent: Array<[Uint8Array, Uint8Array]> = [];
    for (let i = 0; i < 12; i++) {
      const pt = randomBytes(i * 5);
      sent.push([pt, await them.encrypt(pt)]);
    }
    for (const i of [0, 1, 2, 11, 5, 4, 3, 10, 6, 9, 7, 8]) {
      const out = groupDecrypt(r, sent[i]![1]);
      expect(hex(out.plaintext)).toBe(hex(sent[i]![0]));
      r = out.record;
    }
    for (const [, ct] of sent) expect(codeOf(() => groupDecrypt(r, ct))).toBe('DUPLICATE');
  });

  it('late distribution: messages before the SKDM fail with NO_SENDER_KEY, then decrypt once it arrives', async () => {
    const them = new BaileysGroupChain();
    const skdm = await them.distribution();
    const sent: Array<[Uint8Array, Uint8Array]> = [];
    for (let i = 0; i < 5; i++) {
      const pt = text(`m${i}`);
      sent.push([pt, await them.encrypt(pt)]);
    }
    // Nothing stored yet, and a record for another key id does not help either.
    const other = createSenderKeyDistribution(undefined).distribution;
    const unrelated = processSenderKeyDistribution(undefined, other);
    const snapshot = structuredClone(unrelated);
    for (const [, ct] of sent) {
      expect(codeOf(() => groupDecrypt(undefined, ct))).toBe('NO_SENDER_KEY');
      expect(codeOf(() => groupDecrypt(unrelated, ct))).toBe('NO_SENDER_KEY');
    }
    expect(unrelated).toEqual(snapshot);
    let r = processSenderKeyDistribution(unrelated, skdm);
    for (const i of [3, 0, 4, 2, 1]) {
      const out = groupDecrypt(r, sent[i]![1]);
      expect(hex(out.plaintext)).toBe(hex(sent[i]![0]));
      r = out.record;
    }
  });

  it('a distribution re-sent after messages does not rewind the chain (no replays)', async () => {
    const them = new BaileysGroupChain();
    const skdm0 = await them.distribution();
    let r = processSenderKeyDistribution(undefined, skdm0);
    const ct = await them.encrypt(text('once'));
    r = groupDecrypt(r, ct).record;
    r = processSenderKeyDistribution(r, skdm0);
    r = processSenderKeyDistribution(r, await them.distribution());
    expect(codeOf(() => groupDecrypt(r, ct))).toBe('DUPLICATE');
    const next = await them.encrypt(text('twice'));
    expect(hex(groupDecrypt(r, next).plaintext)).toBe(hex(text('twice')));
  });

  it('Baileys and we agree on every message of a long conversation in both directions', async () => {
    // Two members, each both sender and receiver of the other's chain.
    const baileysSender = new BaileysGroupChain();
    const baileysReceiver = new BaileysGroupChain();
    let ourSending = createSenderKeyDistribution(undefined);
    await baileysReceiver.process(ourSending.distribution);
    let ourReceiving = processSenderKeyDistribution(undefined, await baileysSender.distribution());
    let mine = ourSending.record;
    for (let i = 0; i < 60; i++) {
      const a = randomBytes(i % 37);
      const b = randomBytes((i * 13) % 50);
      const enc = groupEncrypt(mine, a);
      mine = enc.record;
      expect(hex(await baileysReceiver.decrypt(enc.ciphertext))).toBe(hex(a));
      const dec = groupDecrypt(ourReceiving, await baileysSender.encrypt(b));
      ourReceiving = dec.record;
      expect(hex(dec.plaintext)).toBe(hex(b));
    }
  });
});
