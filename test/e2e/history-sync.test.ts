// History sync end to end: a simulated phone with live and seeded history
// links our account and an unmodified Baileys 7 client. Our account stores
// what Baileys' own decoder gets through messaging-history.set (the same
// chats, messages and contacts), reports each chunk as a history:sync event
// (never replaying a history message as message:new), receipts every chunk
// after storing it (the phone paces on that), and brings 50 older messages
// of a chat on demand with history:request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proto } from 'baileys';
import { WadClient } from '../../src/client/index.js';
import type { Daemon } from '../../src/daemon/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import type { HistorySendRecord } from '../../src/sim/phone-history.js';
import { BaileysClient, type HistorySet } from '../sim/baileys-harness.js';
import { admin, linkByQr, recorder, sim as startSim, tempDir, until } from './support/daemon.js';
import { daemonWithSocket } from '../ipc/e2e-support.js';

const HANNA = '15550171001';
const BERT = '15550171002';
const BJID = `${BERT}@s.whatsapp.net`;
const SAM = '15550179001@s.whatsapp.net';
const SAM_LID = '200000000000017@lid';
const GROUP = '120363000000001717@g.us';
const DAY = 86_400;
const now = Math.floor(Date.now() / 1000);
const TYPE = proto.HistorySync.HistorySyncType;

let s: SimHandle;
let dir: Awaited<ReturnType<typeof tempDir>>;
let d: Daemon;
let client: WadClient;
let baileys: BaileysClient;
let rec: ReturnType<typeof recorder>;

const historyEvents = () => rec.events.filter((e) => e.account === 'wad' && e.type === 'history:sync');

beforeAll(async () => {
  s = await startSim();
  dir = await tempDir('wad-e2e-history-');
  await admin(s, 'POST', '/phones', { phone: HANNA, name: 'Hanna' });
  await admin(s, 'POST', '/phones', { phone: BERT, name: 'Bert' });
  // Live traffic the phone records, and a seeded past: Sam's 80 old messages lie outside the recent window.
  await admin(s, 'POST', `/phones/${HANNA}/messages`, { to: BERT, text: 'hello bert' });
  await admin(s, 'POST', `/phones/${BERT}/messages`, { to: HANNA, text: 'hi hanna' });
  const sam = [
    ...Array.from({ length: 80 }, (_, i) => ({ id: `OLD${String(i).padStart(4, '0')}`, fromMe: i % 4 === 0, text: `old ${i}`, t: now - 200 * DAY + i * 60 })),
    ...Array.from({ length: 40 }, (_, i) => ({ id: `NEW${String(i).padStart(4, '0')}`, fromMe: i % 3 === 0, text: `recent ${i}`, t: now - 3 * DAY + i * 60 })),
  ];
  const group = Array.from({ length: 30 }, (_, i) => ({
    id: `GRP${String(i).padStart(4, '0')}`,
    fromMe: i % 5 === 0,
    ...(i % 5 === 0 ? {} : { participant: `1555017900${i % 3}` }),
    text: `group line ${i}`,
    t: now - 2 * DAY + i * 60,
  }));
  await admin(s, 'POST', `/phones/${HANNA}/history`, {
    chats: [
      { jid: SAM, name: 'Seeded Sam', unreadCount: 3, archived: true, mutedUntil: -1, messages: sam },
      { jid: GROUP, name: 'Seeded Group', messages: group },
    ],
    pushNames: [{ jid: SAM, name: 'Sam P' }],
    mappings: [{ lid: SAM_LID, pn: SAM }],
  });
  // Small chunks: RECENT comes in several, each receipted before the next.
  await admin(s, 'POST', `/phones/${HANNA}/history/policy`, { chunkBytes: 1024, bootstrapChats: 2, bootstrapMessages: 5, recentDays: 30 });

  d = await daemonWithSocket(s, dir.path);
  rec = recorder(d);
  client = await WadClient.connect({ socket: d.socketPath });
  await linkByQr(s, d, 'wad', HANNA);
  baileys = new BaileysClient(s, 'hanna-baileys', undefined, { history: true });
  await baileys.linkByQr(HANNA);
  await baileys.waitFor(() => baileys.historySets.some((x) => x.syncType === TYPE.RECENT && x.progress === 100), 'Baileys: the end of the recent sync');
  await until('our recent sync complete', () => historyEvents().some((e) => e.data.type === 'RECENT' && e.data.progress === 100), 30_000);
}, 90_000);

afterAll(async () => {
  await client?.close();
  baileys?.kill();
  await d?.stop();
  await s?.close();
  await dir?.remove();
});

describe('history sync at link', () => {
  it('stores what Baileys decodes from the same phone: chats, messages, contacts', async () => {
    const sets: HistorySet[] = baileys.historySets.filter((x) => x.syncType !== TYPE.ON_DEMAND);
    const theirs = new Map<string, Set<string>>();
    for (const set of sets) {
      for (const m of set.messages) {
        const chat = m.key.remoteJid!;
        if (chat === 'status@broadcast') continue;
        theirs.set(chat, (theirs.get(chat) ?? new Set()).add(m.key.id!));
      }
    }
    expect(theirs.get(SAM)?.size).toBe(40);
    expect(theirs.get(GROUP)?.size).toBe(30);
    for (const [chat, ids] of theirs) {
      const ours = await client.listMessages('wad', chat, { limit: 1000 });
      expect(new Set(ours.map((m) => m.id)), chat).toEqual(ids);
    }
    // Content and shape, as message:new carries it, marked as history.
    const samList = await client.listMessages('wad', SAM, { limit: 1000 });
    expect(samList[0]).toMatchObject({ id: 'NEW0039', chat: SAM, type: 'text', content: 'recent 39', fromMe: true, history: true });
    expect(samList[1]).toMatchObject({ id: 'NEW0038', fromMe: false, sender: SAM });
    expect(samList.at(-1)).toMatchObject({ id: 'NEW0000', fromMe: true, content: 'recent 0' });
    for (let i = 1; i < samList.length; i++) expect(samList[i - 1]!.t).toBeGreaterThanOrEqual(samList[i]!.t);

    const chats = await client.listChats('wad');
    const theirChats = new Set(sets.flatMap((x) => x.chats.map((c) => String(c.id))));
    for (const jid of theirChats) expect(chats.map((c) => c.jid), jid).toContain(jid);
    expect(chats.find((c) => c.jid === SAM)).toMatchObject({ name: 'Seeded Sam', unreadCount: 3, archived: true, mutedUntil: -1, lastMessageAt: now - 3 * DAY + 39 * 60 });
    expect(chats.find((c) => c.jid === GROUP)).toMatchObject({ name: 'Seeded Group', archived: false });
    expect((await client.listChats('wad', { archived: true })).map((c) => c.jid)).toEqual([SAM]);

    const contacts = await client.listContacts('wad');
    expect(contacts).toContainEqual(expect.objectContaining({ jid: SAM, pushName: 'Sam P', lid: SAM_LID }));
    const theirNames = sets.flatMap((x) => x.contacts).filter((c) => c.notify && c.id === SAM);
    expect(theirNames.map((c) => c.notify)).toContain('Sam P');
  });

  it('reports each chunk as history:sync, receipts each after storing it, and replays none as message:new', async () => {
    const events = historyEvents();
    expect(events[0]!.data).toMatchObject({ type: 'INITIAL_BOOTSTRAP' });
    const recent = events.filter((e) => e.data.type === 'RECENT');
    expect(recent.length).toBeGreaterThan(2);
    const progress = recent.map((e) => e.data.progress as number);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    const counted = events.reduce((n, e) => n + (e.data.messages as number), 0);
    const stored = (await client.listMessages('wad', SAM, { limit: 1000 })).length + (await client.listMessages('wad', GROUP, { limit: 1000 })).length + (await client.listMessages('wad', BJID, { limit: 1000 })).length;
    expect(counted).toBe(stored);
    expect(events.some((e) => e.data.type === 'PUSH_NAME' && (e.data.contacts as number) >= 1)).toBe(true);

    const me = d.accountStatus('wad').jid!;
    const sends = ((await admin(s, 'GET', `/phones/${HANNA}/history/sends`)) as HistorySendRecord[]).filter((x) => x.device === me);
    expect(sends.length).toBe(events.length);
    expect(sends.every((x) => x.receiptAt !== undefined)).toBe(true);

    const newIds = new Set(rec.events.filter((e) => e.account === 'wad' && e.type === 'message:new').map((e) => e.data.id));
    for (const id of ['NEW0000', 'NEW0039', 'GRP0000', 'OLD0079']) expect(newIds.has(id)).toBe(false);
  });
});

describe('history on demand', () => {
  it('history:request brings the 50 messages before the oldest stored one', async () => {
    const { requestId, count, oldest } = await client.requestHistory('wad', SAM, 50);
    expect({ count, oldest }).toEqual({ count: 50, oldest: 'NEW0000' });
    // The answer may come in several chunks (small ones here), each naming the request.
    const answer = () => historyEvents().filter((e) => e.data.type === 'ON_DEMAND' && e.data.requestId === requestId);
    await until('the ON_DEMAND chunks', () => answer().reduce((n, e) => n + (e.data.messages as number), 0) >= 50, 30_000);
    expect(answer().reduce((n, e) => n + (e.data.messages as number), 0)).toBe(50);
    const list = await client.listMessages('wad', SAM, { limit: 1000 });
    expect(list.length).toBe(90);
    expect(list.slice(40).map((m) => m.id)).toEqual(Array.from({ length: 50 }, (_, i) => `OLD${String(79 - i).padStart(4, '0')}`));
    expect(list.at(-1)).toMatchObject({ id: 'OLD0030', content: 'old 30', history: true });
    // Paging back from the new oldest: the next request anchors there.
    await expect(client.requestHistory('wad', '15550179999')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
