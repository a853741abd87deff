// Phones talking through an in-memory fake server: 1:1 both ways (pkmsg, then
// msg once answered), own-device copies to a companion double, groups (SKDM
// before skmsg, then skmsg only), receipts and acks, decrypt-failure retry,
// and a snapshot round trip that keeps the sessions.
import { describe, expect, it } from 'vitest';
import type { SimNode } from '../../../src/sim/phone-host.js';
import { SimPhone } from '../../../src/sim/phone/index.js';
import { FakeNetwork } from './fake-host.js';

const ALICE = '15550001111@s.whatsapp.net';
const BOB = '15550002222@s.whatsapp.net';
const CAROL = '15550003333@s.whatsapp.net';

async function phoneOn(net: FakeNetwork, jid: string): Promise<SimPhone> {
  const phone = await SimPhone.create(net.hostFor(jid));
  net.device(jid).onStanza = (n) => void phone.handle(n);
  return phone;
}

function encTypes(node: SimNode): string[] {
  return (Array.isArray(node.content) ? node.content : []).filter((c) => c.tag === 'enc').map((c) => c.attrs.type!);
}

function messagesTo(net: FakeNetwork, from: string): SimNode[] {
  return net.log.filter((n) => n.tag === 'message' && (n.attrs.from === from || n.attrs.participant === from));
}

describe('SimPhone 1:1', () => {
  it('uploads prekeys on creation', async () => {
    const net = new FakeNetwork();
    await phoneOn(net, ALICE);
    expect(net.device(ALICE).preKeys.length).toBe(30);
    expect(net.device(ALICE).bundle?.identityKey.length).toBe(32);
  });

  it('exchanges texts both ways: pkmsg first, msg after the answer', async () => {
    const net = new FakeNetwork();
    const alice = await phoneOn(net, ALICE);
    const bob = await phoneOn(net, BOB);

    const { id: m1 } = await alice.sendText(BOB, 'hi bob');
    expect(m1).toMatch(/^3EB0[0-9A-F]{18}$/);
    const m2 = (await alice.sendText(BOB, 'still me')).id;
    await bob.sendText(ALICE, 'hi alice');
    const m4 = (await alice.sendText(BOB, 'after your answer')).id;
    await bob.sendText(ALICE + '', 'bye');

    expect(bob.received().map((m) => [m.id, m.from, m.text])).toEqual([
      [m1, ALICE, 'hi bob'],
      [m2, ALICE, 'still me'],
      [m4, ALICE, 'after your answer'],
    ]);
    expect(alice.received().map((m) => m.text)).toEqual(['hi alice', 'bye']);
    expect(alice.received()[0]!.from).toBe(BOB);
    expect(alice.received()[0]!.t).toBe(net.clock);

    const fromAlice = messagesTo(net, ALICE).map(encTypes).flat();
    expect(fromAlice).toEqual(['pkmsg', 'pkmsg', 'msg']);
    const fromBob = messagesTo(net, BOB).map(encTypes).flat();
    // Bob answers on the session Alice started: no pkmsg needed.
    expect(fromBob).toEqual(['msg', 'msg']);
    // one prekey of Bob's was used (Alice fetched a bundle once)
    expect(net.device(BOB).preKeys.length).toBe(29);
  });

  it('keeps a message sent again under the same id once (as WhatsApp clients do), receipting both', async () => {
    const net = new FakeNetwork();
    const alice = await phoneOn(net, ALICE);
    const bob = await phoneOn(net, BOB);
    const { id } = await alice.sendText(BOB, 'once');
    // The sender completes a send it saw no ack for: a new encryption of the same message id.
    let again: SimNode | undefined;
    net.drop = (to, node) => to === BOB && node.tag === 'message' && (again = node) !== undefined;
    await alice.sendText(BOB, 'once');
    net.drop = undefined;
    expect(bob.handle({ ...again!, attrs: { ...again!.attrs, id } })).toBe('duplicate');
    expect(bob.received().map((m) => [m.id, m.text])).toEqual([[id, 'once']]);
    expect(bob.redeliveries()).toBe(1);
    expect(net.log.filter((n) => n.tag === 'receipt' && n.attrs.id === id).length).toBe(2);
  });

  it('sends delivery receipts to the sender and acks every stanza', async () => {
    const net = new FakeNetwork();
    const alice = await phoneOn(net, ALICE);
    await phoneOn(net, BOB);
    const { id } = await alice.sendText(BOB, 'receipt please');
    expect(alice.receiptsFor(id)).toEqual({ [BOB]: [''] });
    // Bob acked the message, Alice acked the receipt.
    expect(net.acks).toBe(2);
  });

  it('reaches every device of the recipient and copies to own companions as deviceSentMessage', async () => {
    const net = new FakeNetwork();
    const alice = await phoneOn(net, ALICE);
    const bob = await phoneOn(net, BOB);
    const bobLaptop = await phoneOn(net, '15550002222:4@s.whatsapp.net');
    const aliceLaptop = await phoneOn(net, '15550001111:2@s.whatsapp.net');

    const { id } = await alice.sendText(BOB, 'to all of you');
    const sent = net.log.find((n) => n.tag === 'message' && n.attrs.id === id && n.attrs.recipient);
    expect(sent?.attrs).toMatchObject({ from: ALICE, recipient: BOB });
    expect(bob.received().map((m) => m.text)).toEqual(['to all of you']);
    expect(bobLaptop.received().map((m) => m.text)).toEqual(['to all of you']);
    // The own-device copy is not something the laptop "received" from anyone.
    expect(aliceLaptop.received()).toEqual([]);
    expect(Object.keys(alice.receiptsFor(id)).sort()).toEqual(['15550001111:2@s.whatsapp.net', '15550002222:4@s.whatsapp.net', BOB]);
    expect(alice.receiptsFor(id)['15550001111:2@s.whatsapp.net']).toEqual(['sender']);

    // A message from Alice's own companion to Bob reaches Alice's phone as a copy: not stored as received.
    await aliceLaptop.sendText(BOB, 'from the laptop');
    expect(alice.received()).toEqual([]);
    expect(bob.received().map((m) => m.text)).toEqual(['to all of you', 'from the laptop']);
    expect(bob.received()[1]!.from).toBe(ALICE);
  });

  it('rejects bad recipients and users without devices', async () => {
    const net = new FakeNetwork();
    const alice = await phoneOn(net, ALICE);
    await expect(alice.sendText('not a jid', 'x')).rejects.toMatchObject({ code: 'BAD_RECIPIENT' });
    await expect(alice.sendText('15559999999@s.whatsapp.net', 'x')).rejects.toMatchObject({ code: 'NO_DEVICES' });
    await expect(alice.sendText('123@g.us', 'x')).rejects.toMatchObject({ code: 'BAD_RECIPIENT' });
  });

  it('ignores garbage stanzas without throwing', async () => {
    const net = new FakeNetwork();
    const alice = await phoneOn(net, ALICE);
    expect(alice.handle({ tag: 'message', attrs: {} })).toBe('ignored');
    expect(alice.handle({ tag: 'notification', attrs: { id: 'n1', from: 's.whatsapp.net', type: 'devices' } })).toBe('ignored');
    expect(alice.handle({ tag: 'receipt', attrs: { id: 'zz', from: BOB } })).toBe('ignored');
    expect(alice.handle({ tag: 'message', attrs: { id: 'x', from: BOB, t: '1' }, content: [{ tag: 'enc', attrs: { v: '2', type: 'msg' }, content: new Uint8Array(40) }] })).toBe('retry');
    expect(alice.received()).toEqual([]);
  });
});

describe('SimPhone decrypt failures', () => {
  it('asks for a retry and gets the message re-encrypted on a fresh session', async () => {
    const net = new FakeNetwork();
    const alice = await phoneOn(net, ALICE);
    const bob = await phoneOn(net, BOB);
    await alice.sendText(BOB, 'one');
    await bob.sendText(ALICE, 'two');
    // Bob "loses" his session with Alice: a fresh phone with new keys at the same jid.
    const bob2 = await SimPhone.create(net.hostFor(BOB));
    net.device(BOB).onStanza = (n) => void bob2.handle(n);
    const { id } = await alice.sendText(BOB, 'three');
    expect(bob2.received().map((m) => [m.id, m.text])).toEqual([[id, 'three']]);
    expect(bob2.failures().length).toBe(1);
    expect(alice.receiptsFor(id)[BOB]).toEqual(['retry', '']);
    void bob;
  });
});

describe('SimPhone groups', () => {
  it('distributes its sender key once (pkmsg/msg before skmsg), then sends skmsg only', async () => {
    const net = new FakeNetwork();
    const alice = await phoneOn(net, ALICE);
    const bob = await phoneOn(net, BOB);
    const carol = await phoneOn(net, CAROL);
    const G = '120363000000000001@g.us';
    net.groups.set(G, [ALICE, BOB, CAROL]);

    await alice.sendText(G, 'hello group');
    await alice.sendText(G, 'second');
    await bob.sendText(G, 'bob here');
    await carol.sendText(G, 'carol too');
    await alice.sendText(G, 'third');

    for (const p of [bob, carol]) {
      expect(p.received().filter((m) => m.participant === ALICE).map((m) => m.text)).toEqual(['hello group', 'second', 'third']);
      expect(p.received().every((m) => m.from === G)).toBe(true);
    }
    expect(alice.received().map((m) => [m.participant, m.text])).toEqual([
      [BOB, 'bob here'],
      [CAROL, 'carol too'],
    ]);
    const aliceToBob = net.log.filter((n) => n.tag === 'message' && n.attrs.participant === ALICE && n.attrs.from === G).map(encTypes);
    expect(aliceToBob.slice(0, 2)).toEqual([
      ['pkmsg', 'skmsg'],
      ['pkmsg', 'skmsg'],
    ]);
    expect(aliceToBob.slice(2)).toEqual([['skmsg'], ['skmsg'], ['skmsg'], ['skmsg']]);
  });
});

describe('SimPhone snapshot', () => {
  it('restores keys, sessions and received messages', async () => {
    const net = new FakeNetwork();
    const alice = await phoneOn(net, ALICE);
    const bob = await phoneOn(net, BOB);
    await alice.sendText(BOB, 'before');
    await bob.sendText(ALICE, 'answer');
    const snap = JSON.parse(JSON.stringify(bob.snapshot()));
    const bobAgain = await SimPhone.create(net.hostFor(BOB), snap);
    net.device(BOB).onStanza = (n) => void bobAgain.handle(n);
    expect(Buffer.from(bobAgain.identityKey)).toEqual(Buffer.from(bob.identityKey));
    await alice.sendText(BOB, 'after restore');
    expect(bobAgain.received().map((m) => m.text)).toEqual(['before', 'after restore']);
    expect(bobAgain.failures()).toEqual([]);
    await expect(SimPhone.create(net.hostFor(BOB), { version: 99 })).rejects.toThrow(TypeError);
  });
});
