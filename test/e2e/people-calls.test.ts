// Calls end to end: the daemon with its control socket, driven by WadClient, against the
// simulator; the callers are a simulated phone (admin API) and a Baileys 7 client (which sends
// the offer stanza itself: Baileys has no API to place calls).
// - every offer (voice, video, group) reaches a socket subscriber as call:incoming, and is acked
//   as WhatsApp Web acks it (<ack class="call" type="offer">);
// - call:reject ends the call on the caller's side: the simulated phone's call is `rejected` by
//   our device, and Baileys receives the reject as its `call` event with status "reject";
// - the caller hanging up (a timeout) becomes call:ended with the server's reason;
// - an account configured to reject calls declines at once and sends the caller its message.
import type { TypedWadEvent } from '../../src/contract/events.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCall } from '../../src/cli/call.js';
import type { WadClient } from '../../src/client/index.js';
import type { WadEvent } from '../../src/contract/api.js';
import type { Daemon } from '../../src/daemon/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import type { WireEntry } from '../../src/sim/wire-log.js';
import type { BaileysClient } from '../sim/baileys-harness.js';
import { admin, jidOf, until } from '../ipc/e2e-support.js';
import { baileysWorld, type BaileysWorld } from './support/baileys-world.js';

const W = '15550190001';
/** An account of the same daemon that declines every call. */
const R = '15550190002';
const B = '15550190003';
/** A user with only its simulated phone: the admin API calls from it. */
const P = '15550190004';
const BUSY = 'Sorry, I cannot take calls here. Please write.';

let world: BaileysWorld;
let s: SimHandle;
let d: Daemon;
let wad: WadClient;
let baileys: BaileysClient;
let events: TypedWadEvent[];
let ourDevice = '';

interface SimCallView {
  callId: string;
  state: string;
  endedBy?: string;
  reason?: string;
}

beforeAll(async () => {
  world = await baileysWorld({
    prefix: 'wad-e2e-calls-',
    phones: [
      { phone: W, name: 'Wad' },
      { phone: R, name: 'Reception' },
      { phone: B, name: 'Bailey' },
      { phone: P, name: 'Phone Only' },
    ],
    config: [['accounts.rejectCalls', { r: { message: BUSY } }]],
    accounts: [
      { id: 'w', phone: W },
      { id: 'r', phone: R },
    ],
    baileys: { id: 'b', phone: B },
    // A consumer on the socket, as a CRM would be.
    subscribe: { types: ['call:incoming', 'call:ended'] },
  });
  ({ sim: s, daemon: d, wad, baileys, events } = world);
  ourDevice = (await wad.listAccounts()).find((a) => a.id === 'w')!.jid!;
}, 90_000);

afterAll(async () => {
  await world?.close();
});

const incoming = (account: string, callId: string) => until(`call:incoming ${callId}`, () => events.find((e) => e.account === account && e.type === 'call:incoming' && e.data['callId'] === callId));
const ended = (account: string, callId: string) => until(`call:ended ${callId}`, () => events.find((e) => e.account === account && e.type === 'call:ended' && e.data['callId'] === callId));
const simCall = (id: string) => admin<SimCallView>(s, 'GET', `/calls/${id}`);

/** Baileys calls `to` the way WhatsApp's clients do: an offer stanza from its device. */
async function baileysCalls(to: string, callId: string, video = false): Promise<void> {
  await baileys.sock!.sendNode({
    tag: 'call',
    attrs: { to, id: baileys.sock!.generateMessageTag() },
    content: [{ tag: 'offer', attrs: { 'call-id': callId, 'call-creator': baileys.jid }, content: [{ tag: video ? 'video' : 'audio', attrs: { enc: 'opus', rate: '16000' } }] }],
  });
}

describe('calls from a simulated phone', () => {
  it('a video offer reaches the consumer as call:incoming and is acked as WhatsApp Web acks it', async () => {
    const { callId } = await admin<{ callId: string }>(s, 'POST', `/phones/${P}/calls`, { to: W, video: true });
    const ev = await incoming('w', callId);
    expect(ev.conversationId).toBe(jidOf(P));
    expect(ev.data).toMatchObject({ callId, from: jidOf(P), video: true, isGroup: false, pushName: 'Phone Only' });
    expect(ev.data['t']).toBeGreaterThan(1_700_000_000);
    const ack = await until('our ack of the offer', async () => (await admin<WireEntry[]>(s, 'GET', `/devices/${encodeURIComponent(ourDevice)}/wire`)).find((e) => e.tag === 'ack' && e.attrs.class === 'call'));
    expect(ack.attrs).toMatchObject({ class: 'call', type: 'offer', to: jidOf(P) });
    // Still ringing on the caller's side until someone answers.
    expect((await simCall(callId)).state).toBe('ringing');

    await wad.rejectCall('w', callId, String(ev.data['from']));
    expect(await simCall(callId)).toMatchObject({ state: 'rejected', endedBy: ourDevice });
    expect((await ended('w', callId)).data).toMatchObject({ callId, from: jidOf(P), reason: 'rejected', video: true });
  });

  it('wad call reject declines a ringing call over the socket', async () => {
    const { callId } = await admin<{ callId: string }>(s, 'POST', `/phones/${P}/calls`, { to: W });
    await incoming('w', callId);
    const write = process.stdout.write;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      expect(await runCall(['reject', 'w', callId, P, '--socket', d.socketPath])).toBe(0);
    } finally {
      process.stdout.write = write;
    }
    expect(await simCall(callId)).toMatchObject({ state: 'rejected', endedBy: ourDevice });
  });

  it('a group call is flagged, and the caller hanging up ends it with the server reason', async () => {
    const { callId } = await admin<{ callId: string }>(s, 'POST', `/phones/${P}/calls`, { to: W, group: true });
    expect((await incoming('w', callId)).data).toMatchObject({ callId, video: false, isGroup: true });
    await admin(s, 'POST', `/calls/${callId}/end`, { reason: 'timeout' });
    expect((await ended('w', callId)).data).toMatchObject({ callId, reason: 'timeout', isGroup: true });
    expect(events.filter((e) => e.type === 'call:ended' && e.data['callId'] === callId)).toHaveLength(1);
  });
});

describe('calls from Baileys', () => {
  it('rejected with call:reject, the caller sees the call end (its call event says reject)', async () => {
    const callId = 'BAE1C0FFEE00000000000000000000A1';
    await baileysCalls(jidOf(W), callId);
    const ev = await incoming('w', callId);
    expect(ev.data).toMatchObject({ callId, from: jidOf(B), video: false, isGroup: false });

    await wad.rejectCall('w', callId, jidOf(B));
    const seen = await baileys.waitFor(() => baileys.calls.find((c) => c.id === callId && c.status === 'reject'), 'the reject');
    // Sent by our device, naming the call's creator as WhatsApp's clients do.
    expect(seen.chatId.replace(/:\d+@/, '@')).toBe(jidOf(W));
    expect(seen.from.replace(/:\d+@/, '@')).toBe(jidOf(B));
    expect((await ended('w', callId)).data['reason']).toBe('rejected');
  });

  it('an account set to reject calls declines at once and sends its message', async () => {
    const callId = 'BAE1C0FFEE00000000000000000000B2';
    await baileysCalls(jidOf(R), callId, true);
    expect((await incoming('r', callId)).data).toMatchObject({ callId, from: jidOf(B), video: true });
    await baileys.waitFor(() => baileys.calls.find((c) => c.id === callId && c.status === 'reject'), 'the automatic reject');
    expect((await ended('r', callId)).data['reason']).toBe('rejected');
    expect(await baileys.waitFor(() => baileys.textsFrom(jidOf(R)).find((t) => t === BUSY), 'the message')).toBe(BUSY);
    // The account that was not configured to reject let its calls ring.
    expect(events.filter((e) => e.account === 'w' && e.type === 'call:ended' && e.data['reason'] === 'rejected')).toHaveLength(3);
  });
});

