/**
 * Presence and chatstates: availability per user across its devices,
 * subscriptions answered and kept informed, typing forwarded to the peer's
 * live companions only (never queued, never to phones).
 */
import { describe, expect, it } from 'vitest';
import { deviceGone, handleChatstate, handlePresence } from '../../src/sim/presence.js';
import { addUser, makeHub, online } from './support.js';

const A = '15557770001';
const B = '15557770002';

describe('presence', () => {
  it('answers a subscription with the current state and pushes changes', () => {
    const hub = makeHub();
    const a = addUser(hub, A, 2);
    const b = addUser(hub, B, 1);
    const b1 = online(hub, b, 1);
    handlePresence(hub, `${B}:1@s.whatsapp.net`, { tag: 'presence', attrs: { type: 'subscribe', to: a.jid } });
    expect(b1.of('presence').map((p) => p.attrs)).toEqual([{ from: a.jid, type: 'unavailable' }]);
    handlePresence(hub, `${A}:1@s.whatsapp.net`, { tag: 'presence', attrs: { type: 'available', name: 'A' } });
    handlePresence(hub, `${A}:2@s.whatsapp.net`, { tag: 'presence', attrs: { type: 'available' } });
    expect(b1.of('presence').slice(1).map((p) => p.attrs.type)).toEqual(['available']);
    // Still available while one device is.
    handlePresence(hub, `${A}:1@s.whatsapp.net`, { tag: 'presence', attrs: { type: 'unavailable' } });
    expect(b1.of('presence')).toHaveLength(2);
    deviceGone(hub, `${A}:2@s.whatsapp.net`);
    const last = b1.of('presence')[2]!;
    expect(last.attrs).toMatchObject({ from: a.jid, type: 'unavailable', last: expect.stringMatching(/^\d+$/) });
  });
});

describe('chatstates', () => {
  it('forwards typing to the peer’s live companions only', () => {
    const hub = makeHub();
    addUser(hub, A, 1);
    const b = addUser(hub, B, 2);
    const b1 = online(hub, b, 1);
    handleChatstate(hub, `${A}:1@s.whatsapp.net`, { tag: 'chatstate', attrs: { to: b.jid }, content: [{ tag: 'composing', attrs: {} }] });
    expect(b1.of('chatstate')).toEqual([{ tag: 'chatstate', attrs: { from: `${A}@s.whatsapp.net` }, content: [{ tag: 'composing', attrs: {} }] }]);
    expect(hub.queues.queuedCount(`${B}:2@s.whatsapp.net`)).toBe(0);
  });

  it('forwards group typing with the typist as participant', () => {
    const hub = makeHub();
    const a = addUser(hub, A, 1);
    const b = addUser(hub, B, 1);
    const g = hub.groups.create(a.jid, 'g', [b.jid], 1);
    const b1 = online(hub, b, 1);
    handleChatstate(hub, `${A}:1@s.whatsapp.net`, { tag: 'chatstate', attrs: { to: g.jid }, content: [{ tag: 'paused', attrs: {} }] });
    expect(b1.of('chatstate')[0]!.attrs).toEqual({ from: g.jid, participant: a.jid });
  });
});
