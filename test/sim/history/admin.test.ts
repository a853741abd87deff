/**
 * A phone's history through the admin API: seeding (checked before anything
 * is kept), bulk generation, reading back newest first, bounds, the sync
 * policy, what the phone records from live traffic (a revoke, delivery
 * status), and a restart from --data-dir that keeps it.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type SimHandle } from '../../../src/sim/index.js';
import type { HistoryMessageView, HistoryView } from '../../../src/sim/phone-history.js';
import { admin, waitUntil } from '../baileys-harness.js';

const ANN = '15556660001';
const BEN = '15556660002';
let sim: SimHandle;

beforeAll(async () => {
  sim = await startSim({ limits: { maxHistoryMessages: 2_000, maxHistoryChats: 60 } });
  await admin(sim, 'POST', '/phones', { phone: ANN, name: 'Ann' });
  await admin(sim, 'POST', '/phones', { phone: BEN, name: 'Ben' });
});
afterAll(async () => {
  await sim?.close();
});

async function raw(method: string, path: string, body?: unknown): Promise<{ status: number; json: { error?: { code: string; message: string } } }> {
  const res = await fetch(sim.adminUrl + path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, json: (await res.json()) as never };
}

const view = async (phone: string) => (await admin(sim, 'GET', `/phones/${phone}/history`)) as HistoryView;
const messagesOf = async (phone: string, chat: string, query = '') => (await admin(sim, 'GET', `/phones/${phone}/history/${encodeURIComponent(chat)}${query}`)) as HistoryMessageView[];

describe('seeding a phone’s history', () => {
  it('keeps chats with their metadata and messages, answering the totals; reads back newest first, paged', async () => {
    const totals = await admin(sim, 'POST', `/phones/${ANN}/history`, {
      chats: [
        {
          jid: '15557770001',
          name: 'Seventy',
          unreadCount: 1,
          pinned: 1_700_000_000,
          messages: [
            { id: 'S1', fromMe: true, text: 'first', t: 1_700_000_001, status: 'read', reactions: [{ emoji: '👍' }, { fromMe: true, emoji: '🙂' }] },
            { id: 'S3', text: 'third', t: 1_700_000_003, pushName: 'Sev' },
            { id: 'S2', message: { locationMessage: { degreesLatitude: 1.5, degreesLongitude: 2.5 } }, t: 1_700_000_002 },
          ],
        },
      ],
      pushNames: [{ jid: '15557770001', name: 'Sev' }],
      mappings: [{ lid: '300000000000001', pn: '15557770001' }],
    });
    expect(totals).toEqual({ chats: 1, messages: 3, pushNames: 1, mappings: 1, statuses: 0 });
    const v = await view(ANN);
    expect(v.chats).toEqual([{ jid: '15557770001@s.whatsapp.net', name: 'Seventy', unreadCount: 1, archived: false, pinnedAt: 1_700_000_000, lastMessageAt: 1_700_000_003, messages: 3 }]);
    expect(v.mappings).toEqual([{ lid: '300000000000001@lid', pn: '15557770001@s.whatsapp.net' }]);
    const list = await messagesOf(ANN, '15557770001@s.whatsapp.net');
    expect(list.map((m) => [m.id, m.type, m.text])).toEqual([
      ['S3', 'text', 'third'],
      ['S2', 'location', ''],
      ['S1', 'text', 'first'],
    ]);
    expect(list[2]).toMatchObject({ fromMe: true, status: 'read' });
    expect(list[2]!.reactions).toEqual([
      { fromMe: false, sender: '15557770001@s.whatsapp.net', emoji: '👍' },
      { fromMe: true, emoji: '🙂' },
    ]);
    expect(list[0]).toMatchObject({ fromMe: false, pushName: 'Sev' });
    expect((await messagesOf(ANN, '15557770001', '?limit=1&before=S3')).map((m) => m.id)).toEqual(['S2']);
  });

  it('keeps status posts apart, listed under status@broadcast', async () => {
    const totals = await admin(sim, 'POST', `/phones/${ANN}/history`, {
      statuses: [
        { id: 'ST1', participant: '15557770001', text: 'at the beach', t: 1_700_000_010 },
        { id: 'ST2', fromMe: true, message: { imageMessage: { caption: 'mine' } }, t: 1_700_000_020 },
      ],
    });
    expect(totals).toMatchObject({ statuses: 2 });
    const list = await messagesOf(ANN, 'status@broadcast');
    expect(list.map((m) => [m.id, m.type, m.text, m.fromMe, m.participant])).toEqual([
      ['ST2', 'image', 'mine', true, undefined],
      ['ST1', 'text', 'at the beach', false, '15557770001@s.whatsapp.net'],
    ]);
    expect((await raw('POST', `/phones/${ANN}/history`, { statuses: [{ text: 'whose?' }] })).json.error?.message).toContain('statuses[0].participant');
  });

  it('generates a large history spread over chats and back in time', async () => {
    await admin(sim, 'DELETE', `/phones/${BEN}/history`);
    const totals = await admin(sim, 'POST', `/phones/${BEN}/history`, { generate: { chats: 50, messages: 1_000, groups: 5, newest: 1_800_000_000, step: 30 } });
    expect(totals).toEqual({ chats: 50, messages: 1_000, pushNames: 45, mappings: 45, statuses: 0 });
    const v = await view(BEN);
    expect(v.chats.every((c) => c.messages === 20)).toBe(true);
    expect(Math.max(...v.chats.map((c) => c.lastMessageAt!))).toBe(1_800_000_000);
    const group = v.chats.find((c) => c.jid.endsWith('@g.us'))!;
    const lines = await messagesOf(BEN, group.jid, '?limit=1000');
    expect(lines).toHaveLength(20);
    expect(lines.filter((m) => !m.fromMe).every((m) => m.participant?.endsWith('@s.whatsapp.net'))).toBe(true);
    const times = lines.map((m) => m.t);
    expect(times).toEqual([...times].sort((a, b) => b - a));

    // Padded texts, for load that does not compress to nothing.
    await admin(sim, 'DELETE', `/phones/${BEN}/history`);
    await admin(sim, 'POST', `/phones/${BEN}/history`, { generate: { chats: 1, messages: 3, textBytes: 40 } });
    const padded = await messagesOf(BEN, (await view(BEN)).chats[0]!.jid);
    expect(padded.map((m) => m.text)).toEqual([
      expect.stringMatching(/^history 1:3 [A-Za-z0-9+/]{40}$/),
      expect.stringMatching(/^history 1:2 [A-Za-z0-9+/]{40}$/),
      expect.stringMatching(/^history 1:1 [A-Za-z0-9+/]{40}$/),
    ]);
  });

  it.each([
    [{ chats: {} }, 400, 'BAD_HISTORY', 'chats must be an array'],
    [{ chats: [{ jid: '1' }, { name: 'x' }] }, 400, 'BAD_HISTORY', 'chats[1].jid'],
    [{ chats: [{ jid: '1', messages: [{ text: 'a', t: -1 }] }] }, 400, 'BAD_HISTORY', 'chats[0].messages[0].t'],
    [{ chats: [{ jid: '1-2', messages: [{ text: 'a' }] }] }, 400, 'BAD_HISTORY', 'participant is required'],
    [{ chats: [{ jid: '1', messages: [{ text: 'a', message: { conversation: 'b' } }] }] }, 400, 'BAD_HISTORY', 'text or message'],
    [{ chats: [{ jid: '1', messages: [{ message: { notAField: 1 } }] }] }, 400, 'BAD_MESSAGE', 'notAField'],
    [{ chats: [{ jid: '1', messages: [{ text: 'a', status: 'seen' }] }] }, 400, 'BAD_HISTORY', 'status'],
    [{ generate: { chats: 0, messages: 1 } }, 400, 'BAD_HISTORY', 'generate.chats'],
    [{ generate: { chats: 61, messages: 1 } }, 429, 'HISTORY_FULL', 'chats'],
    [{ generate: { chats: 1, messages: 2_001 } }, 429, 'HISTORY_FULL', 'messages'],
  ])('refuses %j with %i %s, keeping nothing of it', async (body, status, code, message) => {
    const before = await view(ANN);
    const res = await raw('POST', `/phones/${ANN}/history`, body);
    expect(res.status).toBe(status);
    expect(res.json.error).toMatchObject({ code, message: expect.stringContaining(message) });
    expect(await view(ANN)).toEqual(before);
  });

  it('answers 404 for a phone the simulator does not know', async () => {
    expect((await raw('GET', '/phones/15550000000/history')).status).toBe(404);
  });

  it('takes a partial sync policy and refuses fields it does not know', async () => {
    const policy = await admin(sim, 'POST', `/phones/${ANN}/history/policy`, { chunkBytes: 4096, recentDays: 7 });
    expect(policy).toMatchObject({ chunkBytes: 4096, recentDays: 7, bootstrapChats: 32 });
    expect(await admin(sim, 'GET', `/phones/${ANN}/history/policy`)).toEqual(policy);
    expect((await raw('POST', `/phones/${ANN}/history/policy`, { chunks: 1 })).status).toBe(400);
    expect((await raw('POST', `/phones/${ANN}/history/policy`, { chunkBytes: 10 })).json.error?.code).toBe('BAD_HISTORY');
  });
});

describe('what the phone records', () => {
  it('a message it sent with its delivery and a reaction to it, a message it received with the sender’s push name, a revoke', async () => {
    const sent = (await admin(sim, 'POST', `/phones/${ANN}/messages`, { to: BEN, text: 'to ben' })) as { id: string };
    const got = (await admin(sim, 'POST', `/phones/${BEN}/messages`, { to: ANN, text: 'oops' })) as { id: string };
    await admin(sim, 'POST', `/phones/${BEN}/messages`, { to: ANN, message: { protocolMessage: { type: 'REVOKE', key: { remoteJid: `${ANN}@s.whatsapp.net`, fromMe: true, id: got.id } } } });
    // Ben reacts to Ann's message, then changes his mind: one reaction per sender, the latest.
    for (const emoji of ['😂', '❤️']) {
      await admin(sim, 'POST', `/phones/${BEN}/messages`, { to: ANN, message: { reactionMessage: { key: { remoteJid: `${ANN}@s.whatsapp.net`, fromMe: false, id: sent.id }, text: emoji } } });
    }
    const chat = `${BEN}@s.whatsapp.net`;
    const list = await waitUntil(async () => {
      const l = await messagesOf(ANN, chat);
      const mine = l.find((m) => m.id === sent.id);
      return l.length === 2 && l.find((m) => m.id === got.id)?.type === 'revoke' && mine?.status === 'delivered' && mine.reactions?.[0]?.emoji === '❤️' ? l : undefined;
    }, 'the exchange in the history');
    expect(list.find((m) => m.id === sent.id)!.reactions).toEqual([{ fromMe: false, sender: chat, emoji: '❤️' }]);
    expect(list.find((m) => m.id === sent.id)).toMatchObject({ fromMe: true, text: 'to ben' });
    expect(list.find((m) => m.id === got.id)).toMatchObject({ fromMe: false, text: '', pushName: 'Ben' });
    const v = await view(ANN);
    expect(v.chats.find((c) => c.jid === chat)?.unreadCount).toBe(1);
    expect(v.pushNames).toContainEqual({ jid: chat, name: 'Ben' });
    expect(v.mappings).toContainEqual({ lid: sim.hub.dir.user(BEN)!.lid, pn: chat });
  });
});

describe('a restart from --data-dir', () => {
  it('keeps each phone’s history beside the snapshot', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wad-sim-hist-'));
    try {
      const first = await startSim({ dataDir });
      await admin(first, 'POST', '/phones', { phone: ANN, name: 'Ann' });
      await admin(first, 'POST', `/phones/${ANN}/history`, { generate: { chats: 3, messages: 30 }, pushNames: [{ jid: '1', name: 'One' }] });
      await admin(first, 'POST', `/phones/${ANN}/history/policy`, { bootstrapMessages: 3 });
      const before = await admin(first, 'GET', `/phones/${ANN}/history`);
      const chat = (before as HistoryView).chats[0]!.jid;
      const lines = await admin(first, 'GET', `/phones/${ANN}/history/${chat}?limit=100`);
      await first.close();
      expect(existsSync(join(dataDir, 'sim-history', `${ANN}.json`))).toBe(true);

      const second = await startSim({ dataDir });
      expect(await admin(second, 'GET', `/phones/${ANN}/history`)).toEqual(before);
      expect(await admin(second, 'GET', `/phones/${ANN}/history/${chat}?limit=100`)).toEqual(lines);
      expect(await admin(second, 'GET', `/phones/${ANN}/history/policy`)).toMatchObject({ bootstrapMessages: 3 });
      await second.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
