// Baileys' group cipher as one sender's chain (as the sender or a receiver),
// records kept as live objects in memory: its fastest setting. Shared by the
// Signal benchmarks.
import { GroupCipher, GroupSessionBuilder, SenderKeyDistributionMessage, SenderKeyName, SenderKeyRecord } from 'baileys/lib/Signal/Group/index.js';

/** One sender's chain in Baileys' group cipher (as the sender or a receiver). */
export class BaileysChain {
  readonly #records = new Map<string, SenderKeyRecord>();
  readonly #store = {
    loadSenderKey: async (n: SenderKeyName) => this.#records.get(n.toString()) ?? new SenderKeyRecord(),
    storeSenderKey: async (n: SenderKeyName, r: SenderKeyRecord) => void this.#records.set(n.toString(), r),
  };
  readonly #name = new SenderKeyName('120363000000000000@g.us', { id: '15550001111', deviceId: 0, toString: () => '15550001111.0' });
  async distribution(): Promise<Uint8Array> {
    return (await new GroupSessionBuilder(this.#store).create(this.#name)).serialize();
  }
  async process(skdm: Uint8Array): Promise<void> {
    await new GroupSessionBuilder(this.#store).process(this.#name, new SenderKeyDistributionMessage(null, null, null, null, Buffer.from(skdm)));
  }
  encrypt(pt: Uint8Array): Promise<Uint8Array> {
    return new GroupCipher(this.#store, this.#name).encrypt(Buffer.from(pt));
  }
  decrypt(ct: Uint8Array): Promise<Uint8Array> {
    return new GroupCipher(this.#store, this.#name).decrypt(Buffer.from(ct));
  }
}

