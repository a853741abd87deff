// Privacy tokens end to end through the simulator, with Baileys 7 as the contact:
// - a 1:1 send refused with 463 (our account needs the contact's token and has none)
//   recovers: the account issues its token, keeps the one the answer carries, resends
//   the same message once with it, and Baileys gets it exactly once; the 463 and the
//   resend are counted in the account's counters;
// - the next send carries the token at once (no second 463);
// - Baileys, held to the same rule, replies with the token our issuance sent it
//   (`privacy_token` notification), so the reply is accepted;
// - the props the simulator serves carry the privacy-token flags.
import { getBinaryNodeChild, getBinaryNodeChildren, reduceBinaryNodeToDictionary } from 'baileys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Messaging } from '../../src/account/messaging/index.js';
import type { Daemon, WadEvent } from '../../src/daemon/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { BaileysClient, textOf } from '../sim/baileys-harness.js';
import { admin, daemonFor, linkByQr, sim as startSim, tempDir, until } from './support/daemon.js';

const W = '15550015001';
const B = '15550015002';
let sim: SimHandle;
let dir: Awaited<ReturnType<typeof tempDir>>;
let d: Daemon;
let baileys: BaileysClient;
const events: WadEvent[] = [];

const stats = () => (d.accounts.running('wad')!.messaging as Messaging).stats();
const simStats = () => admin<{ tcTokenRefusals: number; tcTokensAccepted: number; tcTokensIssued: number }>(sim, 'GET', '/stats');

beforeAll(async () => {
  sim = await startSim();
  dir = await tempDir('wad-e2e-tctoken-');
  await admin(sim, 'POST', '/phones', { phone: W, name: 'Wad' });
  await admin(sim, 'POST', '/phones', { phone: B, name: 'Bailey' });
  d = await daemonFor(sim, dir.path);
  d.onEvent((e) => events.push(e));
  await linkByQr(sim, d, 'wad', W);
  baileys = new BaileysClient(sim, 'b');
  await baileys.linkByQr(B);
}, 60_000);

afterAll(async () => {
  baileys?.kill();
  await d?.stop();
  await sim?.close();
  await dir?.remove();
});

describe('error 463', () => {
  it('a send refused for want of a privacy token recovers and reaches Baileys once', async () => {
    await admin(sim, 'POST', `/phones/${W}/privacy-tokens`, { required: true });
    const before = await simStats();
    const { messageId } = await d.sendMessage('wad', `${B}@s.whatsapp.net`, { type: 'text', content: 'after a 463' } as never);
    const got = await baileys.waitFor(() => baileys.received.find((m) => m.key.id === messageId), 'the resent text');
    expect(textOf(got)).toBe('after a 463');
    const after = await simStats();
    expect(after.tcTokenRefusals - before.tcTokenRefusals).toBe(1);
    expect(after.tcTokensAccepted - before.tcTokensAccepted).toBe(1);
    expect(stats()).toMatchObject({ serverError463: 1, tcTokenResends: 1, tcTokenResendsFailed: 0 });
    // Exactly once at Baileys, although two stanzas with this id left our account.
    await new Promise((r) => setTimeout(r, 300));
    expect(baileys.received.filter((m) => m.key.id === messageId)).toHaveLength(1);
  });

  it('the next send carries the token it obtained: no second 463', async () => {
    const before = await simStats();
    const { messageId } = await d.sendMessage('wad', `${B}@s.whatsapp.net`, { type: 'text', content: 'token held' } as never);
    await baileys.waitFor(() => baileys.received.find((m) => m.key.id === messageId), 'the second text');
    const after = await simStats();
    expect(after.tcTokenRefusals).toBe(before.tcTokenRefusals);
    expect(after.tcTokensAccepted - before.tcTokensAccepted).toBe(1);
    expect(stats()).toMatchObject({ serverError463: 1, tcTokenResends: 1 });
  });

  it('Baileys, held to the same rule, replies with the token our issuance sent it', async () => {
    await admin(sim, 'POST', `/phones/${B}/privacy-tokens`, { required: true });
    const before = await simStats();
    const sent = await baileys.sock!.sendMessage(`${W}@s.whatsapp.net`, { text: 'reply with a token' });
    const id = sent!.key.id!;
    await until('the reply at wad', () => events.some((e) => e.account === 'wad' && e.type === 'message:new' && e.data.id === id), 20_000);
    const after = await simStats();
    expect(after.tcTokenRefusals).toBe(before.tcTokenRefusals);
    expect(after.tcTokensAccepted - before.tcTokensAccepted).toBeGreaterThanOrEqual(1);
  });

  it('a sender that needs no token is never refused, with or without one', async () => {
    await admin(sim, 'POST', `/phones/${W}/privacy-tokens`, { required: false });
    await admin(sim, 'POST', `/phones/${B}/privacy-tokens`, { required: false });
    const before = await simStats();
    const { messageId } = await d.sendMessage('wad', `${B}@s.whatsapp.net`, { type: 'text', content: 'unrestricted' } as never);
    await baileys.waitFor(() => baileys.received.find((m) => m.key.id === messageId), 'an unrestricted text');
    expect((await simStats()).tcTokenRefusals).toBe(before.tcTokenRefusals);
  });
});

describe('props', () => {
  it('Baileys reads the privacy-token flags from the props the simulator serves', async () => {
    // Baileys fetched them at login; what it made of them:
    const sock = baileys.sock as unknown as { serverProps: Record<string, boolean> };
    expect(sock.serverProps).toMatchObject({ privacyTokenOn1to1: true, profilePicPrivacyToken: true, lidTrustedTokenIssueToLid: false });
    const answer = await baileys.sock!.query({ tag: 'iq', attrs: { to: 's.whatsapp.net', xmlns: 'abt', type: 'get' }, content: [{ tag: 'props', attrs: { protocol: '1' } }] });
    const propsNode = getBinaryNodeChild(answer, 'props')!;
    expect(reduceBinaryNodeToDictionary(propsNode, 'prop')).toMatchObject({ '10518': 'true', '9666': 'true', '14303': 'false' });
    // Asked again with that hash, nothing changed: no <prop>s.
    const again = await baileys.sock!.query({ tag: 'iq', attrs: { to: 's.whatsapp.net', xmlns: 'abt', type: 'get' }, content: [{ tag: 'props', attrs: { protocol: '1', hash: propsNode.attrs.hash! } }] });
    expect(getBinaryNodeChildren(getBinaryNodeChild(again, 'props'), 'prop')).toHaveLength(0);
  });
});
