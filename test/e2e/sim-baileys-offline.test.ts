/**
 * Must-show (issue 5): a Baileys client killed and restarted with its saved
 * creds reconnects and receives what was sent while it was offline. Also the
 * stream errors a client sees: 409 when a second connection of the same
 * device replaces the first, faults injected through POST /faults, and 401
 * when its phone unlinks it (and at every login after that).
 */
import { DisconnectReason } from 'baileys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimHandle } from '../../src/sim/index.js';
import { admin, BaileysClient, twoBaileys, waitUntil, type TwoBaileys } from '../sim/baileys-harness.js';

const ALICE = '15550006666';
const BOB = '15550007777';
let sim: SimHandle;
let alice: BaileysClient;
let bob: BaileysClient;
let world: TwoBaileys | undefined;

beforeAll(async () => {
  world = await twoBaileys({ alice: ALICE, bob: BOB });
  ({ sim, alice, bob } = world);
}, 60_000);

afterAll(() => world?.close());

describe('offline delivery and stream errors with Baileys', () => {
  it('a killed client restarted from its saved creds receives what was sent while it was offline', async () => {
    await alice.sock!.sendMessage(bob.userJid, { text: 'while online' });
    await bob.waitFor(() => bob.textsFrom(alice.userJid).includes('while online'), 'online text');
    const bobJid = bob.jid;
    bob.kill();
    await waitUntil(() => !sim.hub.session(bobJid), 'bob socket gone');
    const ids: string[] = [];
    for (const text of ['offline one', 'offline two']) ids.push((await alice.sock!.sendMessage(bob.userJid, { text }))!.key.id!);
    const stats = (await admin(sim, 'GET', '/stats')) as { offlineQueues: Record<string, number> };
    expect(stats.offlineQueues[bobJid]).toBeGreaterThanOrEqual(2);

    bob = world!.bob = bob.restart();
    await bob.waitFor(() => bob.isOpen, 'bob open again');
    await bob.waitFor(() => ['offline one', 'offline two'].every((t) => bob.textsFrom(alice.userJid).includes(t)), 'offline texts');
    expect(bob.received.filter((m) => ids.includes(m.key.id!)).map((m) => m.key.id).sort()).toEqual([...ids].sort());
    // Delivered and acked: nothing stays queued for bob.
    await waitUntil(async () => !((await admin(sim, 'GET', '/stats')) as { offlineQueues: Record<string, number> }).offlineQueues[bobJid], 'queue drained');
  });

  it('a second connection of the same device replaces the first with stream error 409', async () => {
    const second = new BaileysClient(sim, 'alice-2', alice.auth.clone());
    second.connect();
    await second.waitFor(() => second.isOpen, 'second open');
    await alice.waitFor(() => alice.closes.includes(409), 'first closed with 409');
    expect(alice.isOpen).toBe(false);
    alice.kill();
    alice = world!.alice = second;
    await bob.sock!.sendMessage(alice.userJid, { text: 'to the new connection' });
    await alice.waitFor(() => alice.textsFrom(bob.userJid).includes('to the new connection'), 'text on new connection');
  });

  it('injected faults: a stream error reaches the client, a drop cuts it', async () => {
    await admin(sim, 'POST', '/faults', { kind: 'stream-error', phone: BOB, code: 503 });
    await bob.waitFor(() => bob.closes.includes(503), 'stream error 503');
    bob = world!.bob = bob.restart();
    await bob.waitFor(() => bob.isOpen, 'bob back');
    await admin(sim, 'POST', '/faults', { kind: 'drop', phone: BOB });
    await bob.waitFor(() => bob.closes.includes(DisconnectReason.connectionClosed), 'dropped (428)');
    bob = world!.bob = bob.restart();
    await bob.waitFor(() => bob.isOpen, 'bob back again');
  });

  it('unlinking a companion logs it out with 401, and it cannot log in again', async () => {
    const deviceId = bob.jid.split(':')[1]!.split('@')[0]!;
    await admin(sim, 'DELETE', `/phones/${BOB}/devices/${deviceId}`);
    await bob.waitFor(() => bob.closes.includes(DisconnectReason.loggedOut), 'logged out');
    expect(await admin(sim, 'GET', `/phones/${BOB}/devices`)).toEqual([]);
    const again = bob.restart();
    await again.waitFor(() => again.closes.includes(DisconnectReason.loggedOut), 'login refused with 401');
    again.kill();
  });
});
