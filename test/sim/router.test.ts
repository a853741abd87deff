/**
 * Routing decisions of the simulator (router.ts, hub.ts): who gets which
 * <enc>, with which addressing attributes; offline queues and their flush on
 * login; receipts back to the sender; acks and their attribute rules.
 */
import { describe, expect, it } from 'vitest';
import { proto } from '../../src/protocol/proto/index.js';
import { ackViolation } from '../../src/sim/acks.js';
import { routeMessage, routeReceipt } from '../../src/sim/router.js';
import { createGroup } from '../../src/sim/iq/groups.js';
import { Session } from '../../src/sim/session.js';
import { Pairing } from '../../src/sim/pairing.js';
import type { BinaryNode } from '../../src/sim/nodes.js';
import { addUser, enc, makeHub, online, to } from './support.js';

const A = '15552220001';
const B = '15552220002';
const C = '15552220003';

function world() {
  const hub = makeHub();
  const a = addUser(hub, A, 2);
  const b = addUser(hub, B, 1);
  const c = addUser(hub, C, 1);
  return { hub, a, b, c };
}

function kids(n: BinaryNode): BinaryNode[] {
  return Array.isArray(n.content) ? n.content : [];
}

describe('1:1 messages', () => {
  it('fans each <to> enc out to its device; own devices get recipient; the sending device gets nothing', () => {
    const { hub, a, b } = world();
    const a1 = online(hub, a, 1);
    const a2 = online(hub, a, 2);
    const b1 = online(hub, b, 1);
    const identity: BinaryNode = { tag: 'device-identity', attrs: {}, content: Uint8Array.of(9) };
    const ack = routeMessage(hub, `${A}:1@s.whatsapp.net`, {
      tag: 'message',
      attrs: { id: 'M1', to: `${B}@s.whatsapp.net`, type: 'text' },
      content: [
        {
          tag: 'participants',
          attrs: {},
          content: [
            to(`${B}@s.whatsapp.net`, enc('pkmsg', 1)),
            to(`${B}:1@s.whatsapp.net`, enc('msg', 2)),
            to(`${A}:2@s.whatsapp.net`, enc('msg', 3)),
            to(`${A}:1@s.whatsapp.net`, enc('msg', 4)),
            to(`${C}:1@s.whatsapp.net`, enc('msg', 5)),
            to(`${B}:7@s.whatsapp.net`, enc('msg', 6)),
          ],
        },
        identity,
      ],
    });
    expect(ack.attrs).toMatchObject({ class: 'message', id: 'M1', from: `${B}@s.whatsapp.net` });
    expect(ack.attrs.error).toBeUndefined();

    const [toB1] = b1.of('message');
    expect(toB1!.attrs).toMatchObject({ id: 'M1', from: `${A}:1@s.whatsapp.net`, type: 'text', notify: `name-${A}`, sender_lid: a.lid });
    expect(toB1!.attrs.recipient).toBeUndefined();
    expect(kids(toB1!)).toEqual([enc('msg', 2)]);

    const [toA2] = a2.of('message');
    expect(toA2!.attrs).toMatchObject({ from: `${A}:1@s.whatsapp.net`, recipient: `${B}@s.whatsapp.net` });
    expect(kids(toA2!)).toEqual([enc('msg', 3)]);

    expect(a1.of('message')).toEqual([]);
    // Nothing reached the foreign user named in a <to>, nor an unknown device.
    expect(hub.queues.queuedCount(`${C}:1@s.whatsapp.net`)).toBe(0);
    expect(hub.queues.queuedCount(`${B}:7@s.whatsapp.net`)).toBe(0);
  });

  it('sends device-identity only along with a pkmsg', () => {
    const { hub, a, b } = world();
    const b1 = online(hub, b, 1);
    const a2 = online(hub, a, 2);
    routeMessage(hub, `${A}:1@s.whatsapp.net`, {
      tag: 'message',
      attrs: { id: 'M2', to: `${B}@s.whatsapp.net` },
      content: [
        { tag: 'participants', attrs: {}, content: [to(`${B}:1@s.whatsapp.net`, enc('pkmsg', 1)), to(`${A}:2@s.whatsapp.net`, enc('msg', 2))] },
        { tag: 'device-identity', attrs: {}, content: Uint8Array.of(7) },
      ],
    });
    expect(kids(b1.of('message')[0]!).map((n) => n.tag)).toEqual(['enc', 'device-identity']);
    expect(kids(a2.of('message')[0]!).map((n) => n.tag)).toEqual(['enc']);
  });

  it('accepts devices named by LID and delivers to the PN device', () => {
    const { hub, b } = world();
    const b1 = online(hub, b, 1);
    routeMessage(hub, `${A}:1@s.whatsapp.net`, {
      tag: 'message',
      attrs: { id: 'M3', to: `${B}@s.whatsapp.net` },
      content: [{ tag: 'participants', attrs: {}, content: [to(`${b.lidUser}:1@lid`, enc('msg', 1))] }],
    });
    expect(b1.of('message')).toHaveLength(1);
  });

  it('refuses a message to an unknown user with an ack error', () => {
    const { hub } = world();
    expect(routeMessage(hub, `${A}:1@s.whatsapp.net`, { tag: 'message', attrs: { id: 'X', to: '19999999999@s.whatsapp.net' } }).attrs.error).toBe('404');
    expect(routeMessage(hub, `${A}:1@s.whatsapp.net`, { tag: 'message', attrs: { to: `${B}@s.whatsapp.net` } }).attrs.error).toBe('400');
  });

  it('queues for an offline device; at login: success, the preview, then only as many as each offline_batch asks for, then <ib><offline count/>', () => {
    const { hub, b } = world();
    const queue = (id: string) =>
      routeMessage(hub, `${A}:1@s.whatsapp.net`, {
        tag: 'message',
        attrs: { id, to: `${B}@s.whatsapp.net` },
        content: [{ tag: 'participants', attrs: {}, content: [to(`${B}:1@s.whatsapp.net`, enc('msg', 1))] }],
      });
    for (const id of ['Q1', 'Q2', 'Q3']) queue(id);
    expect(hub.queues.queuedCount(`${B}:1@s.whatsapp.net`)).toBe(3);
    const b1 = online(hub, b, 1);
    expect(b1.sent.map((n) => n.tag)).toEqual(['success', 'ib']);
    expect(b1.sent[0]!.attrs.lid).toBe(`${b.lidUser}:1@lid`);
    expect(kids(b1.sent[1]!)[0]).toEqual({ tag: 'offline_preview', attrs: { count: '3', message: '3', receipt: '0', notification: '0', call: '0' } });
    hub.offlineBatch(b1, 2);
    expect(b1.sent.slice(2).map((n) => [n.tag, n.attrs.id, n.attrs.offline])).toEqual([
      ['message', 'Q1', '1'],
      ['message', 'Q2', '1'],
    ]);
    // A message arriving while the backlog is pulled waits behind it.
    queue('Q4');
    expect(b1.sent).toHaveLength(4);
    hub.offlineBatch(b1, 5);
    expect(b1.sent.slice(4).map((n) => [n.tag, n.attrs.id ?? '', n.attrs.offline ?? ''])).toEqual([
      ['message', 'Q3', '1'],
      ['message', 'Q4', '1'],
      ['ib', '', ''],
    ]);
    expect(kids(b1.sent[6]!)[0]).toEqual({ tag: 'offline', attrs: { count: '4' } });
    // Live from here on: at once, not marked offline; a late batch request is ignored.
    queue('L1');
    hub.offlineBatch(b1, 5);
    expect(b1.sent.slice(7).map((n) => [n.attrs.id, n.attrs.offline])).toEqual([['L1', undefined]]);
    expect(hub.stats.offlineBatches).toBe(2);
  });

  it('an empty queue ends offline delivery at once with <ib><offline count="0"/>, without a preview', () => {
    const { hub, b } = world();
    const b1 = online(hub, b, 1);
    expect(b1.sent.map((n) => n.tag)).toEqual(['success', 'ib']);
    expect(kids(b1.sent[1]!)[0]).toEqual({ tag: 'offline', attrs: { count: '0' } });
  });

  it('puts unacked stanzas back in the queue when the socket goes, and redelivers them', () => {
    const { hub, b } = world();
    const first = online(hub, b, 1);
    routeMessage(hub, `${A}:1@s.whatsapp.net`, {
      tag: 'message',
      attrs: { id: 'U1', to: `${B}@s.whatsapp.net` },
      content: [{ tag: 'participants', attrs: {}, content: [to(`${B}:1@s.whatsapp.net`, enc('msg', 1))] }],
    });
    expect(first.of('message')).toHaveLength(1);
    hub.detach(first, first.deviceJid);
    const second = online(hub, b, 1);
    hub.offlineBatch(second, 10);
    expect(second.of('message').map((n) => n.attrs.id)).toEqual(['U1']);
  });

  it('drops the oldest stanza past the offline bound and counts it', () => {
    const hub = makeHub({ maxOfflinePerDevice: 3 });
    addUser(hub, A, 1);
    addUser(hub, B, 1);
    for (let i = 0; i < 5; i++) {
      routeMessage(hub, `${A}:1@s.whatsapp.net`, {
        tag: 'message',
        attrs: { id: `B${i}`, to: `${B}@s.whatsapp.net` },
        content: [{ tag: 'participants', attrs: {}, content: [to(`${B}:1@s.whatsapp.net`, enc('msg', i))] }],
      });
    }
    expect(hub.queues.drain(`${B}:1@s.whatsapp.net`).map((q) => q.node.attrs.id)).toEqual(['B2', 'B3', 'B4']);
    expect(hub.queues.dropped).toBe(2);
  });

  it('replaces the older socket of a device with stream error 409 <conflict type="replaced"/>', () => {
    const { hub, b } = world();
    const first = online(hub, b, 1);
    const second = online(hub, b, 1);
    expect(first.streamErrors).toEqual([{ code: 409, child: { tag: 'conflict', attrs: { type: 'replaced' } } }]);
    expect(hub.session(`${B}:1@s.whatsapp.net`)).toBe(second);
  });

  it('unlinking a live companion sends 401, forgets its queue and prekeys, and tells peers and own devices', () => {
    const { hub, a, b } = world();
    routeMessage(hub, `${A}:1@s.whatsapp.net`, { tag: 'message', attrs: { id: 'P', to: b.jid }, content: [] });
    const a1 = online(hub, a, 1);
    const b1 = online(hub, b, 1);
    const c1 = online(hub, hub.dir.user(C)!, 1);
    expect(hub.removeDevice(b, 1)).toBe(true);
    expect(b1.streamErrors[0]!.code).toBe(401);
    expect(hub.dir.device(`${B}:1@s.whatsapp.net`)).toBeUndefined();
    expect(hub.prekeys.count(`${B}:1@s.whatsapp.net`)).toBe(0);
    expect(hub.removeDevice(b, 0)).toBe(false);
    const note = a1.of('notification')[0]!;
    expect(note.attrs).toMatchObject({ from: b.jid, type: 'devices' });
    expect(kids(note)[0]).toEqual({ tag: 'remove', attrs: {}, content: [{ tag: 'device', attrs: { jid: `${B}:1@s.whatsapp.net` } }] });
    expect(c1.of('notification')).toEqual([]);
  });
});

describe('group messages', () => {
  function group() {
    const w = world();
    const g = w.hub.groups.create(w.a.jid, 'g', [w.b.jid, w.c.jid], 1);
    return { ...w, g };
  }

  it('gives every other member device the skmsg, preceded by its own pkmsg when it had a <to>', () => {
    const { hub, a, b, c, g } = group();
    const a2 = online(hub, a, 2);
    const b1 = online(hub, b, 1);
    const c1 = online(hub, c, 1);
    const ack = routeMessage(hub, `${A}:1@s.whatsapp.net`, {
      tag: 'message',
      attrs: { id: 'G1', to: g.jid, type: 'text', addressing_mode: 'pn' },
      content: [{ tag: 'participants', attrs: {}, content: [to(`${B}:1@s.whatsapp.net`, enc('pkmsg', 1))] }, enc('skmsg', 9)],
    });
    expect(ack.attrs.error).toBeUndefined();
    const gotB = b1.of('message')[0]!;
    expect(gotB.attrs).toMatchObject({ from: g.jid, participant: `${A}:1@s.whatsapp.net`, participant_lid: a.lid, addressing_mode: 'pn' });
    expect(kids(gotB).map((e) => e.attrs.type)).toEqual(['pkmsg', 'skmsg']);
    expect(kids(c1.of('message')[0]!).map((e) => e.attrs.type)).toEqual(['skmsg']);
    expect(kids(a2.of('message')[0]!).map((e) => e.attrs.type)).toEqual(['skmsg']);
    // Phones (device 0) are members too; offline companions get it queued.
    expect(hub.queues.queuedCount(`${A}:1@s.whatsapp.net`)).toBe(0);
  });

  it('refuses a sender that is not a member', () => {
    const { hub, g } = group();
    const outsider = addUser(hub, '15552229999', 1);
    expect(routeMessage(hub, `${outsider.phone}:1@s.whatsapp.net`, { tag: 'message', attrs: { id: 'G2', to: g.jid }, content: [enc('skmsg', 1)] }).attrs.error).toBe('403');
  });

  it('sends a group retry resend (participant = device) to that device only', () => {
    const { hub, b, c, g } = group();
    const b1 = online(hub, b, 1);
    const c1 = online(hub, c, 1);
    routeMessage(hub, `${A}:1@s.whatsapp.net`, { tag: 'message', attrs: { id: 'G3', to: g.jid, participant: `${C}:1@s.whatsapp.net` }, content: [enc('msg', 1)] });
    expect(b1.of('message')).toEqual([]);
    expect(c1.of('message')).toHaveLength(1);
  });
});

describe('receipts', () => {
  it('sends a delivery receipt to every device of the original sender, from the reader’s user jid', () => {
    const { hub, a, b } = world();
    const a1 = online(hub, a, 1);
    const a2 = online(hub, a, 2);
    const b1 = online(hub, b, 1);
    const ack = routeReceipt(hub, `${B}:1@s.whatsapp.net`, { tag: 'receipt', attrs: { id: 'M1', to: `${A}@s.whatsapp.net` } });
    expect(ack.attrs).toEqual({ class: 'receipt', id: 'M1', from: `${A}@s.whatsapp.net` });
    for (const s of [a1, a2]) {
      const [r] = s.of('receipt');
      expect(r!.attrs).toMatchObject({ id: 'M1', from: `${B}@s.whatsapp.net`, t: String(Math.floor(1_790_000_000_000 / 1000)) });
      expect(r!.attrs.type).toBeUndefined();
    }
    expect(b1.of('receipt')).toEqual([]);
  });

  it('reports an "inactive" receipt to the sender as a plain delivery, keeps read and its list', () => {
    const { hub, a } = world();
    const a1 = online(hub, a, 1);
    routeReceipt(hub, `${B}:1@s.whatsapp.net`, { tag: 'receipt', attrs: { id: 'M1', to: `${A}@s.whatsapp.net`, type: 'inactive' } });
    const list: BinaryNode = { tag: 'list', attrs: {}, content: [{ tag: 'item', attrs: { id: 'M2' } }] };
    routeReceipt(hub, `${B}:1@s.whatsapp.net`, { tag: 'receipt', attrs: { id: 'M1', to: `${A}@s.whatsapp.net`, type: 'read', t: '5' }, content: [list] });
    const [delivery, read] = a1.of('receipt');
    expect(delivery!.attrs.type).toBeUndefined();
    expect(read!.attrs).toMatchObject({ type: 'read', t: '5' });
    expect(kids(read!)).toEqual([list]);
  });

  it('routes a group receipt to the author’s devices with from=group and participant=reader', () => {
    const { hub, a } = world();
    const a1 = online(hub, a, 1);
    routeReceipt(hub, `${B}:1@s.whatsapp.net`, { tag: 'receipt', attrs: { id: 'G1', to: '120363000000000001@g.us', participant: `${A}:1@s.whatsapp.net`, type: 'read' } });
    expect(a1.of('receipt')[0]!.attrs).toMatchObject({ from: '120363000000000001@g.us', participant: `${B}@s.whatsapp.net`, type: 'read' });
  });

  it('sends a retry receipt to the original device only, naming the asking device', () => {
    const { hub, a } = world();
    const a1 = online(hub, a, 1);
    const a2 = online(hub, a, 2);
    routeReceipt(hub, `${B}:1@s.whatsapp.net`, { tag: 'receipt', attrs: { id: 'M1', to: `${A}:2@s.whatsapp.net`, type: 'retry' }, content: [{ tag: 'retry', attrs: { count: '1' } }] });
    expect(a1.of('receipt')).toEqual([]);
    expect(a2.of('receipt')[0]!.attrs).toMatchObject({ from: `${B}:1@s.whatsapp.net`, type: 'retry' });
  });

  it('sends a "sender" receipt (own-device copy) with its recipient to the device that sent the message', () => {
    const { hub, a } = world();
    const a1 = online(hub, a, 1);
    const a2 = online(hub, a, 2);
    routeReceipt(hub, `${A}:2@s.whatsapp.net`, { tag: 'receipt', attrs: { id: 'M1', to: `${A}:1@s.whatsapp.net`, recipient: `${B}@s.whatsapp.net`, type: 'sender' } });
    expect(a1.of('receipt')[0]!.attrs).toMatchObject({ from: `${A}@s.whatsapp.net`, recipient: `${B}@s.whatsapp.net`, type: 'sender' });
    expect(a2.of('receipt')).toEqual([]);
  });
});

describe('acks', () => {
  it.each([
    ['delivery receipt acked without type', { tag: 'receipt', attrs: { id: '1' } }, { class: 'receipt', id: '1' }, undefined],
    ['delivery receipt acked with type="delivery"', { tag: 'receipt', attrs: { id: '1' } }, { class: 'receipt', id: '1', type: 'delivery' }, 'delivery receipt'],
    ['read receipt acked with its type', { tag: 'receipt', attrs: { id: '1', type: 'read' } }, { class: 'receipt', id: '1', type: 'read' }, undefined],
    ['read receipt acked without type', { tag: 'receipt', attrs: { id: '1', type: 'read' } }, { class: 'receipt', id: '1' }, 'read receipt'],
    ['stanza with recipient acked without it', { tag: 'message', attrs: { id: '1', recipient: 'x@s.whatsapp.net' } }, { class: 'message', id: '1' }, 'recipient'],
    ['message acked with its type (Baileys) ', { tag: 'message', attrs: { id: '1', type: 'text' } }, { class: 'message', id: '1', type: 'text' }, undefined],
    ['message acked without type (whatsmeow)', { tag: 'message', attrs: { id: '1', type: 'text' } }, { class: 'message', id: '1' }, undefined],
    ['ack of the wrong class', { tag: 'notification', attrs: { id: '1' } }, { class: 'receipt', id: '1' }, 'class'],
  ] as const)('%s', (_name, sent, ack, problem) => {
    const v = ackViolation(sent as BinaryNode, { tag: 'ack', attrs: { ...ack } });
    if (problem === undefined) expect(v).toBeUndefined();
    else expect(v).toContain(problem);
  });

  /** A real Session logged in on a fake connection that records what it is asked to send. */
  function liveSession(hub: ReturnType<typeof makeHub>, phone: string) {
    const sent: BinaryNode[] = [];
    const errors: Array<number | undefined> = [];
    const session = new Session({ hub, pairing: new Pairing(hub) });
    const fakeConn = {
      loggedIn() {},
      send(n: BinaryNode) {
        sent.push(n);
      },
      close() {},
      streamError(code: number | undefined) {
        errors.push(code);
      },
    };
    const user = hub.dir.user(phone)!;
    const payload = proto.ClientPayload.encode({ username: Number(phone), device: 1, passive: true }).finish();
    session.onHandshake(fakeConn as never, user.devices.get(1)!.noiseKey!, payload);
    return { session, sent, errors, conn: fakeConn };
  }

  it('a delivery receipt acked with a type closes the stream with <stream:error><ack/>', async () => {
    const { hub } = world();
    const { session, sent, errors, conn } = liveSession(hub, B);
    expect(sent[0]!.tag).toBe('success');
    routeReceipt(hub, `${A}:1@s.whatsapp.net`, { tag: 'receipt', attrs: { id: 'R1', to: `${B}@s.whatsapp.net` } });
    const receipt = sent.find((n) => n.tag === 'receipt')!;
    session.onNode(conn as never, { tag: 'ack', attrs: { class: 'receipt', id: receipt.attrs.id!, to: receipt.attrs.from!, type: 'delivery' } });
    expect(errors).toEqual([undefined]);
  });

  it('a correct ack, or a receipt for a message, clears it from the unacked set', () => {
    const { hub } = world();
    const { session, conn } = liveSession(hub, B);
    routeMessage(hub, `${A}:1@s.whatsapp.net`, {
      tag: 'message',
      attrs: { id: 'K1', to: `${B}@s.whatsapp.net` },
      content: [{ tag: 'participants', attrs: {}, content: [to(`${B}:1@s.whatsapp.net`, enc('msg', 1))] }],
    });
    routeReceipt(hub, `${A}:1@s.whatsapp.net`, { tag: 'receipt', attrs: { id: 'K0', to: `${B}@s.whatsapp.net`, type: 'read' } });
    expect(hub.queues.sizes()[`${B}:1@s.whatsapp.net`]).toBe(2);
    session.onNode(conn as never, { tag: 'receipt', attrs: { id: 'K1', to: `${A}@s.whatsapp.net` } });
    session.onNode(conn as never, { tag: 'ack', attrs: { class: 'receipt', id: 'K0', to: `${A}@s.whatsapp.net`, type: 'read' } });
    expect(hub.queues.sizes()[`${B}:1@s.whatsapp.net`]).toBeUndefined();
  });
});

describe('faults', () => {
  it('delay reaches the live sessions of that phone and later logins; drop and stream-error hit its connections only', () => {
    const { hub, a, b } = world();
    const a1 = online(hub, a, 1);
    const b1 = online(hub, b, 1);
    hub.connections.add(a1);
    hub.connections.add(b1);
    expect(hub.applyFault({ kind: 'delay', phone: B, ms: 250 })).toBe(1);
    expect([a1.delay, b1.delay]).toEqual([0, 250]);
    expect(online(hub, b, 1).delay).toBe(250);
    hub.applyFault({ kind: 'delay', ms: 100 });
    expect(a1.delay).toBe(100);
    expect(hub.applyFault({ kind: 'stream-error', phone: A, code: 503 })).toBe(1);
    expect(a1.streamErrors).toEqual([{ code: 503, child: undefined }]);
    expect(b1.streamErrors).toEqual([{ code: 409, child: { tag: 'conflict', attrs: { type: 'replaced' } } }]);
    hub.applyFault({ kind: 'drop', phone: B });
    expect([a1.terminated, b1.terminated]).toEqual([false, true]);
    expect(() => hub.applyFault({ kind: 'drop', phone: '19990000000' })).toThrow(/no user/);
    hub.clearFaults();
    expect(a1.delay).toBe(0);
  });
});

describe('blocking', () => {
  it("drops a blocked sender's 1:1 messages (acked as usual, own copies kept) until unblocked; groups are not filtered", () => {
    const { hub, a, b } = world();
    const a2 = online(hub, a, 2);
    const b1 = online(hub, b, 1);
    const send = (id: string) =>
      routeMessage(hub, `${A}:1@s.whatsapp.net`, {
        tag: 'message',
        attrs: { id, to: `${B}@s.whatsapp.net`, type: 'text' },
        content: [{ tag: 'participants', attrs: {}, content: [to(`${B}:1@s.whatsapp.net`, enc('msg', 1)), to(`${A}:2@s.whatsapp.net`, enc('msg', 2))] }],
      });
    hub.blocklists.set(b.jid, new Set([a.lid]));
    expect(send('X1').attrs.error).toBeUndefined();
    expect(b1.of('message')).toEqual([]);
    expect(a2.of('message').map((m) => m.attrs.id)).toEqual(['X1']);
    const group = createGroup(hub, a.jid, 'still talking', [b.jid]);
    routeMessage(hub, `${A}:1@s.whatsapp.net`, { tag: 'message', attrs: { id: 'G9', to: group.jid, type: 'text' }, content: [enc('skmsg', 3)] });
    expect(b1.of('message').map((m) => m.attrs.id)).toEqual(['G9']);
    hub.blocklists.set(b.jid, new Set());
    send('X2');
    expect(b1.of('message').map((m) => m.attrs.id)).toEqual(['G9', 'X2']);
  });
});
