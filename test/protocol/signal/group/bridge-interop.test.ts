// Differential tests: our sender keys against whatsapp-rust's group cipher
// (the WASM bridge, an independent Rust implementation), both ways. Our own
// sending keys sign with node:crypto (seeded Ed25519 keys) or, for a key given
// as a bare Curve25519 pair, as XEdDSA: whatsapp-rust must accept both.
import { randomBytes } from 'node:crypto';
import * as bridge from 'whatsapp-rust-bridge';
import { describe, expect, it } from 'vitest';
import {
  createSenderKeyDistribution,
  deserializeSenderKeyRecord,
  groupDecrypt,
  groupEncrypt,
  processSenderKeyDistribution,
  serializeSenderKeyRecord,
  type SenderKeyRecord,
} from '../../../../src/protocol/signal/group/index.js';
import { generateKeyPair } from '../../../../src/protocol/crypto/index.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const GROUP = '120363000000000000@g.us';
const SENDER = new bridge.ProtocolAddress('15550001111', 0);

/** One member's view of one sender in the bridge, its record stored as bytes. */
class BridgeMember {
  readonly #keys = new Map<string, Uint8Array>();
  readonly #name = new bridge.SenderKeyName(GROUP, SENDER);
  readonly #storage = {
    loadSenderKey: (id: string) => this.#keys.get(id),
    storeSenderKey: (id: string, record: Uint8Array) => void this.#keys.set(id, record),
  } as unknown as bridge.SignalStorage;

  async distribution(): Promise<Uint8Array> {
    return (await new bridge.GroupSessionBuilder(this.#storage).create(this.#name)).serialize();
  }

  async process(skdm: Uint8Array): Promise<void> {
    await new bridge.GroupSessionBuilder(this.#storage).process(this.#name, bridge.SenderKeyDistributionMessage.deserialize(skdm));
  }

  encrypt(plaintext: Uint8Array): Promise<Uint8Array> {
    return new bridge.GroupCipher(this.#storage, GROUP, SENDER).encrypt(plaintext);
  }

  decrypt(skmsg: Uint8Array): Promise<Uint8Array> {
    return new bridge.GroupCipher(this.#storage, GROUP, SENDER).decrypt(skmsg);
  }
}

describe('our sender, whatsapp-rust receivers', () => {
  for (const [kind, options] of [
    ['a seeded (node:crypto) signing key', {}],
    ['a bare Curve25519 signing key (XEdDSA)', { signingKeyPair: generateKeyPair() }],
  ] as const) {
    it(`decrypts our messages signed with ${kind}, in and out of order, across a stored record`, async () => {
      const { record, distribution } = createSenderKeyDistribution(undefined, options);
      expect(record.states[0]!.signingSeed !== undefined).toBe(!('signingKeyPair' in options));
      const member = new BridgeMember();
      await member.process(distribution);
      let r: SenderKeyRecord = record;
      const sent: Array<[Uint8Array, Uint8Array]> = [];
      for (let i = 0; i < 12; i++) {
        const pt = randomBytes(1 + i * 9);
        const out = groupEncrypt(r, pt);
        // The sending record goes through its bytes between messages, as the store keeps it.
        r = deserializeSenderKeyRecord(serializeSenderKeyRecord(out.record));
        sent.push([pt, out.ciphertext]);
      }
      for (const i of [0, 1, 5, 2, 11, 3, 4, 10, 6, 9, 7, 8]) {
        expect(hex(await member.decrypt(sent[i]![1]))).toBe(hex(sent[i]![0]));
      }
    });
  }

  it('refuses our message once its signature is damaged', async () => {
    const { record, distribution } = createSenderKeyDistribution(undefined);
    const member = new BridgeMember();
    await member.process(distribution);
    const ct = groupEncrypt(record, new Uint8Array([1, 2, 3])).ciphertext;
    const bad = new Uint8Array(ct);
    bad[bad.length - 10]! ^= 4;
    await expect(member.decrypt(bad)).rejects.toBeDefined();
    expect([...(await member.decrypt(ct))]).toEqual([1, 2, 3]);
  });
});

describe('whatsapp-rust sender, our receivers', () => {
  it('we decrypt its messages in and out of order, and refuse replays', async () => {
    const them = new BridgeMember();
    let r = processSenderKeyDistribution(undefined, await them.distribution());
    const sent: Array<[Uint8Array, Uint8Array]> = [];
    for (let i = 0; i < 10; i++) {
      const pt = randomBytes(i * 7);
      sent.push([pt, await them.encrypt(pt)]);
    }
    for (const i of [1, 0, 9, 4, 2, 3, 8, 5, 7, 6]) {
      const out = groupDecrypt(r, sent[i]![1]);
      expect(hex(out.plaintext)).toBe(hex(sent[i]![0]));
      r = out.record;
    }
    expect(() => groupDecrypt(r, sent[4]![1])).toThrow(expect.objectContaining({ code: 'DUPLICATE' }));
  });
});
