// The phone against reference clients on the fake network: a device whose
// Signal sessions are libsignal-node's (as Baileys drives them), whose message
// codec is Baileys' (WAProto, encodeWAMessage/unpadRandomMax16) and whose
// group cipher is Baileys' own. Proves the phone's pkmsg/msg/skmsg, padding
// and proto.Message bytes are what a real client reads and writes.
import { describe, expect, it } from 'vitest';
import { proto as waProto } from 'baileys/WAProto/index.js';
import { encodeWAMessage, unpadRandomMax16 } from 'baileys/lib/Utils/generics.js';
import type { SimNode } from '../../../src/sim/phone-host.js';
import { SimPhone } from '../../../src/sim/phone/index.js';
import { LibPeer } from '../../protocol/signal/support.js';
import { BaileysGroupChain } from '../../protocol/signal/group/baileys-member.js';
import { FakeNetwork } from './fake-host.js';

const PHONE = '15550001111@s.whatsapp.net';
const REF = '15550002222:5@s.whatsapp.net';
const G = '120363000000000009@g.us';

/** A reference device (libsignal + Baileys codecs) that talks only to the phone. */
class RefDevice {
  readonly peer = new LibPeer('ref');
  readonly texts: Array<{ id: string; text: string; from: string }> = [];
  readonly encTypes: string[] = [];
  readonly groupChain = new BaileysGroupChain();
  #hasSession = false;

  constructor(readonly net: FakeNetwork) {
    const dev = net.addDevice(REF);
    const first = this.peer.bundle(true);
    dev.bundle = { registrationId: first.registrationId, identityKey: first.identityKey, signedPreKey: first.signedPreKey };
    dev.preKeys.push(first.preKey!, ...Array.from({ length: 4 }, () => this.peer.bundle(true).preKey!));
    dev.onStanza = (n) => void this.onStanza(n);
  }

  /** Stanzas are handled one at a time, in order, like a client's socket. */
  #queue: Promise<void> = Promise.resolve();

  onStanza(node: SimNode): void {
    if (node.tag !== 'message') return;
    this.#queue = this.#queue.then(() => this.#receive(node));
  }

  async #receive(node: SimNode): Promise<void> {
    let text: string | undefined;
    for (const enc of node.content as SimNode[]) {
      const type = enc.attrs.type!;
      this.encTypes.push(type);
      const bytes = enc.content as Uint8Array;
      let plain: Uint8Array;
      if (type === 'skmsg') plain = await this.groupChain.decrypt(bytes);
      else {
        plain = await this.peer.decrypt(type as 'pkmsg' | 'msg', bytes);
        this.#hasSession = true;
      }
      const msg = waProto.Message.decode(unpadRandomMax16(plain));
      if (msg.senderKeyDistributionMessage?.axolotlSenderKeyDistributionMessage) {
        expect(msg.senderKeyDistributionMessage.groupId).toBe(G);
        await this.groupChain.process(msg.senderKeyDistributionMessage.axolotlSenderKeyDistributionMessage);
      }
      text = msg.conversation ?? text;
    }
    if (text !== undefined) this.texts.push({ id: node.attrs.id!, text, from: node.attrs.participant ?? node.attrs.from! });
  }

  async flush(): Promise<void> {
    await this.#queue;
  }

  /** Sends a text to the phone the way Baileys' relayMessage would (one device: the phone). */
  async send(id: string, text: string, extended = false): Promise<string> {
    if (!this.#hasSession) {
      const host = this.net.hostFor(REF);
      await this.peer.startSession(host.takePreKeyBundle(PHONE)!);
      this.#hasSession = true;
    }
    const content = extended ? { extendedTextMessage: { text } } : { conversation: text };
    const { type, ciphertext } = await this.peer.encrypt(encodeWAMessage(waProto.Message.fromObject(content)));
    this.net.route(REF, {
      tag: 'message',
      attrs: { id, to: PHONE, type: 'text' },
      content: [{ tag: 'participants', attrs: {}, content: [{ tag: 'to', attrs: { jid: PHONE }, content: [{ tag: 'enc', attrs: { v: '2', type }, content: ciphertext }] }] }],
    });
    return type;
  }

  /** A group send as Baileys does it: SKDM to the phone inside a 1:1 enc, then the skmsg. */
  async sendGroup(id: string, text: string, withSkdm: boolean): Promise<void> {
    const content: SimNode[] = [];
    if (withSkdm) {
      if (!this.#hasSession) {
        await this.peer.startSession(this.net.hostFor(REF).takePreKeyBundle(PHONE)!);
        this.#hasSession = true;
      }
      const skdm = { senderKeyDistributionMessage: { groupId: G, axolotlSenderKeyDistributionMessage: await this.groupChain.distribution() } };
      const { type, ciphertext } = await this.peer.encrypt(encodeWAMessage(waProto.Message.fromObject(skdm)));
      content.push({ tag: 'participants', attrs: {}, content: [{ tag: 'to', attrs: { jid: PHONE }, content: [{ tag: 'enc', attrs: { v: '2', type }, content: ciphertext }] }] });
    }
    const skmsg = await this.groupChain.encrypt(encodeWAMessage(waProto.Message.fromObject({ conversation: text })));
    content.push({ tag: 'enc', attrs: { v: '2', type: 'skmsg' }, content: skmsg });
    this.net.route(REF, { tag: 'message', attrs: { id, to: G, type: 'text' }, content });
  }
}

describe('SimPhone ↔ libsignal/Baileys reference device', () => {
  it('phone → reference: pkmsg then msg decrypt with libsignal and decode with WAProto', async () => {
    const net = new FakeNetwork();
    const phone = await SimPhone.create(net.hostFor(PHONE));
    net.device(PHONE).onStanza = (n) => void phone.handle(n);
    const ref = new RefDevice(net);

    const a = await phone.sendText('15550002222@s.whatsapp.net', 'hello from the phone');
    await ref.flush();
    expect(await ref.send('R1', 'hello phone')).toBe('msg');
    const b = await phone.sendText('15550002222@s.whatsapp.net', 'second, on an answered session');
    await ref.flush();
    expect(ref.encTypes).toEqual(['pkmsg', 'msg']);
    expect(ref.texts.map((t) => [t.id, t.text])).toEqual([
      [a.id, 'hello from the phone'],
      [b.id, 'second, on an answered session'],
    ]);
    expect(phone.received().map((m) => [m.id, m.from, m.text])).toEqual([['R1', '15550002222@s.whatsapp.net', 'hello phone']]);
    expect(phone.failures()).toEqual([]);
  });

  it('reference → phone: pkmsg (consuming a phone prekey), then msg, incl. extendedTextMessage', async () => {
    const net = new FakeNetwork();
    const phone = await SimPhone.create(net.hostFor(PHONE));
    net.device(PHONE).onStanza = (n) => void phone.handle(n);
    const ref = new RefDevice(net);
    const before = net.device(PHONE).preKeys.length;
    expect(await ref.send('R1', 'first')).toBe('pkmsg');
    expect(await ref.send('R2', 'second', true)).toBe('pkmsg');
    await phone.sendText('15550002222@s.whatsapp.net', 'answer');
    await ref.flush();
    expect(await ref.send('R3', 'third')).toBe('msg');
    expect(phone.received().map((m) => m.text)).toEqual(['first', 'second', 'third']);
    expect(net.device(PHONE).preKeys.length).toBe(before - 1);
    expect(ref.encTypes).toEqual(['msg']);
  });

  it("phone's group messages decrypt with Baileys' group cipher after the SKDM", async () => {
    const net = new FakeNetwork();
    const phone = await SimPhone.create(net.hostFor(PHONE));
    net.device(PHONE).onStanza = (n) => void phone.handle(n);
    const ref = new RefDevice(net);
    net.groups.set(G, [PHONE, '15550002222@s.whatsapp.net']);
    await phone.sendText(G, 'group one');
    await phone.sendText(G, 'group two');
    await ref.flush();
    expect(ref.encTypes).toEqual(['pkmsg', 'skmsg', 'skmsg']);
    expect(ref.texts.map((t) => [t.text, t.from])).toEqual([
      ['group one', PHONE],
      ['group two', PHONE],
    ]);
  });

  it("reads a Baileys member's group messages (SKDM in pkmsg, then skmsg with Baileys' iteration gaps)", async () => {
    const net = new FakeNetwork();
    const phone = await SimPhone.create(net.hostFor(PHONE));
    net.device(PHONE).onStanza = (n) => void phone.handle(n);
    const ref = new RefDevice(net);
    net.groups.set(G, [PHONE, '15550002222@s.whatsapp.net']);
    await ref.sendGroup('G1', 'from baileys 1', true);
    await ref.sendGroup('G2', 'from baileys 2', false);
    await ref.sendGroup('G3', 'from baileys 3', false);
    expect(phone.failures()).toEqual([]);
    expect(phone.received().map((m) => [m.id, m.from, m.participant, m.text])).toEqual([
      ['G1', G, '15550002222@s.whatsapp.net', 'from baileys 1'],
      ['G2', G, '15550002222@s.whatsapp.net', 'from baileys 2'],
      ['G3', G, '15550002222@s.whatsapp.net', 'from baileys 3'],
    ]);
  });
});
