// Property: any Message built from the kinds wad handles (text, extended text
// with quotes and mentions, media, reactions, protocol messages, poll votes,
// locations, nested in the wrappers) encodes to the same bytes as Baileys'
// module and round-trips identically in both directions.
import { proto as baileys } from 'baileys';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { proto } from '../../../src/protocol/proto/index.js';
import { expectSameRoundTrip } from './helpers.js';

const text = fc.string({ unit: 'grapheme', maxLength: 40 });
const blob = (max: number) => fc.uint8Array({ maxLength: max });
const uint32 = fc.nat({ max: 0xff_ff_ff_ff });
const uint64 = fc.maxSafeNat();
const int64 = fc.maxSafeInteger();
const jid = fc.tuple(fc.bigInt({ min: 10_000_000n, max: 999_999_999_999_999n }), fc.constantFrom('s.whatsapp.net', 'lid', 'g.us'))
  .map(([user, server]) => `${user}@${server}`);
const messageKey = fc.record(
  { remoteJid: jid, fromMe: fc.boolean(), id: fc.stringMatching(/^[0-9A-F]{16,32}$/), participant: jid },
  { requiredKeys: ['id'] },
);

const contextInfo = fc.record(
  {
    stanzaId: fc.stringMatching(/^[0-9A-F]{20}$/),
    participant: jid,
    quotedMessage: fc.record({ conversation: text }),
    mentionedJid: fc.array(jid, { maxLength: 3 }),
    expiration: uint32,
    isForwarded: fc.boolean(),
    forwardingScore: uint32,
  },
  { requiredKeys: [] },
);

const media = {
  url: text, mimetype: text, fileSha256: blob(32), fileLength: uint64, mediaKey: blob(32),
  fileEncSha256: blob(32), directPath: text, mediaKeyTimestamp: int64, jpegThumbnail: blob(64),
};

const leafContent = fc.oneof(
  fc.record({ conversation: text }),
  fc.record({ extendedTextMessage: fc.record({ text, matchedText: text, title: text, previewType: fc.integer({ min: 0, max: 8 }), contextInfo }, { requiredKeys: ['text'] }) }),
  fc.record({ imageMessage: fc.record({ ...media, caption: text, height: uint32, width: uint32, scanLengths: fc.array(uint32, { maxLength: 4 }), contextInfo }, { requiredKeys: [] }) }),
  fc.record({ audioMessage: fc.record({ ...media, seconds: uint32, ptt: fc.boolean(), waveform: blob(64) }, { requiredKeys: [] }) }),
  fc.record({ reactionMessage: fc.record({ key: messageKey, text, senderTimestampMs: int64 }) }),
  fc.record({ protocolMessage: fc.record({ key: messageKey, type: fc.integer({ min: 0, max: 31 }), ephemeralExpiration: uint32, timestampMs: int64, editedMessage: fc.record({ conversation: text }) }, { requiredKeys: ['type'] }) }),
  fc.record({ pollUpdateMessage: fc.record({ pollCreationMessageKey: messageKey, vote: fc.record({ encPayload: blob(64), encIv: blob(12) }), senderTimestampMs: int64 }) }),
  fc.record({ pollCreationMessageV3: fc.record({ name: text, options: fc.array(fc.record({ optionName: text }), { maxLength: 5 }), selectableOptionsCount: uint32 }) }),
  fc.record({
    locationMessage: fc.record(
      { degreesLatitude: fc.double({ noNaN: true }), degreesLongitude: fc.double({ noNaN: true }), name: text, speedInMps: fc.float({ noNaN: true }), accuracyInMeters: uint32 },
      { requiredKeys: [] },
    ),
  }),
);

const withContextInfo = fc.tuple(leafContent, fc.option(fc.record({ messageSecret: blob(32), deviceListMetadataVersion: fc.integer({ min: -5, max: 5 }) }), { nil: undefined }))
  .map(([content, mci]) => (mci ? { ...content, messageContextInfo: mci } : content));

const message = fc.oneof(
  withContextInfo,
  withContextInfo.map((m) => ({ ephemeralMessage: { message: m } })),
  withContextInfo.map((m) => ({ viewOnceMessageV2: { message: m } })),
  fc.tuple(jid, withContextInfo).map(([destinationJid, m]) => ({ deviceSentMessage: { destinationJid, message: m } })),
);

describe('random Messages', () => {
  it('encode like Baileys and round-trip both ways', () => {
    fc.assert(
      fc.property(message, (m) => {
        expectSameRoundTrip(proto.Message, baileys.Message, m as Record<string, unknown>);
      }),
      { numRuns: 400 },
    );
  });
});
