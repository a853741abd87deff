// The kinds about another message or with a state over time: what we build
// for a pin, a keep, a live location, an event and its answer, a forward is
// what Baileys 7 builds (or reads: its decryptEventResponse is the oracle
// for our encryption), and each decodes back into the same fields.
import { randomBytes } from 'node:crypto';
import { decryptEventResponse as baileysDecryptEventResponse, generateForwardMessageContent, generateWAMessageContent, proto as bproto } from 'baileys';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { proto } from '../../../src/protocol/proto/index.js';
import {
  buildMessage,
  decodeContent,
  decryptEventResponse,
  editAttribute,
  eventResponseMessage,
  hideOnDecryptFail,
  MessageContentError,
  stanzaType,
} from '../../../src/protocol/message/index.js';

const CHAT = '15550002222@s.whatsapp.net';
const ME = '15550001111@s.whatsapp.net';
const target = { chat: CHAT, id: '3EB0AAAA', fromMe: false };
const ours = (m: bproto.IMessage) => decodeContent(proto.Message.decode(bproto.Message.encode(m).finish()));
const theirs = (m: proto.IMessage) => bproto.Message.decode(proto.Message.encode(m).finish());

describe('pin and keep', () => {
  it('a pin is what Baileys sends for {pin, type, time}, and decodes with its duration', async () => {
    const built = buildMessage({ type: 'pin', target, pin: true, durationSeconds: 604_800, senderTimestampMs: 1 });
    const baileys = await generateWAMessageContent({ pin: { remoteJid: CHAT, id: '3EB0AAAA', fromMe: false }, type: 1, time: 604_800 }, { upload: undefined as never });
    expect(theirs(built).pinInChatMessage).toMatchObject({ type: baileys.pinInChatMessage!.type, key: { id: '3EB0AAAA' } });
    expect(theirs(built).messageContextInfo?.messageAddOnDurationInSecs).toBe(baileys.messageContextInfo!.messageAddOnDurationInSecs);
    expect(decodeContent(built)).toMatchObject({ type: 'pin', pin: { target: { id: '3EB0AAAA', chat: CHAT }, pinned: true, duration: 604_800 } });
    expect(editAttribute(built, false)).toBe('2');
    expect(hideOnDecryptFail(built)).toBe(true);
    const unpin = buildMessage({ type: 'pin', target, pin: false, durationSeconds: 604_800, senderTimestampMs: 2 });
    expect(unpin.messageContextInfo?.messageAddOnDurationInSecs).toBe(0);
    expect(decodeContent(unpin).pin).toEqual({ target: { id: '3EB0AAAA', chat: CHAT, fromMe: false }, pinned: false });
  });
  it('a keep and its undo decode as kept and not kept; a chat timer never lands on them', () => {
    const keep = buildMessage({ type: 'keep', target, keep: true, timestampMs: 5 }, { expiration: 86_400 });
    expect(keep.keepInChatMessage).toMatchObject({ keepType: 1, timestampMs: 5 });
    expect(decodeContent(keep)).toMatchObject({ type: 'keep', keep: { target: { id: '3EB0AAAA' }, kept: true } });
    expect(decodeContent(buildMessage({ type: 'keep', target, keep: false, timestampMs: 6 })).keep?.kept).toBe(false);
  });
});

describe('live location', () => {
  it('a share and its numbered updates decode with position, sequence and the share they update', () => {
    const share = buildMessage({ type: 'live-location', latitude: 48.5, longitude: 2.25, accuracyInMeters: 10, caption: 'on my way', sequenceNumber: 1, timeOffset: 0 });
    expect(stanzaType(share)).toBe('media');
    expect(ours(theirs(share))).toMatchObject({ type: 'live-location', location: { latitude: 48.5, longitude: 2.25 }, content: 'on my way', liveLocation: { sequenceNumber: 1, timeOffset: 0, accuracy: 10 } });
    const update = buildMessage({ type: 'live-location', latitude: 48.6, longitude: 2.3, speedInMps: 1.5, bearing: 90, sequenceNumber: 2, timeOffset: 30, share: { id: 'SHARE', participant: ME } });
    expect(decodeContent(update)).toMatchObject({ liveLocation: { sequenceNumber: 2, timeOffset: 30, speed: 1.5, bearing: 90 }, quoted: { id: 'SHARE', participant: ME } });
  });
});

describe('events', () => {
  it('an event carries its secret and decodes with every detail', () => {
    const secret = randomBytes(32);
    const built = buildMessage({
      type: 'event',
      event: { name: 'launch', description: 'cake', startTime: 1_900_000_000, endTime: 1_900_003_600, location: { latitude: 1, longitude: 2, name: 'hall' }, extraGuestsAllowed: true },
      messageSecret: secret,
    });
    expect(stanzaType(built)).toBe('event');
    expect(ours(theirs(built))).toMatchObject({
      type: 'event',
      content: 'launch',
      event: { name: 'launch', description: 'cake', startTime: 1_900_000_000, endTime: 1_900_003_600, location: { latitude: 1, longitude: 2, name: 'hall' }, extraGuestsAllowed: true, secret: secret.toString('base64') },
    });
    expect(() => buildMessage({ type: 'event', event: { name: 'x', startTime: 10, endTime: 5 }, messageSecret: secret })).toThrow(MessageContentError);
  });
  it('our encrypted answer is read by Baileys, and each answer round-trips with us (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.constantFrom('going', 'not-going', 'maybe' as const), fc.option(fc.integer({ min: 1, max: 9 }), { nil: undefined }), (secret, answer, guests) => {
        const ctx = { eventId: 'EVT1', creatorJid: CHAT, responderJid: ME, messageSecret: secret };
        const m = eventResponseMessage({ remoteJid: CHAT, id: 'EVT1', fromMe: false }, answer, guests, ctx, 1234, randomBytes(12));
        expect(stanzaType(m)).toBe('event');
        const enc = m.encEventResponseMessage!;
        const read = baileysDecryptEventResponse({ encPayload: enc.encPayload!, encIv: enc.encIv! }, { eventCreatorJid: CHAT, eventMsgId: 'EVT1', eventEncKey: Buffer.from(secret), responderJid: ME });
        expect(read.response).toBe({ going: 1, 'not-going': 2, maybe: 3 }[answer]);
        expect(decryptEventResponse(enc.encPayload!, enc.encIv!, ctx)).toEqual({ response: answer, timestampMs: 1234, ...(guests ? { extraGuestCount: guests } : {}) });
        // Another responder's key does not open it.
        expect(decryptEventResponse(enc.encPayload!, enc.encIv!, { ...ctx, responderJid: CHAT })).toBeUndefined();
        expect(decodeContent(m)).toMatchObject({ type: 'event-response', eventResponse: { event: { id: 'EVT1' } } });
      }),
      { numRuns: 25 },
    );
  });
});

describe('forward', () => {
  it('matches Baileys: score + 1 for a received message, kept for our own, content unwrapped and without its quote or secret', () => {
    const received: proto.IMessage = {
      ephemeralMessage: { message: { extendedTextMessage: { text: 'hi', contextInfo: { forwardingScore: 3, isForwarded: true, stanzaId: 'Q' } } } },
      messageContextInfo: { messageSecret: randomBytes(32) },
    };
    const built = buildMessage({ type: 'forward', original: received, ownMessage: false });
    const baileys = generateForwardMessageContent({ key: { remoteJid: CHAT, fromMe: false, id: 'X' }, message: theirs(received) }, false);
    expect(theirs(built).extendedTextMessage?.contextInfo).toMatchObject({ forwardingScore: baileys.extendedTextMessage!.contextInfo!.forwardingScore, isForwarded: true });
    expect(built.messageContextInfo ?? undefined).toBeUndefined();
    expect(decodeContent(built)).toMatchObject({ type: 'text', content: 'hi', forwarded: true, forwardingScore: 4 });
    expect(decodeContent(built).quoted).toBeUndefined();
    const own = buildMessage({ type: 'forward', original: { conversation: 'mine' }, ownMessage: true });
    expect(decodeContent(own)).toEqual({ type: 'text', content: 'mine' });
    const image = buildMessage({ type: 'forward', original: { imageMessage: { mimetype: 'image/jpeg', caption: 'c', mediaKey: Uint8Array.of(1) } }, ownMessage: false });
    expect(decodeContent(image)).toMatchObject({ type: 'image', content: 'c', forwarded: true, forwardingScore: 1, media: { mediaKey: 'AQ==' } });
    expect(() => buildMessage({ type: 'forward', original: { reactionMessage: { text: 'x' } }, ownMessage: false })).toThrow(MessageContentError);
  });
});
