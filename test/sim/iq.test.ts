/**
 * The IQ answers of the simulator (iq/*), called as a logged-in device
 * would: prekeys (count, upload, fetch with one-time keys popped), USync,
 * the small session IQs, media_conn, groups (w:g2) with their
 * notifications, and what a companion that is not linked yet may ask.
 */
import { describe, expect, it } from 'vitest';
import { handleIq, type IqContext } from '../../src/sim/iq/index.js';
import type { BinaryNode } from '../../src/sim/nodes.js';
import { Pairing } from '../../src/sim/pairing.js';
import { addUser, makeHub, online } from './support.js';

const A = '15553330001';
const B = '15553330002';

function kids(n: BinaryNode | undefined): BinaryNode[] {
  return n && Array.isArray(n.content) ? n.content : [];
}
function kid(n: BinaryNode | undefined, tag: string): BinaryNode | undefined {
  return kids(n).find((c) => c.tag === tag);
}
let seq = 0;
function iq(xmlns: string, type: 'get' | 'set', content: BinaryNode[], to = '@s.whatsapp.net'): BinaryNode {
  return { tag: 'iq', attrs: { id: `q${++seq}`, xmlns, type, to }, content };
}

function setup() {
  const hub = makeHub();
  const a = addUser(hub, A, 1);
  const b = addUser(hub, B, 2);
  const pairing = new Pairing(hub);
  const session = { registration: undefined as never, send() {}, query: async () => ({ tag: 'iq', attrs: {} }), streamError() {} };
  const as = (deviceJid: string | undefined): IqContext => ({ hub, pairing, session, deviceJid });
  return { hub, a, b, ctx: as(`${A}:1@s.whatsapp.net`), as };
}

describe('encrypt (prekeys)', () => {
  it('counts, accepts an upload, and hands out one one-time prekey per fetch until none are left', () => {
    const { hub, ctx } = setup();
    const count = handleIq(ctx, iq('encrypt', 'get', [{ tag: 'count', attrs: {} }]));
    expect(kid(count, 'count')!.attrs.value).toBe('3');

    const id32 = new Uint8Array(32).fill(1);
    const upload = handleIq(
      ctx,
      iq('encrypt', 'set', [
        { tag: 'registration', attrs: {}, content: Uint8Array.of(0, 0, 0x30, 0x39) },
        { tag: 'type', attrs: {}, content: Uint8Array.of(5) },
        { tag: 'identity', attrs: {}, content: id32 },
        { tag: 'list', attrs: {}, content: [{ tag: 'key', attrs: {}, content: [{ tag: 'id', attrs: {}, content: Uint8Array.of(0, 0, 9) }, { tag: 'value', attrs: {}, content: new Uint8Array(32).fill(9) }] }] },
        { tag: 'skey', attrs: {}, content: [{ tag: 'id', attrs: {}, content: Uint8Array.of(0, 0, 2) }, { tag: 'value', attrs: {}, content: new Uint8Array(32).fill(2) }, { tag: 'signature', attrs: {}, content: new Uint8Array(64).fill(3) }] },
      ]),
    );
    expect(upload.attrs.type).toBe('result');
    expect(hub.prekeys.count(`${A}:1@s.whatsapp.net`)).toBe(4);
    const dev = hub.dir.device(`${A}:1@s.whatsapp.net`)!;
    expect(dev.registrationId).toBe(12345);
    expect(dev.signedPreKey!.keyId).toBe(2);

    const fetch = (jid: string) => kid(kid(handleIq(ctx, iq('encrypt', 'get', [{ tag: 'key', attrs: {}, content: [{ tag: 'user', attrs: { jid } }] }])), 'list'), 'user')!;
    const seen = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const user = fetch(`${B}:1@s.whatsapp.net`);
      expect(user.attrs.jid).toBe(`${B}:1@s.whatsapp.net`);
      expect(kids(user).map((n) => n.tag)).toEqual(['registration', 'type', 'identity', 'skey', 'key']);
      seen.add(Buffer.from(kid(kid(user, 'key'), 'id')!.content as Uint8Array).toString('hex'));
    }
    expect(seen.size).toBe(3);
    expect(kids(fetch(`${B}:1@s.whatsapp.net`)).map((n) => n.tag)).toEqual(['registration', 'type', 'identity', 'skey']);
    // By LID, exactly as asked; an unknown device answers an error inside its <user>.
    const byLid = fetch(`${hub.dir.user(B)!.lidUser}:2@lid`);
    expect(byLid.attrs.jid).toBe(`${hub.dir.user(B)!.lidUser}:2@lid`);
    expect(kid(byLid, 'identity')).toBeDefined();
    expect(kid(fetch(`${B}:9@s.whatsapp.net`), 'error')!.attrs.code).toBe('404');
  });

  it('refuses an upload with a malformed key', () => {
    const { ctx } = setup();
    const res = handleIq(ctx, iq('encrypt', 'set', [{ tag: 'registration', attrs: {}, content: Uint8Array.of(1, 2, 3, 4) }, { tag: 'identity', attrs: {}, content: new Uint8Array(31) }]));
    expect(res.attrs.type).toBe('error');
  });

  it('answers digest with a <digest> node (Baileys re-uploads without one)', () => {
    const { ctx } = setup();
    expect(kid(handleIq(ctx, iq('encrypt', 'get', [{ tag: 'digest', attrs: {} }])), 'digest')).toBeDefined();
  });
});

describe('usync', () => {
  it('lists devices with key-index on companions, the LID, and contact status; echoes the usync attributes', () => {
    const { ctx, b } = setup();
    const res = handleIq(
      ctx,
      iq('usync', 'get', [
        {
          tag: 'usync',
          attrs: { sid: 's1', mode: 'query', context: 'message', last: 'true', index: '0' },
          content: [
            { tag: 'query', attrs: {}, content: [{ tag: 'devices', attrs: { version: '2' } }, { tag: 'lid', attrs: {} }, { tag: 'contact', attrs: {} }] },
            { tag: 'list', attrs: {}, content: [{ tag: 'user', attrs: { jid: `${B}@s.whatsapp.net` } }, { tag: 'user', attrs: { jid: '19990000000@s.whatsapp.net' } }] },
          ],
        },
      ]),
    );
    const usync = kid(res, 'usync')!;
    expect(usync.attrs).toEqual({ sid: 's1', mode: 'query', context: 'message', last: 'true', index: '0' });
    const [known, unknown] = kids(kid(usync, 'list'));
    expect(kids(kid(kid(known, 'devices'), 'device-list')).map((d) => d.attrs)).toEqual([{ id: '0' }, { id: '1', 'key-index': '1' }, { id: '2', 'key-index': '2' }]);
    expect(kid(known, 'lid')!.attrs.val).toBe(b.lid);
    expect(kid(known, 'contact')!.attrs.type).toBe('in');
    expect(kids(kid(kid(unknown, 'devices'), 'device-list'))).toEqual([]);
    expect(kid(unknown, 'lid')).toBeUndefined();
    expect(kid(unknown, 'contact')!.attrs.type).toBe('out');
  });

  it('resolves a phone number given as <contact> to its jid', () => {
    const { ctx } = setup();
    const res = handleIq(ctx, iq('usync', 'get', [{ tag: 'usync', attrs: {}, content: [{ tag: 'query', attrs: {}, content: [{ tag: 'contact', attrs: {} }] }, { tag: 'list', attrs: {}, content: [{ tag: 'user', attrs: {}, content: [{ tag: 'contact', attrs: {}, content: `+${B}` }] }] }] }]));
    const user = kids(kid(kid(res, 'usync'), 'list'))[0]!;
    expect(user.attrs.jid).toBe(`${B}@s.whatsapp.net`);
    expect(kid(user, 'contact')!.attrs.type).toBe('in');
  });
});

describe('session IQs', () => {
  it('answers ping, passive, props, privacy, blocklist and unknown namespaces', () => {
    const { ctx } = setup();
    expect(handleIq(ctx, iq('w:p', 'get', [{ tag: 'ping', attrs: {} }])).attrs).toMatchObject({ type: 'result', from: 's.whatsapp.net' });
    expect(handleIq(ctx, iq('passive', 'set', [{ tag: 'active', attrs: {} }])).attrs.type).toBe('result');
    expect(kid(handleIq(ctx, iq('abt', 'get', [{ tag: 'props', attrs: { protocol: '1' } }])), 'props')!.attrs.protocol).toBe('1');
    const privacy = kid(handleIq(ctx, iq('privacy', 'get', [{ tag: 'privacy', attrs: {} }])), 'privacy')!;
    expect(kids(privacy).find((c) => c.attrs.name === 'readreceipts')!.attrs.value).toBe('all');
    expect(kids(kid(handleIq(ctx, iq('blocklist', 'get', [])), 'list'))).toEqual([]);
    handleIq(ctx, iq('blocklist', 'set', [{ tag: 'item', attrs: { action: 'block', jid: `${B}@s.whatsapp.net` } }]));
    expect(kids(kid(handleIq(ctx, iq('blocklist', 'get', [])), 'list')).map((i) => i.attrs.jid)).toEqual([`${B}@s.whatsapp.net`]);
    expect(handleIq(ctx, iq('w:whatever', 'get', [])).attrs.type).toBe('result');
  });

  it('advertises the media host and a fresh auth token', () => {
    const { ctx, hub } = setup();
    expect(handleIq(ctx, iq('w:m', 'set', [{ tag: 'media_conn', attrs: {} }])).attrs.type).toBe('error');
    hub.media = { hostname: '127.0.0.1:4443', maxBlobBytes: 1000, issueAuth: () => 'tok', isChannelHandle: () => false };
    const mc = kid(handleIq(ctx, iq('w:m', 'set', [{ tag: 'media_conn', attrs: {} }])), 'media_conn')!;
    expect(mc.attrs).toMatchObject({ auth: 'tok', ttl: '3600' });
    expect(kid(mc, 'host')!.attrs).toEqual({ hostname: '127.0.0.1:4443', maxContentLengthBytes: '1000' });
  });

  it('lets a companion that is not linked use only md and ping', () => {
    const { as } = setup();
    expect(handleIq(as(undefined), iq('encrypt', 'get', [{ tag: 'count', attrs: {} }])).attrs.type).toBe('error');
    expect(handleIq(as(undefined), iq('usync', 'get', [])).attrs.type).toBe('error');
    expect(handleIq(as(undefined), iq('w:p', 'get', [{ tag: 'ping', attrs: {} }])).attrs.type).toBe('result');
    expect(handleIq(as(undefined), iq('md', 'set', [])).attrs.type).toBe('result');
  });
});

describe('groups (w:g2)', () => {
  it('creates a group, answers metadata, and notifies every member device', () => {
    const { hub, a, b, ctx } = setup();
    const b1 = online(hub, b, 1);
    const res = handleIq(ctx, iq('w:g2', 'set', [{ tag: 'create', attrs: { subject: 'team', key: 'k' }, content: [{ tag: 'participant', attrs: { jid: `${B}@s.whatsapp.net` } }] }], '@g.us'));
    const group = kid(res, 'group')!;
    expect(group.attrs).toMatchObject({ subject: 'team', creator: a.jid, addressing_mode: 'pn', size: '2' });
    expect(kids(group).map((p) => [p.attrs.jid, p.attrs.type])).toEqual([
      [a.jid, 'superadmin'],
      [b.jid, undefined],
    ]);
    const note = b1.of('notification')[0]!;
    expect(note.attrs).toMatchObject({ from: `${group.attrs.id}@g.us`, type: 'w:gp2', participant: a.jid });
    expect(kid(kid(note, 'create'), 'group')!.attrs.subject).toBe('team');

    const meta = handleIq(ctx, iq('w:g2', 'get', [{ tag: 'query', attrs: { request: 'interactive' } }], `${group.attrs.id}@g.us`));
    expect(kid(meta, 'group')!.attrs.id).toBe(group.attrs.id);
    const all = handleIq(ctx, iq('w:g2', 'get', [{ tag: 'participating', attrs: {} }], '@g.us'));
    expect(kids(kid(all, 'groups')).map((g) => g.attrs.id)).toEqual([group.attrs.id]);
  });

  it('adds, promotes and removes participants (admins only), with per-participant errors', () => {
    const { hub, a, b, ctx, as } = setup();
    const c = addUser(hub, '15553330003', 1);
    const g = hub.groups.create(a.jid, 'g', [b.jid], 1);
    const act = (who: IqContext, action: string, jid: string) => handleIq(who, iq('w:g2', 'set', [{ tag: action, attrs: {}, content: [{ tag: 'participant', attrs: { jid } }] }], g.jid));
    expect(act(as(`${B}:1@s.whatsapp.net`), 'add', c.jid).attrs.type).toBe('error');
    expect(kids(kid(act(ctx, 'add', c.jid), 'add'))[0]!.attrs).toEqual({ jid: c.jid });
    expect(kids(kid(act(ctx, 'add', c.jid), 'add'))[0]!.attrs.error).toBe('409');
    expect(kids(kid(act(ctx, 'add', '19990000000@s.whatsapp.net'), 'add'))[0]!.attrs.error).toBe('404');
    act(ctx, 'promote', b.jid);
    expect(g.participants.get(b.jid)).toBe('admin');
    expect(kids(kid(act(as(`${B}:1@s.whatsapp.net`), 'remove', c.jid), 'remove'))[0]!.attrs).toEqual({ jid: c.jid });
    expect(g.participants.has(c.jid)).toBe(false);
    expect(handleIq(as(`${c.phone}:1@s.whatsapp.net`), iq('w:g2', 'get', [{ tag: 'query', attrs: {} }], g.jid)).attrs.type).toBe('error');
  });
});
