/**
 * How the simulator names people on LID-addressed stanzas (addressing.ts and
 * its users): LID groups and 1:1 messages sent to a LID name the author's
 * LID device and add its number (`participant_pn`, `sender_pn`,
 * `peer_recipient_pn`) unless the user hides it; group nodes and
 * notifications of LID groups list LIDs with `phone_number`; PN-addressed
 * stanzas keep phone jids with their LID beside them.
 */
import { describe, expect, it } from 'vitest';
import { handleIq, type IqContext } from '../../src/sim/iq/index.js';
import { createGroup } from '../../src/sim/iq/groups.js';
import type { BinaryNode } from '../../src/sim/nodes.js';
import { Pairing } from '../../src/sim/pairing.js';
import { routeMessage, routeReceipt } from '../../src/sim/router.js';
import { Directory } from '../../src/sim/state.js';
import { DEFAULT_LIMITS } from '../../src/sim/limits.js';
import { GroupStore } from '../../src/sim/groups.js';
import { addUser, enc, makeHub, online, to } from './support.js';

const A = '15554440001';
const B = '15554440002';
const H = '15554440003';

function kids(n: BinaryNode | undefined): BinaryNode[] {
  return n && Array.isArray(n.content) ? n.content : [];
}
const lidDev = (lid: string, device: number) => lid.replace('@lid', `:${device}@lid`);

function world() {
  const hub = makeHub();
  const a = addUser(hub, A, 2);
  const b = addUser(hub, B, 1);
  const h = addUser(hub, H, 1);
  h.hidePhoneNumber = true;
  return { hub, a, b, h };
}

describe('LID groups', () => {
  it('deliver a message from the author’s LID device, with its number to those who may see it', () => {
    const { hub, a, b, h } = world();
    const g = hub.groups.create(a.jid, 'lid', [b.jid, h.jid], 1, 'lid');
    const a2 = online(hub, a, 2);
    const b1 = online(hub, b, 1);
    const h1 = online(hub, h, 1);
    const ack = routeMessage(hub, `${A}:1@s.whatsapp.net`, {
      tag: 'message',
      attrs: { id: 'L1', to: g.jid, type: 'text', addressing_mode: 'lid' },
      content: [{ tag: 'participants', attrs: {}, content: [to(lidDev(b.lid, 1), enc('pkmsg', 1))] }, enc('skmsg', 9)],
    });
    expect(ack.attrs.error).toBeUndefined();
    const atB = b1.of('message')[0]!;
    expect(atB.attrs).toMatchObject({ from: g.jid, participant: lidDev(a.lid, 1), participant_pn: a.jid, addressing_mode: 'lid' });
    expect(atB.attrs.participant_lid).toBeUndefined();
    // A LID device named in a <to> gets its pkmsg first.
    expect(kids(atB).map((e) => e.attrs.type)).toEqual(['pkmsg', 'skmsg']);
    expect(a2.of('message')[0]!.attrs.participant).toBe(lidDev(a.lid, 1));
    expect(h1.of('message')[0]!.attrs.participant_pn).toBe(a.jid);

    // The hiding member's messages carry its number to its own devices only.
    routeMessage(hub, `${H}:1@s.whatsapp.net`, { tag: 'message', attrs: { id: 'L2', to: g.jid, type: 'text' }, content: [enc('skmsg', 3)] });
    const fromH = b1.of('message')[1]!;
    expect(fromH.attrs).toMatchObject({ participant: lidDev(h.lid, 1), addressing_mode: 'lid' });
    expect(fromH.attrs.participant_pn).toBeUndefined();
    expect(Object.values(fromH.attrs).filter((v) => v.endsWith('@s.whatsapp.net'))).toEqual([]);
  });

  it('list members by LID with phone_number, creator and subject owner by LID with their numbers', () => {
    const { hub, a, b, h } = world();
    const pairing = new Pairing(hub);
    const session = { registration: undefined as never, send() {}, query: async () => ({ tag: 'iq', attrs: {} }), streamError() {} };
    const ctx: IqContext = { hub, pairing, session, deviceJid: `${B}:1@s.whatsapp.net` };
    const b1 = online(hub, b, 1);
    const g = createGroup(hub, a.jid, 'lid', [b.jid, h.jid], 'lid');
    const res = handleIq(ctx, { tag: 'iq', attrs: { id: 'q1', xmlns: 'w:g2', type: 'get', to: g.jid }, content: [{ tag: 'query', attrs: { request: 'interactive' } }] });
    const group = kids(res).find((c) => c.tag === 'group')!;
    expect(group.attrs).toMatchObject({ addressing_mode: 'lid', creator: a.lid, creator_pn: a.jid, s_o: a.lid, s_o_pn: a.jid });
    expect(kids(group).map((p) => p.attrs)).toEqual([
      { jid: a.lid, phone_number: a.jid, type: 'superadmin' },
      { jid: b.lid, phone_number: b.jid },
      { jid: h.lid },
    ]);
    // The create notification lists them the same way and names the actor by LID.
    const note = b1.of('notification')[0]!;
    expect(note.attrs).toMatchObject({ from: g.jid, participant: a.lid, participant_pn: a.jid });
    // An add answers and announces in LIDs too.
    const c = addUser(hub, '15554440004', 1);
    const add = handleIq({ ...ctx, deviceJid: `${A}:1@s.whatsapp.net` }, { tag: 'iq', attrs: { id: 'q2', xmlns: 'w:g2', type: 'set', to: g.jid }, content: [{ tag: 'add', attrs: {}, content: [{ tag: 'participant', attrs: { jid: c.jid } }] }] });
    expect(kids(kids(add)[0]).map((p) => p.attrs)).toEqual([{ jid: c.lid, phone_number: c.jid }]);
    expect(kids(kids(b1.of('notification')[1])[0]).map((p) => p.attrs)).toEqual([{ jid: c.lid, phone_number: c.jid }]);
  });

  it('name a reader by LID on receipts to the author', () => {
    const { hub, a, b } = world();
    const g = hub.groups.create(a.jid, 'lid', [b.jid], 1, 'lid');
    const a1 = online(hub, a, 1);
    routeReceipt(hub, `${B}:1@s.whatsapp.net`, { tag: 'receipt', attrs: { id: 'L1', to: g.jid, participant: lidDev(a.lid, 1), type: 'read' } });
    expect(a1.of('receipt')[0]!.attrs).toMatchObject({ from: g.jid, participant: b.lid, type: 'read' });
  });

  it('survive a snapshot with their mode; older snapshots read as PN groups', () => {
    const dir = new Directory(DEFAULT_LIMITS);
    const store = new GroupStore(10, 10);
    const g = store.create(`${A}@s.whatsapp.net`, 'x', [], 1, 'lid');
    const snap = store.snapshot();
    const again = new GroupStore(10, 10);
    again.restore(snap);
    expect(again.get(g.jid)?.addressingMode).toBe('lid');
    const old = snap.map(({ addressingMode: _, ...rest }) => rest);
    const older = new GroupStore(10, 10);
    older.restore(old);
    expect(older.get(g.jid)?.addressingMode).toBe('pn');
    const u = dir.addUser(H, 'h', 1);
    u.hidePhoneNumber = true;
    const d2 = new Directory(DEFAULT_LIMITS);
    d2.restore(dir.snapshot());
    expect(d2.user(H)?.hidePhoneNumber).toBe(true);
  });
});

describe('1:1 messages sent to a LID', () => {
  it('come from the sender’s LID device with sender_pn; own copies name the peer by LID with peer_recipient_pn', () => {
    const { hub, a, b } = world();
    const a2 = online(hub, a, 2);
    const b1 = online(hub, b, 1);
    routeMessage(hub, `${A}:1@s.whatsapp.net`, {
      tag: 'message',
      attrs: { id: 'D1', to: b.lid, type: 'text' },
      content: [{ tag: 'participants', attrs: {}, content: [to(lidDev(b.lid, 1), enc('msg', 1)), to(lidDev(a.lid, 2), enc('msg', 2))] }],
    });
    expect(b1.of('message')[0]!.attrs).toMatchObject({ id: 'D1', from: lidDev(a.lid, 1), sender_pn: a.jid });
    expect(b1.of('message')[0]!.attrs.sender_lid).toBeUndefined();
    expect(a2.of('message')[0]!.attrs).toMatchObject({ from: lidDev(a.lid, 1), recipient: b.lid, peer_recipient_pn: b.jid });
    // The copy says nothing of the author beside it: a reader pairing it with the author would be wrong.
    expect(a2.of('message')[0]!.attrs.sender_pn).toBeUndefined();
    // The receipt comes back in LID form too.
    routeReceipt(hub, `${B}:1@s.whatsapp.net`, { tag: 'receipt', attrs: { id: 'D1', to: a.lid } });
    expect(a2.of('receipt')[0]!.attrs.from).toBe(b.lid);
  });

  it('from a user who hides its number carry no number, nor do own copies to such a peer', () => {
    const { hub, a, h } = world();
    const a1 = online(hub, a, 1);
    const a2 = online(hub, a, 2);
    routeMessage(hub, `${H}:1@s.whatsapp.net`, { tag: 'message', attrs: { id: 'D2', to: lidDev(a.lid, 1), type: 'text' }, content: [enc('msg', 1)] });
    expect(a1.of('message')[0]!.attrs).toMatchObject({ from: lidDev(h.lid, 1) });
    expect(a1.of('message')[0]!.attrs.sender_pn).toBeUndefined();
    routeMessage(hub, `${A}:1@s.whatsapp.net`, {
      tag: 'message',
      attrs: { id: 'D3', to: h.lid, type: 'text' },
      content: [{ tag: 'participants', attrs: {}, content: [to(lidDev(a.lid, 2), enc('msg', 2))] }],
    });
    const own = a2.of('message').find((m) => m.attrs.id === 'D3')!;
    expect(own.attrs).toMatchObject({ from: lidDev(a.lid, 1), recipient: h.lid });
    expect(own.attrs.peer_recipient_pn).toBeUndefined();
    expect(own.attrs.sender_pn).toBeUndefined();
  });

  it('sent to a PN keep PN addressing with the LID beside it; own copies carry the peer’s LID', () => {
    const { hub, a, b } = world();
    const b1 = online(hub, b, 1);
    const a2 = online(hub, a, 2);
    routeMessage(hub, `${A}:1@s.whatsapp.net`, {
      tag: 'message',
      attrs: { id: 'D4', to: b.jid, type: 'text' },
      content: [{ tag: 'participants', attrs: {}, content: [to(`${B}:1@s.whatsapp.net`, enc('msg', 1)), to(`${A}:2@s.whatsapp.net`, enc('msg', 2))] }],
    });
    expect(b1.of('message')[0]!.attrs).toMatchObject({ from: `${A}:1@s.whatsapp.net`, sender_lid: a.lid });
    expect(b1.of('message')[0]!.attrs.sender_pn).toBeUndefined();
    const own = a2.of('message')[0]!;
    expect(own.attrs).toMatchObject({ from: `${A}:1@s.whatsapp.net`, recipient: b.jid, peer_recipient_lid: b.lid });
    expect(own.attrs.sender_lid).toBeUndefined();
  });
});
