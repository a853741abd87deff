/**
 * The simulator's privacy tokens (tctokens.ts, iq/privacy.ts, router.ts):
 * issuing answers the contact's token and notifies the contact with the
 * issuer's; a sender that needs tokens is refused with 463 unless its 1:1
 * message carries a valid token of that recipient (made by this server for
 * this pair, within four 7-day buckets); retry resends, peer messages and
 * messages to oneself never need one; the props answer names the flags.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TCTOKEN_BUCKET_SECONDS } from '../../src/protocol/iq/privacy-tokens.js';
import { handleIq } from '../../src/sim/iq/index.js';
import type { BinaryNode } from '../../src/sim/nodes.js';
import { Pairing } from '../../src/sim/pairing.js';
import { routeMessage } from '../../src/sim/router.js';
import { TcTokenAuthority } from '../../src/sim/tctokens.js';
import { addUser, CLOCK, enc, makeHub, online, to } from './support.js';

const A = '15552230001';
const B = '15552230002';
const C = '15552230003';
const NOW_S = Math.floor(CLOCK / 1000);

function world() {
  const hub = makeHub();
  const a = addUser(hub, A, 1);
  const b = addUser(hub, B, 1);
  const c = addUser(hub, C, 1);
  return { hub, a, b, c };
}

const kids = (n: BinaryNode | undefined): BinaryNode[] => (n && Array.isArray(n.content) ? n.content : []);
const kid = (n: BinaryNode | undefined, tag: string) => kids(n).find((k) => k.tag === tag);

function direct(id: string, peer: string, extra: BinaryNode[] = [], attrs: Record<string, string> = {}): BinaryNode {
  return { tag: 'message', attrs: { id, to: `${peer}@s.whatsapp.net`, type: 'text', ...attrs }, content: [{ tag: 'participants', attrs: {}, content: [to(`${peer}:1@s.whatsapp.net`, enc('msg', 1))] }, ...extra] };
}

const tctoken = (bytes: Uint8Array): BinaryNode => ({ tag: 'tctoken', attrs: {}, content: bytes });

function iqAs(hub: ReturnType<typeof makeHub>, deviceJid: string, xmlns: string, type: string, content: BinaryNode[]): BinaryNode {
  const ctx = { hub, pairing: new Pairing(hub), session: {} as never, deviceJid };
  return handleIq(ctx, { tag: 'iq', attrs: { id: 'q1', xmlns, type, to: 's.whatsapp.net' }, content });
}

describe('issuing tokens', () => {
  it('answers the contact’s token for the issuer and notifies every device of the contact with the issuer’s', () => {
    const { hub, a, b } = world();
    const b1 = online(hub, b, 1);
    const answer = iqAs(hub, `${A}:1@s.whatsapp.net`, 'privacy', 'set', [
      { tag: 'tokens', attrs: {}, content: [{ tag: 'token', attrs: { jid: b.jid, t: String(NOW_S), type: 'trusted_contact' } }, { tag: 'token', attrs: { jid: '19999999999@s.whatsapp.net', t: '1', type: 'trusted_contact' } }] },
    ]);
    const tokens = kids(kid(answer, 'tokens'));
    expect(tokens).toHaveLength(1);
    expect(tokens[0]!.attrs).toMatchObject({ jid: b.jid, type: 'trusted_contact', t: String(NOW_S) });
    // The answer's token lets A message B; not B message A.
    expect(hub.tcTokens.valid(tokens[0]!.content as Uint8Array, b, a, NOW_S)).toBe(true);
    expect(hub.tcTokens.valid(tokens[0]!.content as Uint8Array, a, b, NOW_S)).toBe(false);
    const note = b1.of('notification').find((n) => n.attrs.type === 'privacy_token')!;
    expect(note.attrs).toMatchObject({ from: a.jid, sender_lid: a.lid });
    const given = kid(kid(note, 'tokens'), 'token')!;
    expect(given.attrs).toMatchObject({ type: 'trusted_contact', t: String(NOW_S) });
    expect(hub.tcTokens.valid(given.content as Uint8Array, a, b, NOW_S)).toBe(true);
  });
});

describe('error 463', () => {
  it('refuses a needing sender’s 1:1 message without a valid token and delivers it with one', () => {
    const { hub, a, b, c } = world();
    const b1 = online(hub, b, 1);
    hub.tcTokens.setRequired(A, true);
    expect(routeMessage(hub, `${A}:1@s.whatsapp.net`, direct('M1', B)).attrs.error).toBe('463');
    // Made for another pair, or the reverse direction, or forged: still refused.
    expect(routeMessage(hub, `${A}:1@s.whatsapp.net`, direct('M2', B, [tctoken(hub.tcTokens.mint(c, a, NOW_S))])).attrs.error).toBe('463');
    expect(routeMessage(hub, `${A}:1@s.whatsapp.net`, direct('M3', B, [tctoken(hub.tcTokens.mint(a, b, NOW_S))])).attrs.error).toBe('463');
    const forged = hub.tcTokens.mint(b, a, NOW_S);
    forged[forged.length - 1]! ^= 1;
    expect(routeMessage(hub, `${A}:1@s.whatsapp.net`, direct('M4', B, [tctoken(forged)])).attrs.error).toBe('463');
    expect(b1.of('message')).toHaveLength(0);
    const ok = routeMessage(hub, `${A}:1@s.whatsapp.net`, direct('M5', B, [tctoken(hub.tcTokens.mint(b, a, NOW_S))]));
    expect(ok.attrs.error).toBeUndefined();
    expect(b1.of('message').map((m) => m.attrs.id)).toEqual(['M5']);
    expect(hub.stats.tcTokenRefusals).toBe(4);
    expect(hub.stats.tcTokensAccepted).toBe(1);
  });

  it('never asks it of peer messages, retry resends or messages to oneself, nor of senders that need none', () => {
    const { hub, a, b } = world();
    online(hub, b, 1);
    hub.tcTokens.setRequired(A, true);
    expect(routeMessage(hub, `${A}:1@s.whatsapp.net`, direct('P1', A, [], {})).attrs.error).toBeUndefined();
    expect(routeMessage(hub, `${A}:1@s.whatsapp.net`, direct('P2', B, [], { category: 'peer' })).attrs.error).toBeUndefined();
    const retry: BinaryNode = { tag: 'message', attrs: { id: 'R1', to: `${B}:1@s.whatsapp.net`, type: 'text' }, content: [enc('msg', 1)] };
    expect(routeMessage(hub, `${A}:1@s.whatsapp.net`, retry).attrs.error).toBeUndefined();
    expect(routeMessage(hub, `${B}:1@s.whatsapp.net`, direct('P3', A)).attrs.error).toBeUndefined();
    hub.tcTokens.setRequired(A, false);
    expect(routeMessage(hub, `${A}:1@s.whatsapp.net`, direct('P4', B)).attrs.error).toBeUndefined();
    void a;
  });

  it('a token is good for four 7-day buckets from its own, and not from far in the future', () => {
    const { hub, a, b } = world();
    fc.assert(
      fc.property(fc.integer({ min: -6 * TCTOKEN_BUCKET_SECONDS, max: 2 * TCTOKEN_BUCKET_SECONDS }), (age) => {
        const t = NOW_S - age;
        const good = hub.tcTokens.valid(hub.tcTokens.mint(b, a, t), b, a, NOW_S);
        const bucket = (s: number) => Math.floor(s / TCTOKEN_BUCKET_SECONDS);
        const expected = bucket(NOW_S) - bucket(t) <= 3 && t <= NOW_S + 86_400;
        expect(good).toBe(expected);
      }),
    );
  });

  it('tokens made under another secret are not this server’s', () => {
    const { a, b } = world();
    const other = new TcTokenAuthority(new Uint8Array(32).fill(7));
    const mine = new TcTokenAuthority(new Uint8Array(32).fill(8));
    expect(mine.valid(other.mint(b, a, NOW_S), b, a, NOW_S)).toBe(false);
    expect(mine.valid(mine.mint(b, a, NOW_S), b, a, NOW_S)).toBe(true);
  });
});

describe('props', () => {
  it('serve the privacy-token flags, and nothing when the client names the current hash', () => {
    const { hub } = world();
    const first = kid(iqAs(hub, `${A}:1@s.whatsapp.net`, 'abt', 'get', [{ tag: 'props', attrs: { protocol: '1' } }]), 'props')!;
    const flags = Object.fromEntries(kids(first).map((p) => [p.attrs.config_code, p.attrs.config_value]));
    expect(flags).toMatchObject({ '10518': 'true', '9666': 'true', '14303': 'false' });
    const again = kid(iqAs(hub, `${A}:1@s.whatsapp.net`, 'abt', 'get', [{ tag: 'props', attrs: { protocol: '1', hash: first.attrs.hash! } }]), 'props')!;
    expect(again.attrs.hash).toBe(first.attrs.hash);
    expect(kids(again)).toHaveLength(0);
    const server = kid(iqAs(hub, `${A}:1@s.whatsapp.net`, 'w', 'get', [{ tag: 'props', attrs: {} }]), 'props')!;
    expect(Object.fromEntries(kids(server).map((p) => [p.attrs.name, p.attrs.value]))).toMatchObject({ tctoken_duration: '604800', tctoken_num_buckets: '4' });
  });
});
