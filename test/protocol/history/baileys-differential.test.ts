// History sync against Baileys 7 as an independent implementation:
// - the chunks our phone side builds, sent as Baileys receives them (the
//   notification message through its processMessage, inline; or the encrypted
//   blob through downloadAndProcessHistorySyncNotification, which downloads,
//   decrypts with the md-msg-hist keys and inflates), give Baileys'
//   `messaging-history.set` the same chats, contacts, messages and LID↔PN
//   mappings our decoder reads from them (the blob through our own media
//   decryption, and streamed through an inflate stream as an account does);
// - a HistorySync Baileys' own encoder produced decodes in ours to what
//   Baileys' processHistoryMessage makes of it, and our builder produces the
//   very same bytes.
import {
  proto as baileys,
  downloadAndProcessHistorySyncNotification,
  normalizeMessageContent,
  processHistoryMessage,
} from 'baileys';
import processMessage from 'baileys/lib/Utils/process-message.js';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createInflate } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildHistoryChunks,
  buildHistoryNotification,
  compressHistory,
  decodeHistorySync,
  encryptHistoryBlob,
  parseHistoryNotification,
  historyItems,
  historySyncNotificationOf,
  HistorySyncDecoder,
  inflateHistory,
  type HistoryItem,
  type DecodedHistory,
  type HistoryBuildInput,
  type HistoryChat,
  type HistoryMessage,
} from '../../../src/protocol/history/index.js';
import { decryptMedia } from '../../../src/protocol/media/index.js';
import { proto } from '../../../src/protocol/proto/index.js';
import { historyInput, ME } from './arbitraries.js';

type BaileysHistory = ReturnType<typeof processHistoryMessage>;
type Longish = number | { toNumber(): number } | null | undefined;

const n = (v: Longish): number | undefined => (v === null || v === undefined ? undefined : typeof v === 'number' ? v : v.toNumber());
const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '' && v !== 0)) as T;
const sortJson = <T>(xs: T[]): T[] => [...xs].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

/** Each side's chats, contacts, messages and mappings in one comparable form. */
function baileysView(h: BaileysHistory) {
  return {
    chats: h.chats.map((c) => {
      const mute = n(c.muteEndTime as Longish);
      return defined({
        jid: c.id,
        name: c.displayName || c.name || c.username || undefined,
        unreadCount: c.unreadCount ?? undefined,
        archived: c.archived ? true : undefined,
        pinnedAt: c.pinned ?? undefined,
        mutedUntil: mute !== undefined && mute >= Number.MAX_SAFE_INTEGER ? -1 : mute,
        ephemeralExpiration: c.ephemeralExpiration ?? undefined,
        lastMessageAt: n(c.conversationTimestamp as Longish) || n(c.lastMsgTimestamp as Longish),
        lid: c.lidJid ?? undefined,
        pn: c.pnJid ?? undefined,
      });
    }),
    contacts: sortJson(h.contacts.map((c) => defined({ ...c }))),
    messages: h.messages.map((m) => {
      const content = normalizeMessageContent(m.message);
      return defined({
        chat: m.key.remoteJid!,
        id: m.key.id!,
        fromMe: m.key.fromMe ? true : undefined,
        t: n(m.messageTimestamp as Longish),
        text: content?.conversation || content?.extendedTextMessage?.text || undefined,
        stub: m.messageStubType ?? undefined,
      });
    }),
    mappings: sortJson(h.lidPnMappings),
  };
}

function ourView(d: DecodedHistory) {
  const isPushName = d.summary.syncType === 'PUSH_NAME';
  return {
    chats: isPushName ? [] : d.chats.map((c: HistoryChat) => defined({ jid: c.jid, name: c.name, unreadCount: c.unreadCount, archived: c.archived || undefined, pinnedAt: c.pinnedAt, mutedUntil: c.mutedUntil, ephemeralExpiration: c.ephemeralExpiration, lastMessageAt: c.lastMessageAt, lid: c.lid, pn: c.pn })),
    contacts: sortJson<Record<string, string | undefined>>(
      isPushName
        ? d.pushNames.map((p) => ({ id: p.jid, notify: p.name }))
        : d.contacts.map((c) => defined({ id: c.jid, name: c.name, username: c.username, lid: c.lid, phoneNumber: c.pn })),
    ),
    messages: isPushName
      ? []
      : d.messages.map((m: HistoryMessage) =>
          defined({
            chat: m.chat,
            id: m.id,
            fromMe: m.fromMe || undefined,
            t: m.t,
            text: m.type === 'text' ? m.content : undefined,
            stub: m.stub ? proto.WebMessageInfo.StubType[m.stub.type as keyof typeof proto.WebMessageInfo.StubType] : undefined,
          }),
        ),
    mappings: sortJson(d.mappings),
  };
}

/** Baileys reads conversations only in the conversation-carrying types and push names only in PUSH_NAME: build what phones send. */
function asPhoneSends(input: HistoryBuildInput): HistoryBuildInput {
  return input.syncType === 'PUSH_NAME' ? { ...input, chats: [] } : { ...input, pushNames: [] };
}

/** Baileys' processMessage as its socket runs it for a message from our own phone; resolves with what it emitted. */
async function baileysReceives(message: proto.IMessage): Promise<BaileysHistory & { chunkOrder?: number }> {
  const bytes = proto.Message.encode(message).finish();
  const events: Array<[string, unknown]> = [];
  await processMessage(
    { key: { remoteJid: ME, fromMe: true, id: '3EB0HISTORYNOTIFY' }, message: baileys.Message.decode(bytes), messageTimestamp: 1_700_000_000 },
    {
      shouldProcessHistoryMsg: true,
      ev: { emit: (name: string, data: unknown) => events.push([name, data]) },
      creds: { me: { id: ME }, processedHistoryMessages: [], accountSettings: { unarchiveChats: false } },
      signalRepository: { lidMapping: { storeLIDPNMappings: async () => {}, getLIDForPN: async () => null } },
      keyStore: { get: async () => ({}), set: async () => {}, transaction: async (work: () => Promise<unknown>) => work() },
      options: {},
      getMessage: async () => undefined,
    } as unknown as Parameters<typeof processMessage>[1],
  );
  const set = events.find(([name]) => name === 'messaging-history.set');
  expect(set, 'Baileys emitted messaging-history.set').toBeDefined();
  return set![1] as BaileysHistory & { chunkOrder?: number };
}

describe('our chunks, received by Baileys', () => {
  it('inline in the notification: processMessage emits the history our decoder reads', async () => {
    await fc.assert(
      fc.asyncProperty(historyInput.map(asPhoneSends), fc.integer({ min: 2048, max: 32 * 1024 }), async (input, maxChunkBytes) => {
        for (const chunk of buildHistoryChunks(input, { maxChunkBytes })) {
          const compressed = compressHistory(chunk.bytes);
          const message = buildHistoryNotification({ syncType: input.syncType, payload: { kind: 'inline', compressed }, chunkOrder: chunk.chunkOrder, progress: chunk.progress });
          const theirs = await baileysReceives(message);
          expect(theirs.chunkOrder).toBe(chunk.chunkOrder);
          expect(theirs.progress).toBe(chunk.progress);
          // What we read from the same notification, parsed back off the wire.
          const parsed = parseHistoryNotification(historySyncNotificationOf(proto.Message.decode(proto.Message.encode(message).finish()))!);
          expect(parsed.payload.kind).toBe('inline');
          const ours = decodeHistorySync(inflateHistory((parsed.payload as { compressed: Uint8Array }).compressed), { me: ME });
          expect(ourView(ours)).toEqual(baileysView(theirs));
        }
      }),
      { numRuns: 25 },
    );
  });

  it('as an md-msg-hist blob: Baileys downloads, decrypts, inflates and reads what we do', async () => {
    await fc.assert(
      fc.asyncProperty(historyInput.map(asPhoneSends), async (input) => {
        const [chunk] = buildHistoryChunks(input, { maxChunkBytes: 1 << 20 });
        const blob = encryptHistoryBlob(compressHistory(chunk!.bytes));
        const message = buildHistoryNotification({
          syncType: input.syncType,
          payload: { kind: 'media', media: { directPath: '/v/t62.36145-24/hist.enc', mediaKey: blob.mediaKey, fileSha256: blob.fileSha256, fileEncSha256: blob.fileEncSha256, fileLength: blob.fileLength } },
        });
        const wire = baileys.Message.decode(proto.Message.encode(message).finish()).protocolMessage!.historySyncNotification!;
        // Baileys fetches directPath from WhatsApp's host; a data: URL in its place keeps the test off the network.
        const url = `data:application/octet-stream;base64,${Buffer.from(blob.blob).toString('base64')}`;
        const theirs = await downloadAndProcessHistorySyncNotification({ ...wire, directPath: null, url } as unknown as typeof wire, {});

        // Ours: the reference from our parse of the wire bytes, the blob verified and decrypted by our media code.
        const parsed = parseHistoryNotification(historySyncNotificationOf(proto.Message.decode(proto.Message.encode(message).finish()))!);
        if (parsed.payload.kind !== 'media') throw new Error('expected a media payload');
        const ref = parsed.payload.media;
        const compressed = decryptMedia(blob.blob, ref.mediaKey!, ref.type, { fileEncSha256: ref.fileEncSha256, fileSha256: ref.fileSha256, fileLength: ref.fileLength! });
        const ours = decodeHistorySync(inflateHistory(compressed), { me: ME });
        expect(ourView(ours)).toEqual(baileysView(theirs));

        // The streaming path an account takes (inflate stream → decoder, piece by piece) gives the same items.
        const decoder = new HistorySyncDecoder({ me: ME });
        const streamed: HistoryItem[] = [];
        const inflater = createInflate({ chunkSize: 1024 });
        inflater.on('data', (piece: Buffer) => streamed.push(...decoder.push(piece)));
        await pipeline(Readable.from([compressed]), inflater);
        streamed.push(...decoder.end());
        expect(streamed).toEqual([...historyItems(inflateHistory(compressed), { me: ME })]);
      }),
      { numRuns: 15 },
    );
  });
});

const truthy = (o: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(o).filter(([, v]) => Boolean(v)));
const END_OF_HISTORY = { 'more-on-phone': 0, complete: 1, 'more-on-phone-on-demand': 2 } as const;

/**
 * The same history as the plain object Baileys' encoder takes, written from
 * the input field by field (the messages cross as bytes: WebMessageInfo
 * encoding is checked against Baileys by the proto suites).
 */
function asBaileysObject(input: HistoryBuildInput): Record<string, unknown> {
  const wmi = (m: proto.IWebMessageInfo) => baileys.WebMessageInfo.decode(proto.WebMessageInfo.encode(m).finish());
  return {
    syncType: baileys.HistorySync.HistorySyncType[input.syncType as keyof typeof baileys.HistorySync.HistorySyncType],
    conversations: (input.chats ?? []).map((c) => ({
      id: c.jid,
      messages: (c.messages ?? []).map((m) => ({ message: wmi(m) })),
      ...truthy({
        name: c.name,
        unreadCount: c.unreadCount,
        archived: c.archived,
        pinned: c.pinnedAt,
        muteEndTime: c.mutedUntil,
        ephemeralExpiration: c.ephemeralExpiration,
        conversationTimestamp: c.lastMessageAt,
        lidJid: c.lid,
        pnJid: c.pn,
        endOfHistoryTransfer: c.endOfHistory !== undefined,
        description: c.description,
      }),
      ...(c.endOfHistory ? { endOfHistoryTransferType: END_OF_HISTORY[c.endOfHistory] } : {}),
    })),
    statusV3Messages: (input.statuses ?? []).map(wmi),
    chunkOrder: 1,
    progress: 100,
    pushnames: (input.pushNames ?? []).map((p) => ({ id: p.jid, pushname: p.name })),
    phoneNumberToLidMappings: (input.mappings ?? []).map((m) => ({ pnJid: m.pn, lidJid: m.lid })),
  };
}

describe('Baileys-encoded history, read by us', () => {
  it('decodes to what Baileys’ processHistoryMessage makes of it, and our builder writes the same bytes', () => {
    fc.assert(
      fc.property(historyInput.map(asPhoneSends), (input) => {
        const object = asBaileysObject(input);
        const theirBytes = baileys.HistorySync.encode(baileys.HistorySync.fromObject(object)).finish();
        const [ourChunk] = buildHistoryChunks(input, { maxChunkBytes: 1 << 24 });
        expect(Buffer.from(ourChunk!.bytes).toString('hex')).toBe(Buffer.from(theirBytes).toString('hex'));

        const theirs = processHistoryMessage(baileys.HistorySync.decode(theirBytes));
        const ours = decodeHistorySync(theirBytes, { me: ME });
        expect(ourView(ours)).toEqual(baileysView(theirs));
      }),
      { numRuns: 40 },
    );
  });
});
