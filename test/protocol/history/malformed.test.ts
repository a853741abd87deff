// Damaged history: a bad entry (conversation, message, push name, mapping)
// is skipped and counted while the rest of the chunk decodes; an entry over
// the size bound is dropped, counted, never held; unknown fields pass; only a
// broken framing, a cut blob, bad zlib or an oversize blob throw, each with its
// code; and random corruption never escapes as anything but a HistoryError.
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import protobuf from 'protobufjs/minimal.js';
import { describe, expect, it } from 'vitest';
import {
  buildHistoryChunks,
  decodeHistorySync,
  HistoryError,
  HistorySyncDecoder,
  inflateHistory,
  webMessageInfo,
} from '../../../src/protocol/history/index.js';
import { proto } from '../../../src/protocol/proto/index.js';
import { historyInput, ME } from './arbitraries.js';

const ANN = '15550001111@s.whatsapp.net';
const GROUP = '120363025246125888@g.us';

const varint = (n: number): Uint8Array => protobuf.Writer.create().uint64(n).finish();
const field = (num: number, bytes: Uint8Array): Uint8Array => Buffer.concat([varint((num << 3) | 2), varint(bytes.length), bytes]);
const text = (id: string, chat = ANN, extra: Partial<Parameters<typeof webMessageInfo>[0]> = {}) =>
  webMessageInfo({ id, chat, fromMe: false, t: 1_700_000_000, message: { conversation: `text ${id}` }, ...extra });
const hsm = (info: proto.IWebMessageInfo): Uint8Array => proto.HistorySyncMsg.encode({ message: info }).finish();
/** Bytes that are no protobuf: a tag with wire type 7. */
const GARBAGE = Uint8Array.of(0x0f, 0x01, 0x02);

const good = buildHistoryChunks({ syncType: 'RECENT', chats: [{ jid: ANN, name: 'Ann', messages: [text('A1'), text('A2')] }] })[0]!.bytes;

function expectCode(run: () => unknown, code: HistoryError['code']): void {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(HistoryError);
    expect((err as HistoryError).code).toBe(code);
    return;
  }
  expect.unreachable(`expected ${code}`);
}

describe('damaged entries', () => {
  it('skips a conversation that does not decode, or has no id, and keeps the rest', () => {
    const bytes = Buffer.concat([field(2, GARBAGE), good, field(2, proto.Conversation.encode({ name: 'no id' }).finish())]);
    const d = decodeHistorySync(bytes, { me: ME });
    expect(d.chats.map((c) => c.jid)).toEqual([ANN]);
    expect(d.messages.map((m) => m.id)).toEqual(['A1', 'A2']);
    expect(d.summary.skipped.chats).toBe(2);
    expect(d.summary.counts).toMatchObject({ chats: 1, messages: 2 });
  });

  it('skips a message that does not decode, has no id, or (in a group) no sender, and keeps its chat’s others', () => {
    const conversation = Buffer.concat([
      proto.Conversation.encode({ id: GROUP }).finish(),
      field(2, hsm(text('G1', GROUP, { participant: ANN }))),
      field(2, GARBAGE),
      field(2, hsm({ key: { remoteJid: GROUP, fromMe: false }, message: { conversation: 'no id' } })),
      field(2, hsm(text('G2', GROUP))),
      field(2, proto.HistorySyncMsg.encode({ msgOrderId: 7 }).finish()),
      field(2, hsm(text('G3', GROUP, { fromMe: true }))),
    ]);
    const d = decodeHistorySync(field(2, conversation), { me: ME });
    expect(d.chats).toEqual([expect.objectContaining({ jid: GROUP, messages: 6 })]);
    expect(d.messages.map((m) => [m.id, m.sender])).toEqual([
      ['G1', ANN],
      ['G3', ME],
    ]);
    expect(d.summary.skipped.messages).toBe(4);
  });

  it('skips push names, mappings, statuses and past participants missing what makes them usable', () => {
    const bytes = Buffer.concat([
      field(3, GARBAGE),
      field(3, proto.WebMessageInfo.encode(text('S1', 'status@broadcast', { participant: ANN })).finish()),
      field(7, proto.Pushname.encode({ id: ANN }).finish()),
      field(7, proto.Pushname.encode({ id: ANN, pushname: 'Ann' }).finish()),
      field(12, proto.PastParticipants.encode({ pastParticipants: [{ userJid: ANN }] }).finish()),
      field(12, proto.PastParticipants.encode({ groupJid: GROUP, pastParticipants: [{ userJid: ANN, leaveReason: 1, leaveTs: 1_700_000_000 }] }).finish()),
      field(15, proto.PhoneNumberToLIDMapping.encode({ pnJid: ANN }).finish()),
      field(15, proto.PhoneNumberToLIDMapping.encode({ pnJid: ANN, lidJid: '100000000000001@lid' }).finish()),
    ]);
    const d = decodeHistorySync(bytes, { me: ME });
    expect(d.statuses.map((s) => [s.id, s.sender, s.content])).toEqual([['S1', ANN, 'text S1']]);
    expect(d.pushNames).toEqual([{ jid: ANN, name: 'Ann' }]);
    expect(d.pastParticipants).toEqual([{ group: GROUP, participants: [{ jid: ANN, reason: 'removed', at: 1_700_000_000 }] }]);
    expect(d.mappings).toEqual([{ lid: '100000000000001@lid', pn: ANN }]);
    expect(d.summary.skipped).toMatchObject({ statuses: 1, pushNames: 1, pastParticipants: 1, mappings: 1 });
  });

  it('counts known fields sent with the wrong wire type, and passes unknown fields by', () => {
    const bytes = Buffer.concat([
      varint(2 << 3), varint(5), // conversations as a varint
      field(5, Uint8Array.of(1)), // chunkOrder as bytes
      field(11, Uint8Array.of(1, 2, 3)), // recent stickers: not in our schema
      varint((99 << 3) | 5), Uint8Array.of(1, 2, 3, 4), // a fixed32 of a future field
      varint((98 << 3) | 1), new Uint8Array(8), // a fixed64
      good,
    ]);
    const d = decodeHistorySync(bytes, { me: ME });
    expect(d.summary.skipped.wrongType).toBe(2);
    expect(d.messages.map((m) => m.id)).toEqual(['A1', 'A2']);
  });

  it('drops an entry over maxEntryBytes as it streams by and decodes what follows', () => {
    const huge = buildHistoryChunks({
      syncType: 'FULL',
      chats: [{ jid: GROUP, messages: Array.from({ length: 200 }, (_, i) => text(`H${i}`, GROUP, { participant: ANN })) }],
    })[0]!.bytes;
    const decoder = new HistorySyncDecoder({ me: ME, maxEntryBytes: 2048 });
    const items = [];
    for (let at = 0; at < huge.length; at += 100) items.push(...decoder.push(huge.slice(at, at + 100)));
    items.push(...decoder.push(good), ...decoder.end());
    expect(items.filter((i) => i.kind === 'chat').map((i) => (i.kind === 'chat' ? i.chat.jid : ''))).toEqual([ANN]);
    expect(decoder.summary.skipped.tooLarge).toBe(1);
  });
});

describe('unusable blobs', () => {
  it('throws TRUNCATED when the bytes stop inside a field, after handing out what was complete', () => {
    const bytes = Buffer.concat([good, good.subarray(0, good.length - 1)]);
    const decoder = new HistorySyncDecoder({ me: ME });
    const items = [...decoder.push(bytes)];
    // Both conversations are whole; only the second copy's last scalar is cut.
    expect(items.filter((i) => i.kind === 'chat')).toHaveLength(2);
    expectCode(() => [...decoder.end()], 'TRUNCATED');
  });

  it('throws MALFORMED on an invalid wire type or an overlong varint at the top level', () => {
    expectCode(() => decodeHistorySync(Buffer.concat([good, Uint8Array.of(0x0f)]), { me: ME }), 'MALFORMED');
    expectCode(() => decodeHistorySync(Uint8Array.of(0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01), { me: ME }), 'MALFORMED');
  });

  it('bounds the blob: TOO_LARGE while inflating, and past maxBytes in the decoder', () => {
    expectCode(() => inflateHistory(deflateSync(new Uint8Array(1 << 20)), 1 << 16), 'TOO_LARGE');
    expect(Buffer.from(inflateHistory(deflateSync(good), good.length)).equals(good)).toBe(true);
    const decoder = new HistorySyncDecoder({ me: ME, maxBytes: good.length });
    [...decoder.push(good)];
    expectCode(() => decoder.push(Uint8Array.of(0)), 'TOO_LARGE');
  });

  it('throws BAD_COMPRESSION on bytes that are not zlib, FINISHED on use after end', () => {
    expectCode(() => inflateHistory(good), 'BAD_COMPRESSION');
    const decoder = new HistorySyncDecoder({ me: ME });
    [...decoder.end()];
    expectCode(() => decoder.push(good), 'FINISHED');
  });

  it('lets random corruption out only as a HistoryError, never another exception', () => {
    fc.assert(
      fc.property(historyInput, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), (input, flips) => {
        const bytes = Buffer.from(buildHistoryChunks(input)[0]!.bytes);
        for (const [at, value] of flips) bytes[at % bytes.length] = value;
        try {
          decodeHistorySync(bytes, { me: ME });
        } catch (err) {
          expect(err).toBeInstanceOf(HistoryError);
          expect(['MALFORMED', 'TRUNCATED']).toContain((err as HistoryError).code);
        }
      }),
      { numRuns: 120 },
    );
  });
});
