// History sync round trips: what the phone side builds (chunked by a size
// budget, compressed) decodes back to the same chats, messages, contacts,
// push names, mappings and statuses; a chunk fed to the incremental decoder in
// arbitrary pieces, with generators abandoned half way, gives the same items
// as a whole decode.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildHistoryChunks,
  compressHistory,
  decodeHistorySync,
  historyItems,
  HistorySyncDecoder,
  inflateHistory,
  type HistoryBuildInput,
  type HistoryChat,
  type HistoryChatInput,
  type HistoryItem,
  type HistoryMessage,
} from '../../../src/protocol/history/index.js';
import { decodeContent } from '../../../src/protocol/message/index.js';
import { proto } from '../../../src/protocol/proto/index.js';
import { historyInput, ME } from './arbitraries.js';

/** The chat record a decoder must give for an input chat (minus the per-part message count). */
function expectedChat(c: HistoryChatInput): Omit<HistoryChat, 'messages'> {
  const out: Omit<HistoryChat, 'messages'> = { jid: c.jid, unreadCount: c.unreadCount ?? 0, archived: c.archived ?? false, pinned: (c.pinnedAt ?? 0) > 0 };
  if (c.name) out.name = c.name;
  if (c.pinnedAt) out.pinnedAt = c.pinnedAt;
  if (c.mutedUntil) out.mutedUntil = c.mutedUntil;
  if (c.ephemeralExpiration) out.ephemeralExpiration = c.ephemeralExpiration;
  if (c.lastMessageAt) out.lastMessageAt = c.lastMessageAt;
  if (c.lid) out.lid = c.lid;
  if (c.pn) out.pn = c.pn;
  if (c.endOfHistory) out.endOfHistory = c.endOfHistory;
  if (c.description) out.description = c.description;
  return out;
}

/** What must survive of one input message, derived from the input alone (content via the live decoder). */
function expectedMessage(chat: string, m: proto.IWebMessageInfo): Partial<HistoryMessage> {
  const fromMe = m.key!.fromMe === true;
  const sender = fromMe ? ME : chat.endsWith('@g.us') ? m.key!.participant! : chat;
  const out: Partial<HistoryMessage> = { id: m.key!.id!, chat, sender, fromMe, t: Number(m.messageTimestamp), history: true };
  if (m.message) {
    // Decoded exactly as a live message of the same bytes (what only live handling uses aside).
    const bytes = proto.Message.encode(m.message).finish();
    const { senderKey: _sk, wrappers: _w, ...content } = decodeContent(proto.Message.decode(bytes), bytes);
    Object.assign(out, content);
  } else out.type = 'stub';
  if (m.pushName) out.pushName = m.pushName;
  if (m.messageStubType) out.stub = { type: proto.WebMessageInfo.StubType[m.messageStubType]!, ...(m.messageStubParameters?.length ? { params: m.messageStubParameters } : {}) };
  if (m.reactions?.length) {
    const r = m.reactions[0]!;
    out.reactions = [{ id: r.key!.id!, sender: r.key!.fromMe ? ME : chat.endsWith('@g.us') ? r.key!.participant! : chat, fromMe: r.key!.fromMe === true, emoji: r.text!, senderTimestampMs: Number(r.senderTimestampMs) }];
  }
  return out;
}

const pick = (m: HistoryMessage, like: Partial<HistoryMessage>): Partial<HistoryMessage> =>
  Object.fromEntries(Object.keys(like).map((k) => [k, m[k as keyof HistoryMessage]]));

function decodeAll(input: HistoryBuildInput, maxChunkBytes: number) {
  const chunks = buildHistoryChunks(input, { maxChunkBytes });
  const decoded = chunks.map((c) => decodeHistorySync(inflateHistory(compressHistory(c.bytes)), { me: ME }));
  return { chunks, decoded };
}

describe('build → decode', () => {
  it('gives back every chat, message, push name, mapping and status, in chunks within the budget', () => {
    fc.assert(
      fc.property(historyInput, fc.integer({ min: 1024, max: 64 * 1024 }), (input, maxChunkBytes) => {
        const { chunks, decoded } = decodeAll(input, maxChunkBytes);
        expect(chunks.map((c) => c.chunkOrder)).toEqual(chunks.map((_, i) => i + 1));
        expect(chunks.at(-1)!.progress).toBe(100);
        for (let i = 0; i < chunks.length; i++) {
          const c = chunks[i]!;
          const s = decoded[i]!.summary;
          // Over budget only when a single entry (a status, or a chat part with one message) is larger than any chunk.
          if (c.bytes.length > maxChunkBytes) {
            expect(c.chats + c.statuses + c.pushNames + c.mappings).toBe(1);
            expect(c.messages).toBeLessThanOrEqual(1);
          }
          expect(s).toMatchObject({ syncType: input.syncType, chunkOrder: c.chunkOrder, progress: c.progress, bytes: c.bytes.length });
          expect(s.counts).toMatchObject({ chats: c.chats, messages: c.messages, statuses: c.statuses, pushNames: c.pushNames });
          expect(Object.values(s.skipped).every((n) => n === 0)).toBe(true);
        }

        const chats = decoded.flatMap((d) => d.chats);
        for (const c of input.chats ?? []) {
          const parts = chats.filter((x) => x.jid === c.jid && x.name === c.name && x.pinnedAt === c.pinnedAt);
          expect(parts.length).toBeGreaterThan(0);
          for (const p of parts) expect({ ...p, messages: 0 }).toEqual({ ...expectedChat(c), messages: 0 });
        }
        expect(chats.reduce((n, c) => n + c.messages, 0)).toBe((input.chats ?? []).reduce((n, c) => n + (c.messages?.length ?? 0), 0));

        const messages = decoded.flatMap((d) => d.messages);
        const expected = (input.chats ?? []).flatMap((c) => (c.messages ?? []).map((m) => expectedMessage(c.jid, m)));
        expect(messages.map((m, i) => pick(m, expected[i]!))).toEqual(expected);

        expect(decoded.flatMap((d) => d.pushNames)).toEqual((input.pushNames ?? []).map((p) => ({ jid: p.jid, name: p.name })));
        const fromChats = (input.chats ?? []).flatMap((c) => (c.jid.endsWith('@lid') && c.pn ? [{ lid: c.jid, pn: c.pn }] : c.lid ? [{ lid: c.lid, pn: c.jid }] : []));
        const mappings = decoded.flatMap((d) => d.mappings);
        for (const m of [...fromChats, ...(input.mappings ?? [])]) expect(mappings).toContainEqual(m);
        expect(decoded.flatMap((d) => d.statuses).map((s) => [s.chat, s.id, s.sender])).toEqual(
          (input.statuses ?? []).map((s) => ['status@broadcast', s.key!.id, s.key!.participant]),
        );
      }),
      { numRuns: 60 },
    );
  });

  it('splits a chat too large for one chunk, repeating its metadata in every part', () => {
    const messages = Array.from({ length: 400 }, (_, i) => ({
      key: { remoteJid: '15550001111@s.whatsapp.net', fromMe: i % 2 === 0, id: `3EB0${String(i).padStart(16, '0')}` },
      message: { conversation: `message number ${i} `.repeat(10) },
      messageTimestamp: 1_700_000_000 - i,
    }));
    const chunks = buildHistoryChunks({ syncType: 'RECENT', chats: [{ jid: '15550001111@s.whatsapp.net', name: 'Ann', unreadCount: 3, messages }] }, { maxChunkBytes: 16 * 1024 });
    expect(chunks.length).toBeGreaterThan(5);
    const decoded = chunks.map((c) => decodeHistorySync(c.bytes, { me: ME }));
    for (const d of decoded) expect(d.chats).toEqual([expect.objectContaining({ jid: '15550001111@s.whatsapp.net', name: 'Ann', unreadCount: 3 })]);
    expect(decoded.flatMap((d) => d.messages.map((m) => m.id))).toEqual(messages.map((m) => m.key.id));
    // Newest first: each chunk's oldest message is older than the previous chunk's.
    const oldest = chunks.map((c) => c.oldestMessageAt!);
    expect([...oldest].sort((a, b) => b - a)).toEqual(oldest);
  });
});

function itemsWhole(bytes: Uint8Array): HistoryItem[] {
  return [...historyItems(bytes, { me: ME, batchSize: 3 })];
}

describe('incremental decoder', () => {
  it('gives the same items whatever the pieces, even when consumers stop early', () => {
    fc.assert(
      fc.property(historyInput, fc.array(fc.integer({ min: 1, max: 4096 }), { minLength: 1, maxLength: 40 }), fc.nat({ max: 3 }), (input, cuts, eager) => {
        const [chunk] = buildHistoryChunks(input, { maxChunkBytes: 1 << 20 });
        const whole = itemsWhole(chunk!.bytes);
        const decoder = new HistorySyncDecoder({ me: ME, batchSize: 3 });
        const got: HistoryItem[] = [];
        let at = 0;
        for (const cut of cuts) {
          if (at >= chunk!.bytes.length) break;
          // Each piece is a copy: the decoder must not depend on one buffer.
          const piece = chunk!.bytes.slice(at, at + cut);
          at += cut;
          // Take at most `eager` items now; the rest must still come later.
          let taken = 0;
          for (const item of decoder.push(piece)) {
            got.push(item);
            if (++taken >= eager) break;
          }
        }
        if (at < chunk!.bytes.length) for (const item of decoder.push(chunk!.bytes.slice(at))) got.push(item);
        for (const item of decoder.end()) got.push(item);
        expect(got).toEqual(whole);
        expect(decoder.summary.counts.messages).toBe(chunk!.messages);
      }),
      { numRuns: 80 },
    );
  });

  it('hands out a chat’s messages in batches, never more than batchSize at once', () => {
    const messages = Array.from({ length: 1000 }, (_, i) => ({
      key: { remoteJid: '120363025246125888@g.us', fromMe: false, id: `M${i}`, participant: '15550002222@s.whatsapp.net' },
      message: { conversation: `m${i}` },
      messageTimestamp: 1_700_000_000 + i,
    }));
    const [chunk] = buildHistoryChunks({ syncType: 'FULL', chats: [{ jid: '120363025246125888@g.us', messages }] });
    const sizes = [...historyItems(chunk!.bytes, { me: ME, batchSize: 128 })].flatMap((i) => (i.kind === 'messages' ? [i.messages.length] : []));
    expect(sizes).toEqual([128, 128, 128, 128, 128, 128, 128, 104]);
  });
});
