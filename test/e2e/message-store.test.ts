// The message store through the daemon and its socket: what a Baileys peer
// sends and what the account sends are listed by message:list newest first,
// with reactions, edits, deletions and our sends' status (receipts) applied;
// chat:list shows the chat with its last message time and unread count;
// contact:list the peer's push name. Read over WadClient, as consumers do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WadClient } from '../../src/client/index.js';
import type { Daemon } from '../../src/daemon/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { BaileysClient } from '../sim/baileys-harness.js';
import { admin, linkByQr, sim as startSim, tempDir, until } from './support/daemon.js';
import { daemonWithSocket } from '../ipc/e2e-support.js';

const W = '15550019001';
const B = '15550019002';
const BJID = `${B}@s.whatsapp.net`;
let s: SimHandle;
let dir: Awaited<ReturnType<typeof tempDir>>;
let d: Daemon;
let baileys: BaileysClient;
let client: WadClient;

beforeAll(async () => {
  s = await startSim();
  dir = await tempDir('wad-e2e-store-');
  await admin(s, 'POST', '/phones', { phone: W, name: 'Wad' });
  await admin(s, 'POST', '/phones', { phone: B, name: 'Bailey' });
  d = await daemonWithSocket(s, dir.path);
  await linkByQr(s, d, 'wad', W);
  baileys = new BaileysClient(s, 'b');
  await baileys.linkByQr(B);
  baileys.auth.creds.me!.name = 'Bailey';
  client = await WadClient.connect({ socket: d.socketPath });
}, 60_000);

afterAll(async () => {
  await client?.close();
  baileys?.kill();
  await d?.stop();
  await s?.close();
  await dir?.remove();
});

describe('the message store, live', () => {
  it('lists what came and went, newest first, with reactions, edits, deletions and status applied', async () => {
    const sock = baileys.sock!;
    const first = (await sock.sendMessage(`${W}@s.whatsapp.net`, { text: 'first' }))!.key;
    const second = (await sock.sendMessage(`${W}@s.whatsapp.net`, { text: 'second' }))!.key;
    const gone = (await sock.sendMessage(`${W}@s.whatsapp.net`, { text: 'to be deleted' }))!.key;
    await until('three stored', async () => (await client.listMessages('wad', B)).length >= 3);
    const chats0 = await client.listChats('wad');
    expect(chats0.find((c) => c.jid === BJID)).toMatchObject({ unreadCount: 3, archived: false, pinned: false });

    await sock.sendMessage(`${W}@s.whatsapp.net`, { edit: second, text: 'second, edited' });
    await sock.sendMessage(`${W}@s.whatsapp.net`, { react: { key: first, text: '❤️' } });
    await sock.sendMessage(`${W}@s.whatsapp.net`, { delete: gone });
    const { messageId: mine } = await d.sendMessage('wad', BJID, { type: 'text', content: 'my answer' });
    await d.react('wad', BJID, first.id!, '👍');
    // Baileys reads our answer: its status moves to read.
    await sock.readMessages([{ remoteJid: `${W}@s.whatsapp.net`, id: mine, fromMe: false }]);

    const list = await until('all applied', async () => {
      const l = await client.listMessages('wad', B, { limit: 10 });
      const byId = new Map(l.map((m) => [m.id, m]));
      const ok =
        byId.get(second.id!)?.edited === true &&
        byId.get(gone.id!)?.deleted === true &&
        (byId.get(first.id!)?.reactions as unknown[] | undefined)?.length === 2 &&
        byId.get(mine)?.status === 'read';
      return ok && l;
    });
    // Newest first; messages of the same second have no order of their own (the store breaks ties by id).
    expect(new Set(list.map((m) => m.id))).toEqual(new Set([mine, gone.id, second.id, first.id]));
    expect(list.length).toBe(4);
    for (let i = 1; i < list.length; i++) expect(list[i - 1]!.t).toBeGreaterThanOrEqual(list[i]!.t);
    const byId = new Map(list.map((m) => [m.id, m]));
    expect(byId.get(mine)).toMatchObject({ chat: BJID, fromMe: true, type: 'text', content: 'my answer', status: 'read' });
    expect(byId.get(second.id!)).toMatchObject({ content: 'second, edited', edited: true, fromMe: false, sender: BJID });
    expect(byId.get(gone.id!)).toMatchObject({ deleted: true });
    expect(byId.get(gone.id!)!.content).toBeUndefined();
    expect(new Set((byId.get(first.id!)!.reactions as Array<{ emoji: string; fromMe: boolean }>).map((r) => `${r.fromMe}:${r.emoji}`))).toEqual(new Set(['false:❤️', 'true:👍']));
    expect(list.some((m) => m.type === 'reaction' || m.type === 'edit' || m.type === 'revoke')).toBe(false);

    // Paging back: each page continues where the last one ended.
    expect((await client.listMessages('wad', B, { before: list[1]!.id, limit: 1 })).map((m) => m.id)).toEqual([list[2]!.id]);
    expect((await client.listMessages('wad', B, { before: list[3]!.id }))).toEqual([]);

    // We wrote in the chat: nothing unread; the last message time is our answer's.
    const chat = (await client.listChats('wad')).find((c) => c.jid === BJID)!;
    expect(chat.unreadCount).toBe(0);
    expect(chat.lastMessageAt).toBe(Math.max(...list.map((m) => m.t)));
    expect(await client.listContacts('wad')).toContainEqual(expect.objectContaining({ jid: BJID, pushName: 'Bailey' }));
  });

  it('keeps answering while the account is stopped, and after a restart', async () => {
    const before = await client.listMessages('wad', BJID);
    await d.stopAccount('wad');
    expect(await client.listMessages('wad', BJID)).toEqual(before);
    await d.startAccount('wad');
    await until('online', () => d.accountStatus('wad').state === 'online');
    expect(await client.listMessages('wad', BJID)).toEqual(before);
    await expect(client.listMessages('nobody', BJID)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
