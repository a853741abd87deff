// Baileys' own group cipher (node_modules/baileys/lib/Signal/Group), wrapped as
// one group member's view of one sender: the independent implementation our
// sender-key code is tested against. Records stay live objects in memory, the
// fastest way to drive Baileys (the benchmark uses this too).
import { GroupCipher, GroupSessionBuilder, SenderKeyDistributionMessage, SenderKeyName, SenderKeyRecord } from 'baileys/lib/Signal/Group/index.js';

class MemoryStore {
  readonly records = new Map<string, SenderKeyRecord>();
  async loadSenderKey(name: SenderKeyName): Promise<SenderKeyRecord> {
    return this.records.get(name.toString()) ?? new SenderKeyRecord();
  }
  async storeSenderKey(name: SenderKeyName, record: SenderKeyRecord): Promise<void> {
    this.records.set(name.toString(), record);
  }
}

/** One sender's chain as a Baileys client sees it (sending or receiving). */
export class BaileysGroupChain {
  readonly #store = new MemoryStore();
  readonly #name = new SenderKeyName('120363000000000000@g.us', { id: '15550001111', deviceId: 0, toString: () => '15550001111.0' });

  /** As the sender: create (once) and return a SenderKeyDistributionMessage. */
  async distribution(): Promise<Uint8Array> {
    const skdm = await new GroupSessionBuilder(this.#store).create(this.#name);
    return new Uint8Array(skdm.serialize());
  }

  /** As a receiver: process a SenderKeyDistributionMessage. */
  async process(skdm: Uint8Array): Promise<void> {
    const msg = new SenderKeyDistributionMessage(null, null, null, null, Buffer.from(skdm));
    await new GroupSessionBuilder(this.#store).process(this.#name, msg);
  }

  async encrypt(plaintext: Uint8Array): Promise<Uint8Array> {
    return new Uint8Array(await new GroupCipher(this.#store, this.#name).encrypt(Buffer.from(plaintext)));
  }

  async decrypt(skmsg: Uint8Array): Promise<Uint8Array> {
    return new Uint8Array(await new GroupCipher(this.#store, this.#name).decrypt(Buffer.from(skmsg)));
  }
}
