/**
 * History sync from a simulated phone to an unmodified Baileys 7 client: the
 * phone keeps what it sent and received (1:1 and group, an edit applied) and
 * what the test seeded (chats with metadata, push names, a mapping), and a
 * newly linked Baileys client gets it through `messaging-history.set` — the
 * initial bootstrap first, statuses, push names, then RECENT chunks in order with
 * progress — every message the phone holds in the recent window once, with
 * its content; older ones come as FULL chunks to a companion that asks for a
 * full sync, and on demand, 50 at a time, answering Baileys'
 * fetchMessageHistory by its request id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proto, type WAMessage } from 'baileys';
import { startSim, type SimHandle } from '../../src/sim/index.js';
import type { HistoryMessageView, HistorySendRecord, HistoryView } from '../../src/sim/phone-history.js';
import { admin, BaileysClient, textOf, waitUntil, type HistorySet } from '../sim/baileys-harness.js';

const HANNA = '15550101001';
const BERT = '15550101002';
const SAM = '15550109001@s.whatsapp.net';
const SEEDED_GROUP = '120363000000000777@g.us';
const SAM_LID = '200000000000001@lid';
const DAY = 86_400;
const now = Math.floor(Date.now() / 1000);
const TYPE = proto.HistorySync.HistorySyncType;

let sim: SimHandle;
let client: BaileysClient;
let liveGroup: string;
let editedId: string;

/** Every message of the phone's history, oldest first, per chat. */
async function phoneMessages(view: HistoryView): Promise<Map<string, HistoryMessageView[]>> {
  const out = new Map<string, HistoryMessageView[]>();
  for (const c of view.chats) {
    const list = (await admin(sim, 'GET', `/phones/${HANNA}/history/${encodeURIComponent(c.jid)}?limit=1000`)) as HistoryMessageView[];
    out.set(c.jid, list.reverse());
  }
  return out;
}

const sets = (type: number): HistorySet[] => client.historySets.filter((s) => s.syncType === type);
const idsOf = (messages: WAMessage[]): string[] => messages.map((m) => m.key.id!);

/** The messages of the ON_DEMAND chunks answering a request, in chunk order, once `count` came. */
async function answer(requestId: string, count: number): Promise<WAMessage[]> {
  const parts = () => sets(TYPE.ON_DEMAND).filter((s) => s.peerDataRequestSessionId === requestId);
  await client.waitFor(() => parts().reduce((n, s) => n + s.messages.length, 0) >= count, `${count} messages answering ${requestId}`);
  return parts()
    .sort((a, b) => (a.chunkOrder ?? 0) - (b.chunkOrder ?? 0))
    .flatMap((s) => s.messages);
}

beforeAll(async () => {
  sim = await startSim();
  await admin(sim, 'POST', '/phones', { phone: HANNA, name: 'Hanna' });
  await admin(sim, 'POST', '/phones', { phone: BERT, name: 'Bert' });
  // Live traffic the phone records: a 1:1 exchange, a group, and an edit.
  liveGroup = ((await admin(sim, 'POST', '/groups', { creator: HANNA, subject: 'Live group', participants: [BERT] })) as { jid: string }).jid;
  await admin(sim, 'POST', `/phones/${HANNA}/messages`, { to: BERT, text: 'hello bert' });
  editedId = ((await admin(sim, 'POST', `/phones/${BERT}/messages`, { to: HANNA, text: 'hi hanna (typo)' })) as { id: string }).id;
  await admin(sim, 'POST', `/phones/${BERT}/messages`, { to: HANNA, text: 'second from bert' });
  await admin(sim, 'POST', `/phones/${BERT}/messages`, { to: liveGroup, text: 'bert in the group' });
  await admin(sim, 'POST', `/phones/${BERT}/messages`, {
    to: HANNA,
    message: { protocolMessage: { type: 'MESSAGE_EDIT', key: { remoteJid: `${HANNA}@s.whatsapp.net`, fromMe: true, id: editedId }, editedMessage: { conversation: 'hi hanna' } } },
  });
  await waitUntil(async () => {
    const list = (await admin(sim, 'GET', `/phones/${HANNA}/history/${BERT}`)) as HistoryMessageView[];
    return list.some((m) => m.id === editedId && m.text === 'hi hanna') && list.length === 3;
  }, 'the live messages in the phone history');

  // A seeded past: 80 messages older than the recent window and 40 recent ones with Sam, a seeded group.
  const sam = [
    ...Array.from({ length: 80 }, (_, i) => ({ id: `OLD${String(i).padStart(4, '0')}`, fromMe: i % 4 === 0, text: `old ${i}`, t: now - 200 * DAY + i * 60 })),
    ...Array.from({ length: 40 }, (_, i) => ({
      id: `NEW${String(i).padStart(4, '0')}`,
      fromMe: i % 3 === 0,
      text: `recent ${i}`,
      t: now - 3 * DAY + i * 60,
      ...(i === 39 ? { reactions: [{ emoji: '👍' }] } : {}),
    })),
  ];
  const group = Array.from({ length: 30 }, (_, i) => ({
    id: `GRP${String(i).padStart(4, '0')}`,
    fromMe: i % 5 === 0,
    ...(i % 5 === 0 ? {} : { participant: `1555010900${i % 3}` }),
    text: `group line ${i}`,
    t: now - 2 * DAY + i * 60,
  }));
  await admin(sim, 'POST', `/phones/${HANNA}/history`, {
    chats: [
      { jid: SAM, name: 'Seeded Sam', unreadCount: 3, archived: true, pinned: now - DAY, mutedUntil: -1, messages: sam },
      { jid: SEEDED_GROUP, name: 'Seeded Group', messages: group },
    ],
    pushNames: [{ jid: SAM, name: 'Sam P' }],
    mappings: [{ lid: SAM_LID, pn: SAM }],
    statuses: [{ id: 'STATUS1', participant: SAM, text: 'at the beach', t: now - 3600 }],
  });
  // Small chunks, so RECENT comes in several; a 30-day recent window, so Sam's old messages stay on the phone.
  await admin(sim, 'POST', `/phones/${HANNA}/history/policy`, { chunkBytes: 1024, bootstrapChats: 2, bootstrapMessages: 5, recentDays: 30 });

  client = new BaileysClient(sim, 'hanna-web', undefined, { history: true });
  await client.linkByQr(HANNA);
  await client.waitFor(() => sets(TYPE.RECENT).some((s) => s.progress === 100), 'the end of the recent sync');
}, 60_000);

afterAll(async () => {
  client?.kill();
  await sim?.close();
});

describe('a Baileys client linked to a phone with history', () => {
  it('gets the bootstrap first, then push names, then the RECENT chunks in order with rising progress', async () => {
    // What the phone sent, in order: one notification after another, each receipted before the next.
    const sends = (await admin(sim, 'GET', `/phones/${HANNA}/history/sends`)) as HistorySendRecord[];
    const types = sends.map((s) => s.syncType);
    expect(types.slice(0, 3)).toEqual(['INITIAL_BOOTSTRAP', 'INITIAL_STATUS_V3', 'PUSH_NAME']);
    expect(sends[1]!.statuses).toBe(1);
    expect(new Set(types.slice(3))).toEqual(new Set(['RECENT']));
    const recent = sends.filter((s) => s.syncType === 'RECENT');
    expect(recent.length).toBeGreaterThan(2);
    expect(recent.map((s) => s.chunkOrder)).toEqual(recent.map((_, i) => i + 1));
    const progress = recent.map((s) => s.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(100);
    expect(sends.every((s) => s.receiptAt !== undefined && s.receiptAt >= s.sentAt)).toBe(true);
    for (let i = 1; i < sends.length; i++) expect(sends[i]!.sentAt).toBeGreaterThanOrEqual(sends[i - 1]!.receiptAt!);
    // The small bootstrap rode inline; every other chunk was a blob Baileys fetched from the media endpoint.
    expect(sends[0]!.inline).toBe(true);
    const blobs = sends.filter((s) => !s.inline).length;
    const stats = (await admin(sim, 'GET', '/stats')) as { mediaDownloads: number };
    expect(stats.mediaDownloads).toBeGreaterThanOrEqual(blobs);

    // Baileys saw them in that order.
    const order = client.historySets.map((s) => s.syncType);
    expect(order.slice(0, 2)).toEqual([TYPE.INITIAL_BOOTSTRAP, TYPE.INITIAL_STATUS_V3]);
    expect(order.indexOf(TYPE.PUSH_NAME)).toBeLessThan(order.indexOf(TYPE.RECENT));
    const chunks = sets(TYPE.RECENT).map((s) => s.chunkOrder ?? 0);
    expect(chunks).toEqual([...chunks].sort((a, b) => a - b));
    expect(sets(TYPE.RECENT).at(-1)?.progress).toBe(100);
  });

  it('holds every message of the recent window once, with the content, sender and time the phone has', async () => {
    const view = (await admin(sim, 'GET', `/phones/${HANNA}/history`)) as HistoryView;
    const held = [...(await phoneMessages(view)).values()].flat().filter((m) => m.t >= now - 30 * DAY);
    const got = client.historySets.flatMap((s) => s.messages);
    expect(idsOf(got).sort()).toEqual(held.map((m) => m.id).sort());
    // Once each: Baileys drops repeats silently, so count what the phone sent.
    const sends = (await admin(sim, 'GET', `/phones/${HANNA}/history/sends`)) as HistorySendRecord[];
    expect(sends.reduce((n, s) => n + s.messages, 0)).toBe(held.length);
    const byId = new Map(got.map((m) => [m.key.id!, m]));
    for (const m of held) {
      const b = byId.get(m.id)!;
      expect(textOf(b)).toBe(m.text);
      expect(b.key.fromMe).toBe(m.fromMe);
      expect(Number(b.messageTimestamp)).toBe(m.t);
      if (m.participant) expect(b.key.participant).toBe(m.participant);
    }
    expect(byId.get('NEW0039')!.reactions).toEqual([expect.objectContaining({ text: '👍', key: expect.objectContaining({ remoteJid: SAM, fromMe: false }) })]);
    // What the phone saw live is there: Bert's edit applied, the group line under its author.
    expect(textOf(byId.get(editedId)!)).toBe('hi hanna');
    const inGroup = got.find((m) => m.key.remoteJid === liveGroup)!;
    expect(textOf(inGroup)).toBe('bert in the group');
    expect(inGroup.key.participant).toBe(`${BERT}@s.whatsapp.net`);
  });

  it('holds the chats with the metadata the phone shows, and the contacts and mappings it knows', async () => {
    const chats = new Map(client.historySets.flatMap((s) => s.chats).map((c) => [c.id, c]));
    const sam = chats.get(SAM)!;
    expect(sam).toMatchObject({ name: 'Seeded Sam', unreadCount: 3, archived: true, pinned: now - DAY });
    // Muted with no end: -1 in the uint64 field.
    expect(String(sam.muteEndTime)).toBe('18446744073709551615');
    expect(chats.get(SEEDED_GROUP)?.name).toBe('Seeded Group');
    expect(chats.get(liveGroup)?.name).toBe('Live group');
    expect(chats.get(`${BERT}@s.whatsapp.net`)?.unreadCount).toBe(2);
    const contacts = client.historySets.flatMap((s) => s.contacts);
    expect(contacts).toContainEqual(expect.objectContaining({ id: SAM, notify: 'Sam P' }));
    expect(contacts).toContainEqual(expect.objectContaining({ id: `${BERT}@s.whatsapp.net`, notify: 'Bert' }));
    // Baileys keeps the history's LID↔PN mappings in its signal repository.
    expect(await client.sock!.signalRepository.lidMapping.getPNForLID(SAM_LID)).toMatch(/^15550109001(:0)?@s\.whatsapp\.net$/);
    expect(await client.sock!.signalRepository.lidMapping.getLIDForPN(`${BERT}@s.whatsapp.net`)).toMatch(/@lid$/);
  });

  it('a companion that asks for a full sync (DeviceProps.requireFullSync) gets the older messages as FULL chunks', async () => {
    const full = new BaileysClient(sim, 'hanna-desktop', undefined, { history: true, fullHistory: true });
    try {
      await full.linkByQr(HANNA);
      const fullSets = () => full.historySets.filter((s) => s.syncType === TYPE.FULL);
      await full.waitFor(() => fullSets().some((s) => s.progress === 100), 'the end of the full sync');
      const view = (await admin(sim, 'GET', `/phones/${HANNA}/history`)) as HistoryView;
      const older = (await phoneMessages(view)).get(SAM)!.filter((m) => m.t < now - 30 * DAY);
      expect(idsOf(fullSets().flatMap((s) => s.messages)).sort()).toEqual(older.map((m) => m.id).sort());
      const sends = ((await admin(sim, 'GET', `/phones/${HANNA}/history/sends`)) as HistorySendRecord[]).filter((s) => s.device === full.jid);
      expect(sends.at(-1)).toMatchObject({ syncType: 'FULL', progress: 100 });
    } finally {
      full.kill();
    }
  });

  it('gets 50 older messages of a chat on demand, then the rest, answering its request', async () => {
    const view = (await admin(sim, 'GET', `/phones/${HANNA}/history`)) as HistoryView;
    const phone = (await phoneMessages(view)).get(SAM)!;
    const oldestHeld = phone.find((m) => m.t >= now - 30 * DAY)!;
    const anchor = client.historySets.flatMap((s) => s.messages).find((m) => m.key.id === oldestHeld.id)!;

    const requestId = await client.sock!.fetchMessageHistory(50, anchor.key, Number(anchor.messageTimestamp));
    const older = phone.filter((m) => m.t < now - 30 * DAY);
    const first = await answer(requestId, 50);
    expect(idsOf(first)).toEqual(older.slice(-50).reverse().map((m) => m.id));
    expect(first.map(textOf)).toEqual(older.slice(-50).reverse().map((m) => m.text));

    const oldest = first.at(-1)!;
    const again = await client.sock!.fetchMessageHistory(50, oldest.key, Number(oldest.messageTimestamp));
    expect(idsOf(await answer(again, 30))).toEqual(older.slice(0, 30).reverse().map((m) => m.id));
    // Both answers were sent as ON_DEMAND chunks naming the request they answer.
    const sends = (await admin(sim, 'GET', `/phones/${HANNA}/history/sends`)) as HistorySendRecord[];
    const answers = sends.filter((s) => s.syncType === 'ON_DEMAND');
    expect(new Set(answers.map((s) => s.requestId))).toEqual(new Set([requestId, again]));
    expect(answers.reduce((n, s) => n + s.messages, 0)).toBe(80);
  });
});
