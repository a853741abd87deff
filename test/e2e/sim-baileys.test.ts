/**
 * Must-show (issue 5): two Baileys 7 clients, each linked to its own
 * simulated phone (one by QR, one by pairing code), exchange 1:1 texts both
 * ways with delivery and read receipts; the simulated phone and a companion
 * message each other. Also: the ADV signatures checked with libsignal, and a
 * companion linked later that peers learn of (devices notification).
 */
import { createRequire } from 'node:module';
import { proto } from 'baileys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimHandle } from '../../src/sim/index.js';
import { admin, BaileysClient, textOf, twoBaileys, waitUntil, type TwoBaileys } from '../sim/baileys-harness.js';

const curve = createRequire(import.meta.url)('libsignal/src/curve.js') as { verifySignature(pub: Buffer, msg: Buffer, sig: Buffer): boolean };
const ALICE = '15550001111';
const BOB = '15550002222';
const Status = proto.WebMessageInfo.Status;

let sim: SimHandle;
let alice: BaileysClient;
let bob: BaileysClient;
let world: TwoBaileys | undefined;

beforeAll(async () => {
  world = await twoBaileys({ alice: ALICE, bob: BOB }, { bobLinks: 'code' });
  ({ sim, alice, bob } = world);
}, 60_000);

afterAll(() => world?.close());

describe('two Baileys companions on their own simulated phones', () => {
  it('linked one by QR and one by pairing code', async () => {
    expect(alice.jid).toMatch(new RegExp(`^${ALICE}:\\d+@s\\.whatsapp\\.net$`));
    expect(bob.jid).toMatch(new RegExp(`^${BOB}:\\d+@s\\.whatsapp\\.net$`));
    const devices = (await admin(sim, 'GET', `/phones/${ALICE}/devices`)) as Array<{ jid: string }>;
    expect(devices.map((d) => d.jid)).toEqual([alice.jid]);
  });

  it('gave each companion an ADV identity the phone really signed (libsignal checks; Baileys does not)', () => {
    for (const c of [alice, bob]) {
      const account = c.auth.creds.account!;
      const msg = Buffer.concat([Buffer.of(6, 0), account.details!, c.auth.creds.signedIdentityKey.public]);
      const key = Buffer.concat([Buffer.of(5), account.accountSignatureKey!]);
      expect(curve.verifySignature(key, msg, Buffer.from(account.accountSignature!))).toBe(true);
      const phoneIdentity = sim.hub.dir.user(c.jid.split(':')[0]!)!.devices.get(0)!.identityKey!;
      expect(Buffer.from(account.accountSignatureKey!).equals(Buffer.from(phoneIdentity))).toBe(true);
    }
  });

  it('exchange 1:1 texts both ways, decrypted on the other side', async () => {
    const sent = await alice.sock!.sendMessage(`${BOB}@s.whatsapp.net`, { text: 'hello bob' });
    await bob.waitFor(() => bob.textsFrom(`${ALICE}@s.whatsapp.net`).includes('hello bob'), 'alice text');
    await bob.sock!.sendMessage(`${ALICE}@s.whatsapp.net`, { text: 'hi alice' });
    await alice.waitFor(() => alice.textsFrom(`${BOB}@s.whatsapp.net`).includes('hi alice'), 'bob text');
    expect(sent?.key.id).toBeTruthy();
  });

  it('reports delivery and read receipts back to the sender, both ways', async () => {
    for (const [from, to] of [
      [alice, bob],
      [bob, alice],
    ] as const) {
      const sent = await from.sock!.sendMessage(to.userJid, { text: `read me, ${to.name}` });
      const id = sent!.key.id!;
      await from.waitFor(() => from.updates.some((u) => u.id === id && u.status === Status.DELIVERY_ACK), `delivery receipt at ${from.name}`);
      const got = await to.waitFor(() => to.received.find((m) => m.key.id === id), 'read-me message');
      expect(textOf(got)).toBe(`read me, ${to.name}`);
      await to.sock!.readMessages([got.key]);
      await from.waitFor(() => from.updates.some((u) => u.id === id && u.status === Status.READ), `read receipt at ${from.name}`);
    }
  });

  it('the simulated phone and a Baileys companion message each other', async () => {
    const { id } = (await admin(sim, 'POST', `/phones/${BOB}/messages`, { to: ALICE, text: 'from bob phone' })) as { id: string };
    await alice.waitFor(() => alice.received.find((m) => m.key.id === id && m.message?.conversation === 'from bob phone'), 'phone text');
    await alice.sock!.sendMessage(`${BOB}@s.whatsapp.net`, { text: 'to bob phone' });
    await waitUntil(async () => {
      const got = (await admin(sim, 'GET', `/phones/${BOB}/messages`)) as Array<{ from: string; text: string }>;
      return got.some((m) => m.text === 'to bob phone' && m.from.startsWith(ALICE));
    }, 'phone received');
  });

  it('a second companion linked later gets the peer’s next message and a copy of what the first one sends', async () => {
    const alice2 = new BaileysClient(sim, 'alice2');
    try {
      await alice2.linkByQr(ALICE);
      const fromBob = await bob.sock!.sendMessage(alice.userJid, { text: 'to both of alice' });
      for (const c of [alice, alice2]) await c.waitFor(() => c.received.some((m) => m.key.id === fromBob!.key.id), `bob text at ${c.name}`);
      const own = await alice.sock!.sendMessage(bob.userJid, { text: 'sent by alice one' });
      const copy = await alice2.waitFor(() => alice2.ownSent.find((m) => m.key.id === own!.key.id), 'own-device copy');
      expect(copy.key.remoteJid).toBe(bob.userJid);
      expect(textOf(copy)).toBe('sent by alice one');
    } finally {
      alice2.kill();
    }
  });
});

