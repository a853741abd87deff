/**
 * Must-show (issue 5): a group of three Baileys 7 clients where every member
 * receives every other member's group texts (sender keys fanned out by the
 * simulator), a group created through the admin API where simulated phones
 * and Baileys clients message each other, and an image sent by one Baileys client that another downloads
 * and decrypts to the same bytes over the simulator's HTTPS media endpoint.
 */
import { randomBytes } from 'node:crypto';
import { downloadMediaMessage } from 'baileys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type SimHandle } from '../../src/sim/index.js';
import { admin, BaileysClient, textOf, waitUntil } from '../sim/baileys-harness.js';

// The media endpoint's certificate is self-signed (its PEM is at sim.mediaCaPath).
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const PHONES = ['15550003333', '15550004444', '15550005555'] as const;
let sim: SimHandle;
let clients: BaileysClient[];

beforeAll(async () => {
  sim = await startSim();
  clients = [];
  for (const [i, phone] of PHONES.entries()) {
    await admin(sim, 'POST', '/phones', { phone, name: `user${i}` });
    clients.push(new BaileysClient(sim, `c${i}`));
  }
  await Promise.all(clients.map((c, i) => c.linkByQr(PHONES[i]!)));
}, 60_000);

afterAll(async () => {
  for (const c of clients ?? []) c.kill();
  await sim?.close();
});

describe('a group of three Baileys clients', () => {
  it('every member receives every other member’s texts', async () => {
    const [a, b, c] = clients as [BaileysClient, BaileysClient, BaileysClient];
    const meta = await a.sock!.groupCreate('sim group', [b.userJid, c.userJid]);
    expect(meta.participants.map((p) => p.id).sort()).toEqual([a.userJid, b.userJid, c.userJid].sort());
    for (const [i, sender] of clients.entries()) {
      await sender.sock!.sendMessage(meta.id, { text: `group text ${i}` });
    }
    for (const [i, receiver] of clients.entries()) {
      const expected = clients.map((_, j) => `group text ${j}`).filter((_, j) => j !== i);
      await receiver.waitFor(
        () => expected.every((t) => receiver.received.some((m) => m.key.remoteJid === meta.id && textOf(m) === t)),
        `group texts at c${i}`,
      );
      // Nobody receives their own group text back.
      const authors = receiver.received.filter((m) => m.key.remoteJid === meta.id).map((m) => m.key.participant!.split(/[:@]/)[0]);
      expect(authors).not.toContain(PHONES[i]);
    }
  });

  it('a simulated phone sends to the group and reads the members’ texts', async () => {
    const [a, , c] = clients as [BaileysClient, BaileysClient, BaileysClient];
    const { jid } = (await admin(sim, 'POST', '/groups', { creator: PHONES[0], subject: 'phones too', participants: [PHONES[1], PHONES[2]] })) as { jid: string };
    const { id } = (await admin(sim, 'POST', `/phones/${PHONES[1]}/messages`, { to: jid, text: 'from a phone' })) as { id: string };
    for (const r of [a, c]) await r.waitFor(() => r.received.some((m) => m.key.id === id && textOf(m) === 'from a phone'), `phone text at ${r.name}`);
    await c.sock!.sendMessage(jid, { text: 'to the phones' });
    for (const phone of [PHONES[0], PHONES[1]]) {
      await waitUntil(async () => {
        const got = (await admin(sim, 'GET', `/phones/${phone}/messages`)) as Array<{ text: string; from: string }>;
        return got.some((m) => m.text === 'to the phones');
      }, `group text at phone ${phone}`);
    }
  });

  it('an image uploaded by one client downloads and decrypts to the same bytes at another', async () => {
    const [a, b] = clients as [BaileysClient, BaileysClient];
    const image = randomBytes(48 * 1024 + 7);
    const sent = await a.sock!.sendMessage(b.userJid, { image, caption: 'an image', mimetype: 'image/jpeg' });
    const got = await b.waitFor(() => b.received.find((m) => m.key.id === sent!.key.id), 'image message');
    expect(got.message?.imageMessage?.caption).toBe('an image');
    expect(got.message?.imageMessage?.url).toMatch(new RegExp(`^${sim.mediaUrl}/`));
    const bytes = await downloadMediaMessage(got, 'buffer', {});
    expect(Buffer.compare(bytes, image)).toBe(0);
    const stats = (await admin(sim, 'GET', '/stats')) as { mediaUploads: number; mediaDownloads: number };
    expect(stats.mediaUploads).toBeGreaterThanOrEqual(1);
    expect(stats.mediaDownloads).toBeGreaterThanOrEqual(1);
  });
});
