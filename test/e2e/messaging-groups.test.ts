// Must-show (issue 7): a group of our accounts and Baileys clients — 5
// members, 2 devices each — through the simulator, with our side the whole
// daemon (six accounts: three users with two linked devices each): every
// device decodes every other member's group texts; a removed member no
// longer decrypts new messages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon, WadEvent } from '../../src/daemon/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { admin, BaileysClient, textOf, waitUntil } from '../sim/baileys-harness.js';
import { daemonFor, linkByQr, sim as startSim, tempDir } from './support/daemon.js';

const WAD = ['15550008001', '15550008002', '15550008003'];
const BAI = ['15550008004', '15550008005'];
let sim: SimHandle;
let dir: Awaited<ReturnType<typeof tempDir>>;
let d: Daemon;
const events: WadEvent[] = [];
/** Account ids per wad user: two devices each. */
const wads: string[][] = WAD.map((_, u) => [`u${u}a`, `u${u}b`]);
const bails: BaileysClient[][] = [];

beforeAll(async () => {
  sim = await startSim();
  dir = await tempDir('wad-e2e-groups-');
  for (const phone of [...WAD, ...BAI]) await admin(sim, 'POST', '/phones', { phone, name: `u${phone.slice(-1)}` });
  d = await daemonFor(sim, dir.path, []);
  d.onEvent((e) => events.push(e));
  for (const [u, ids] of wads.entries()) for (const id of ids) await linkByQr(sim, d, id, WAD[u]!);
  for (const phone of BAI) {
    const pair = [new BaileysClient(sim, `${phone}a`), new BaileysClient(sim, `${phone}b`)];
    for (const c of pair) await c.linkByQr(phone);
    bails.push(pair);
  }
}, 120_000);

afterAll(async () => {
  for (const pair of bails) for (const c of pair) c.kill();
  await d?.stop();
  await sim?.close();
  await dir?.remove();
});

const atWad = (account: string, id: string) => events.find((e) => e.account === account && e.type === 'message:new' && e.data.id === id);
const atBai = (c: BaileysClient, id: string) => c.received.find((m) => m.key.id === id);

describe('a group of wad accounts and Baileys clients (5 members × 2 devices)', () => {
  let group: string;

  it('every device decodes every other member’s group texts', async () => {
    const { jid } = await d.createGroup('u0a', 'mixed', [...WAD.slice(1), ...BAI].map((p) => `${p}@s.whatsapp.net`));
    group = jid;
    expect((await d.groupMetadata('u0a', group)).participants).toHaveLength(5);
    const sent: Array<{ id: string; text: string; from: string }> = [];
    for (const ids of wads) {
      for (const account of ids) {
        const text = `from ${account}`;
        sent.push({ id: (await d.sendMessage(account, group, { type: 'text', content: text })).messageId, text, from: account });
      }
    }
    for (const pair of bails) {
      for (const c of pair) {
        const text = `from ${c.name}`;
        sent.push({ id: (await c.sock!.sendMessage(group, { text }))!.key.id!, text, from: c.name });
      }
    }
    for (const s of sent) {
      for (const account of wads.flat()) {
        if (account === s.from) continue;
        const e = await waitUntil(() => atWad(account, s.id), `${s.text} at ${account}`, 30_000);
        expect(e.data).toMatchObject({ chat: group, content: s.text });
      }
      for (const c of bails.flat()) {
        // Baileys keeps only others' messages in the harness: skip its own user's devices.
        if (c.name === s.from || (bails.find((p) => p.includes(c))!.some((x) => x.name === s.from))) continue;
        const m = await c.waitFor(() => atBai(c, s.id), `${s.text} at ${c.name}`, 30_000);
        expect(textOf(m)).toBe(s.text);
        expect(m.key.remoteJid).toBe(group);
      }
    }
  });

  it('a removed member no longer decrypts new messages', async () => {
    const removed = bails[1]!;
    const res = await d.groupParticipants('u0a', group, 'remove', [removed[0]!.userJid]);
    expect(res).toEqual([{ jid: removed[0]!.userJid, status: 200 }]);
    await waitUntil(() => wads.flat().every((a) => events.some((e) => e.account === a && e.type === 'group:update')), 'removal seen by every wad device', 20_000);
    const { messageId } = await d.sendMessage('u1b', group, { type: 'text', content: 'members only' });
    await bails[0]![0]!.waitFor(() => atBai(bails[0]![0]!, messageId), 'remaining Baileys member', 20_000);
    await waitUntil(() => atWad('u2a', messageId), 'remaining wad member', 20_000);
    await new Promise((r) => setTimeout(r, 500));
    for (const c of removed) expect(atBai(c, messageId)).toBeUndefined();
    // The sender rotated its key on the removal: the new one went to current members' devices only.
    const holders = [...(await (await d.store.account('u1b')).senderKeys.distributedTo(group))];
    expect(holders.some((j) => j.startsWith(BAI[0]!))).toBe(true);
    expect(holders.some((j) => j.startsWith(BAI[1]!))).toBe(false);
  });
});
