/**
 * Every kind of the send surface, both ways, through the simulator: what we
 * send over the control socket (WadClient) an unmodified Baileys 7 client
 * decodes into the same fields, and what Baileys sends reaches us as
 * `message:new` with those fields. One table per direction: several
 * contacts, live location (share, numbered update), forward (score from the
 * original's), pin and unpin with a duration, keep in chat, events and
 * their encrypted answers, single- and multiple-answer polls, view once for
 * image, video and voice, any Message as protobuf JSON, the disappearing
 * timer (1:1 and group), played receipts, and an admin's delete of another
 * member's group message (a member who is no admin is refused).
 */
import { randomBytes } from 'node:crypto';
import { aesEncryptGCM, decryptEventResponse, hmacSign, normalizeMessageContent, proto as bproto, type WAMessage } from 'baileys';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runChatAction } from '../../src/cli/chat-actions.js';
import { runSend } from '../../src/cli/send.js';
import { WadClient } from '../../src/client/index.js';
import type { WadEvent } from '../../src/contract/api.js';
import type { SendData } from '../../src/contract/frames.js';
import type { Daemon } from '../../src/daemon/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { admin, BaileysClient } from '../sim/baileys-harness.js';
import { daemonWithSocket, jidOf, linkOverSocket, until } from '../ipc/e2e-support.js';
import { sim as startSim, tempDir } from './support/daemon.js';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const W = '15550240001';
const B1 = '15550240002';
const B2 = '15550240003';
const WJID = jidOf(W);

let sim: SimHandle;
let dir: Awaited<ReturnType<typeof tempDir>>;
let d: Daemon;
let client: WadClient;
let b1: BaileysClient;
let b2: BaileysClient;
let group: string;
const events: WadEvent[] = [];

beforeAll(async () => {
  sim = await startSim();
  dir = await tempDir('wad-e2e-kinds24-');
  for (const [phone, name] of [[W, 'wad'], [B1, 'b1'], [B2, 'b2']]) await admin(sim, 'POST', '/phones', { phone, name });
  d = await daemonWithSocket(sim, dir.path);
  d.onEvent((e) => events.push(e));
  client = await WadClient.connect({ socket: d.socketPath });
  await linkOverSocket(client, sim, 'w', W);
  b1 = new BaileysClient(sim, 'b1');
  b2 = new BaileysClient(sim, 'b2');
  await Promise.all([b1.linkByQr(B1), b2.linkByQr(B2)]);
  group = await client.createGroup('w', 'kinds', [b1.userJid, b2.userJid]);
}, 90_000);

afterAll(async () => {
  b1?.kill();
  b2?.kill();
  await client?.close();
  await d?.stop();
  await sim?.close();
  await dir?.remove();
});

const ofType = (type: string) => events.filter((e) => e.account === 'w' && e.type === type);
const atWad = (id: string) => until(`message ${id} at wad`, () => ofType('message:new').find((e) => e.data['id'] === id)?.data, 20_000);
const atBaileys = (c: BaileysClient, id: string, what: string) => c.waitFor(() => c.received.find((m) => m.key.id === id), what);
/** Under the wrappers (view once, ephemeral) as Baileys itself reads a message. */
const content = (m: WAMessage) => normalizeMessageContent(m.message)!;
const send = (chat: string, data: SendData) => client.send('w', chat, data);
const fromB1 = async (content: Record<string, unknown>, to = WJID) => (await b1.sock!.sendMessage(to, content as never))!;
const relayFromB1 = (message: bproto.IMessage, to = WJID) => b1.sock!.relayMessage(to, message, {});
/** An event answer encrypted with Baileys' own primitives, as WhatsApp derives the key from the event's secret. */
function encryptAnswer(secret: Uint8Array, eventId: string, creator: string, responder: string, response: number): { encPayload: Buffer; encIv: Buffer } {
  const sign = Buffer.concat([Buffer.from(eventId), Buffer.from(creator), Buffer.from(responder), Buffer.from('Event Response'), Buffer.of(1)]);
  const key = hmacSign(sign, hmacSign(Buffer.from(secret), Buffer.alloc(32), 'sha256'), 'sha256');
  const iv = randomBytes(12);
  const plain = bproto.Message.EventResponseMessage.encode({ response, timestampMs: Date.now() }).finish();
  return { encPayload: aesEncryptGCM(plain, key, iv, Buffer.from(`${eventId}\u0000${responder}`)), encIv: iv };
}

describe('wad → Baileys: each kind decoded by Baileys into the same fields', () => {
  it('sends every kind over the socket', async () => {
    const base = await fromB1({ text: 'pin me' });
    await atWad(base.key.id!);
    const forwarded = (await relayFromB1({ extendedTextMessage: { text: 'seen before', contextInfo: { isForwarded: true, forwardingScore: 2 } } }))!;
    await atWad(forwarded);
    const theirEvent = await fromB1({ event: { name: 'their party', startDate: new Date(1_900_000_000_000) } });
    await atWad(theirEvent.key.id!);
    const secretOfTheirs = theirEvent.message!.messageContextInfo!.messageSecret!;

    let share = '';
    const rows: Array<[string, () => SendData, (m: WAMessage, id: string) => void]> = [
      ['contacts', () => ({ type: 'contacts', displayName: 'two', contacts: [{ displayName: 'A', vcard: 'BEGIN:VCARD\nFN:A\nEND:VCARD' }, { displayName: 'B', vcard: 'BEGIN:VCARD\nFN:B\nEND:VCARD' }] }), (m) =>
        expect(content(m).contactsArrayMessage).toMatchObject({ displayName: 'two', contacts: [{ displayName: 'A' }, { displayName: 'B' }] })],
      ['live location share', () => ({ type: 'live-location', latitude: 48.5, longitude: 2.25, accuracy: 5, caption: 'on my way' }), (m, id) => {
        expect(content(m).liveLocationMessage).toMatchObject({ degreesLatitude: 48.5, degreesLongitude: 2.25, accuracyInMeters: 5, caption: 'on my way' });
        expect(Number(content(m).liveLocationMessage!.sequenceNumber)).toBe(1);
        share = id;
      }],
      ['live location update', () => ({ type: 'live-location', messageId: share, latitude: 48.6, longitude: 2.3, speed: 1.5 }), (m) => {
        expect(content(m).liveLocationMessage).toMatchObject({ degreesLatitude: 48.6, speedInMps: 1.5, contextInfo: { stanzaId: share } });
        expect(Number(content(m).liveLocationMessage!.sequenceNumber)).toBe(2);
      }],
      ['forward', () => ({ type: 'forward', messageId: forwarded }), (m) =>
        expect(content(m).extendedTextMessage).toMatchObject({ text: 'seen before', contextInfo: { isForwarded: true, forwardingScore: 3 } })],
      ['pin', () => ({ type: 'pin', messageId: base.key.id!, duration: 604_800 }), (m) => {
        expect(content(m).pinInChatMessage).toMatchObject({ type: bproto.Message.PinInChatMessage.Type.PIN_FOR_ALL, key: { id: base.key.id } });
        expect(m.message?.messageContextInfo?.messageAddOnDurationInSecs).toBe(604_800);
      }],
      ['unpin', () => ({ type: 'pin', messageId: base.key.id!, unpin: true }), (m) => expect(content(m).pinInChatMessage).toMatchObject({ type: bproto.Message.PinInChatMessage.Type.UNPIN_FOR_ALL, key: { id: base.key.id } })],
      ['keep', () => ({ type: 'keep', messageId: base.key.id! }), (m) => expect(content(m).keepInChatMessage).toMatchObject({ keepType: bproto.KeepType.KEEP_FOR_ALL, key: { id: base.key.id } })],
      ['event', () => ({ type: 'event', name: 'launch', description: 'cake', startTime: 1_900_000_000, location: { latitude: 1.5, longitude: 2.5, name: 'hall' } }), (m) => {
        expect(content(m).eventMessage).toMatchObject({ name: 'launch', description: 'cake', location: { degreesLatitude: 1.5, name: 'hall' } });
        expect(Number(content(m).eventMessage!.startTime)).toBe(1_900_000_000);
        expect(m.message?.messageContextInfo?.messageSecret).toHaveLength(32);
      }],
      ['event answer', () => ({ type: 'event-response', eventId: theirEvent.key.id!, response: 'maybe' }), (m) => {
        const enc = content(m).encEventResponseMessage!;
        expect(enc.eventCreationMessageKey?.id).toBe(theirEvent.key.id);
        const answer = decryptEventResponse({ encPayload: enc.encPayload!, encIv: enc.encIv! }, { eventCreatorJid: b1.userJid, eventMsgId: theirEvent.key.id!, eventEncKey: Buffer.from(secretOfTheirs), responderJid: WJID });
        expect(answer.response).toBe(bproto.Message.EventResponseMessage.EventResponseType.MAYBE);
      }],
      ['poll, one answer', () => ({ type: 'poll', name: 'one?', options: ['a', 'b'], selectableCount: 1 }), (m) => expect(content(m).pollCreationMessageV3).toMatchObject({ name: 'one?', selectableOptionsCount: 1 })],
      ['poll, several answers', () => ({ type: 'poll', name: 'many?', options: ['a', 'b', 'c'], selectableCount: 2 }), (m) => expect(content(m).pollCreationMessage).toMatchObject({ name: 'many?', selectableOptionsCount: 2 })],
      ['view once image', () => ({ type: 'image', base64: randomBytes(3000).toString('base64'), mimeType: 'image/jpeg', caption: 'once', viewOnce: true }), (m) => {
        expect(m.message?.viewOnceMessage).toBeTruthy();
        expect(content(m).imageMessage).toMatchObject({ caption: 'once', viewOnce: true });
      }],
      ['view once video', () => ({ type: 'video', base64: randomBytes(5000).toString('base64'), mimeType: 'video/mp4', viewOnce: true }), (m) => {
        expect(m.message?.viewOnceMessage).toBeTruthy();
        expect(content(m).videoMessage).toMatchObject({ mimetype: 'video/mp4', viewOnce: true });
      }],
      ['view once voice', () => ({ type: 'audio', base64: randomBytes(2000).toString('base64'), mimeType: 'audio/ogg; codecs=opus', ptt: true, viewOnce: true }), (m) => {
        expect(m.message?.viewOnceMessage).toBeTruthy();
        expect(content(m).audioMessage).toMatchObject({ ptt: true, viewOnce: true });
      }],
      ['any Message as protobuf JSON', () => ({ type: 'message', message: { pollResultSnapshotMessage: { name: 'tally', pollVotes: [{ optionName: 'a', optionVoteCount: 3 }] } } }), (m) =>
        expect(content(m).pollResultSnapshotMessage).toMatchObject({ name: 'tally', pollVotes: [{ optionName: 'a' }] })],
      ['disappearing timer on', () => ({ type: 'disappearing', expiration: 86_400 }), (m) => expect(content(m).protocolMessage).toMatchObject({ type: 3, ephemeralExpiration: 86_400 })],
      ['disappearing timer off', () => ({ type: 'disappearing', expiration: 0 }), (m) => expect(content(m).protocolMessage).toMatchObject({ type: 3 })],
    ];
    for (const [name, data, check] of rows) {
      const id = await send(b1.userJid, data());
      check(await atBaileys(b1, id, name), id);
    }
    // The group's timer is its setting: every member hears of it.
    await client.setDisappearing('w', group, 604_800);
    for (const c of [b1, b2]) {
      await c.waitFor(() => c.received.find((m) => m.key.remoteJid === group && m.message?.protocolMessage?.ephemeralExpiration === 604_800), 'the group timer');
    }
    expect((await client.groupMetadata('w', group)).ephemeral).toBe(604_800);
    await client.setDisappearing('w', group, 0);
    // message:send of the timer to a group changes the same setting: no message of ours goes out
    // (members hear of it from the server, under its notification's id), so the answer names none.
    expect(await send(group, { type: 'disappearing', expiration: 86_400 })).toBe('');
    for (const c of [b1, b2]) {
      const heard = await c.waitFor(() => c.received.find((m) => m.key.remoteJid === group && m.message?.protocolMessage?.ephemeralExpiration === 86_400), 'the group timer by message:send');
      expect(heard.key.fromMe).toBeFalsy();
    }
    expect((await client.groupMetadata('w', group)).ephemeral).toBe(86_400);
    expect(await send(group, { type: 'disappearing', expiration: 0 })).toBe('');
    expect((await client.groupMetadata('w', group)).ephemeral).toBe(0);

    // Played: Baileys' voice note, heard by us.
    const voice = await fromB1({ audio: randomBytes(2000), ptt: true, mimetype: 'audio/ogg; codecs=opus' });
    await atWad(voice.key.id!);
    await client.markRead('w', b1.userJid, [voice.key.id!], { played: true });
    await b1.waitFor(() => b1.updates.find((u) => u.id === voice.key.id && u.status === bproto.WebMessageInfo.Status.PLAYED), 'played at Baileys');

    // As the group's admin we delete a member's message for everyone: the others see whose it was.
    const theirs = await fromB1({ text: 'regrettable' }, group);
    await atWad(theirs.key.id!);
    const revoke = await client.deleteMessage('w', group, theirs.key.id!);
    const seen = (await atBaileys(b2, revoke, 'the admin delete')).message!.protocolMessage!;
    expect(seen).toMatchObject({ type: bproto.Message.ProtocolMessage.Type.REVOKE, key: { id: theirs.key.id, fromMe: false } });
    expect(seen.key!.participant!.replace(/:\d+@/, '@')).toMatch(new RegExp(`^(${B1}@s\\.whatsapp\\.net|\\d+@lid)$`));
  }, 120_000);
});

describe('Baileys → wad: each kind reaches message:new with the same fields', () => {
  it('decodes every kind Baileys sends', async () => {
    const ours = await send(b1.userJid, { type: 'text', content: 'target' });
    const target = await atBaileys(b1, ours, 'target');
    const eventId = await send(b1.userJid, { type: 'event', name: 'our party', startTime: 1_900_000_000 });
    const ourEvent = await atBaileys(b1, eventId, 'our event');
    const eventKey = ourEvent.key;
    const answer = encryptAnswer(ourEvent.message!.messageContextInfo!.messageSecret!, eventId, WJID, b1.userJid, 1);

    const rows: Array<[string, () => Promise<string>, Record<string, unknown>]> = [
      ['contacts', async () => (await fromB1({ contacts: { displayName: 'two', contacts: [{ displayName: 'A', vcard: 'x' }, { displayName: 'B', vcard: 'y' }] } })).key.id!, {
        type: 'contacts', content: 'two', contacts: [{ displayName: 'A', vcard: 'x' }, { displayName: 'B', vcard: 'y' }],
      }],
      ['live location', async () => (await relayFromB1({ liveLocationMessage: { degreesLatitude: 10.5, degreesLongitude: 20.25, sequenceNumber: 4, timeOffset: 60, caption: 'here' } }))!, {
        type: 'live-location', content: 'here', location: { latitude: 10.5, longitude: 20.25 }, liveLocation: { sequenceNumber: 4, timeOffset: 60 },
      }],
      ['forward', async () => (await fromB1({ forward: target })).key.id!, { type: 'text', content: 'target', forwarded: true, forwardingScore: 1 }],
      ['pin', async () => (await fromB1({ pin: target.key, type: 1, time: 2_592_000 })).key.id!, { type: 'pin', pin: { target: { id: ours }, pinned: true, duration: 2_592_000 } }],
      ['unpin', async () => (await fromB1({ pin: target.key, type: 2 })).key.id!, { type: 'pin', pin: { target: { id: ours }, pinned: false } }],
      ['keep', async () => (await relayFromB1({ keepInChatMessage: { key: target.key, keepType: bproto.KeepType.KEEP_FOR_ALL, timestampMs: Date.now() } }))!, { type: 'keep', keep: { target: { id: ours }, kept: true } }],
      ['event', async () => (await fromB1({ event: { name: 'picnic', description: 'bring food', startDate: new Date(1_900_000_000_000), location: { degreesLatitude: 3.5, degreesLongitude: 4.5, name: 'park' } } })).key.id!, {
        type: 'event', content: 'picnic', event: { name: 'picnic', description: 'bring food', startTime: 1_900_000_000, location: { latitude: 3.5, longitude: 4.5, name: 'park' } },
      }],
      ['event answer', async () => (await relayFromB1({ encEventResponseMessage: { eventCreationMessageKey: eventKey, ...answer } }))!, { type: 'event-response', eventResponse: { event: { id: eventId }, response: 'going' } }],
      ['poll, one answer', async () => (await fromB1({ poll: { name: 'one?', values: ['a', 'b'], selectableCount: 1 } })).key.id!, { type: 'poll', poll: { name: 'one?', options: ['a', 'b'], selectableCount: 1 } }],
      ['poll, several answers', async () => (await fromB1({ poll: { name: 'many?', values: ['a', 'b', 'c'], selectableCount: 0 } })).key.id!, { type: 'poll', poll: { name: 'many?', options: ['a', 'b', 'c'], selectableCount: 0 } }],
      ['view once image', async () => (await fromB1({ image: randomBytes(2048), caption: 'once', mimetype: 'image/jpeg', viewOnce: true })).key.id!, { type: 'image', content: 'once', viewOnce: true }],
      ['view once video', async () => (await fromB1({ video: randomBytes(4096), mimetype: 'video/mp4', viewOnce: true })).key.id!, { type: 'video', viewOnce: true, media: { mimetype: 'video/mp4' } }],
      ['view once voice', async () => (await fromB1({ audio: randomBytes(2048), ptt: true, mimetype: 'audio/ogg; codecs=opus', viewOnce: true })).key.id!, { type: 'audio', viewOnce: true, media: { ptt: true } }],
      ['disappearing timer', async () => (await fromB1({ disappearingMessagesInChat: 86_400 })).key.id!, { type: 'disappearing', disappearing: { expiration: 86_400 } }],
      ['disappearing timer off', async () => (await fromB1({ disappearingMessagesInChat: false })).key.id!, { type: 'disappearing', disappearing: { expiration: 0 } }],
    ];
    for (const [name, sendIt, expected] of rows) {
      const id = await sendIt();
      expect(await atWad(id), name).toMatchObject(expected);
    }
    // A kind with no shape of ours comes whole, as raw protobuf.
    const rawId = (await relayFromB1({ pollResultSnapshotMessage: { name: 'tally', pollVotes: [{ optionName: 'a', optionVoteCount: 3 }] } }))!;
    const raw = (await atWad(rawId)) as { type: string; raw: string };
    expect(raw.type).toBe('unknown');
    expect(bproto.Message.decode(Buffer.from(raw.raw, 'base64')).pollResultSnapshotMessage).toMatchObject({ name: 'tally' });

    // Played: our voice note, heard by Baileys.
    const voice = await send(b1.userJid, { type: 'audio', base64: randomBytes(2000).toString('base64'), mimeType: 'audio/ogg; codecs=opus', ptt: true });
    const heard = await atBaileys(b1, voice, 'our voice note');
    await b1.sock!.sendReceipt(heard.key.remoteJid!, undefined, [voice], 'played');
    await until('played receipt', () => ofType('message:receipt').find((e) => (e.data['messageIds'] as string[]).includes(voice) && e.data['status'] === 'played'));

    // A group timer set by a member reaches us as the group's change.
    await b1.sock!.groupToggleEphemeral(group, 86_400);
    await until('group timer at wad', async () => (await client.groupMetadata('w', group)).ephemeral === 86_400);
    await b1.sock!.groupToggleEphemeral(group, 0);

    // A member who is no admin cannot delete another's message; once an admin, they can, and we see who did.
    const mine = await send(group, { type: 'text', content: 'keep this' });
    const mineAtB2 = await atBaileys(b2, mine, 'our group text');
    const refusedBefore = ((await admin(sim, 'GET', '/stats')) as { adminRevokeRefusals: number }).adminRevokeRefusals;
    await b2.sock!.sendMessage(group, { delete: mineAtB2.key });
    await until('refused by the server', async () => ((await admin(sim, 'GET', '/stats')) as { adminRevokeRefusals: number }).adminRevokeRefusals > refusedBefore);
    await client.groupParticipants('w', group, 'promote', [b2.userJid]);
    await b2.sock!.sendMessage(group, { delete: mineAtB2.key });
    const deleted = await until('admin delete at wad', () => ofType('message:deleted').find((e) => e.data['messageId'] === mine)?.data);
    expect(deleted).toMatchObject({ chat: group, by: b2.userJid });
    expect(ofType('message:deleted').filter((e) => e.data['messageId'] === mine)).toHaveLength(1);
  }, 120_000);
});

describe('the CLI: any kind by --data, the timer and played receipts', () => {
  /** Runs a `wad` command in this process against the daemon's socket. */
  async function wad(run: (argv: string[]) => Promise<number>, ...args: string[]): Promise<{ code: number; out: string }> {
    const chunks: string[] = [];
    const out = vi.spyOn(process.stdout, 'write').mockImplementation((c) => (chunks.push(String(c)), true));
    const err = vi.spyOn(process.stderr, 'write').mockImplementation((c) => (chunks.push(String(c)), true));
    try {
      return { code: await run([...args, '--socket', d.socketPath]), out: chunks.join('') };
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  }

  it('sends a keep with --data, sets the timer, sends played receipts; refuses a field the schema lacks in a raw Message', async () => {
    const target = await fromB1({ text: 'keep me' });
    await atWad(target.key.id!);
    const kept = await wad(runSend, 'w', B1, '--data', JSON.stringify({ type: 'keep', messageId: target.key.id }));
    expect(kept.code, kept.out).toBe(0);
    expect(content(await atBaileys(b1, kept.out.trim(), 'keep by the CLI')).keepInChatMessage).toMatchObject({ keepType: bproto.KeepType.KEEP_FOR_ALL, key: { id: target.key.id } });
    const bad = await wad(runSend, 'w', B1, '--data', JSON.stringify({ type: 'message', message: { conversation: 'x', notAField: 1 } }));
    expect(bad.code).not.toBe(0);
    expect(bad.out).toContain('message.notAField');

    expect((await wad(runChatAction, 'disappearing', 'w', B1, '604800')).code).toBe(0);
    await b1.waitFor(() => b1.received.find((m) => m.message?.protocolMessage?.ephemeralExpiration === 604_800 && !m.key.remoteJid?.endsWith('@g.us')), 'the timer by the CLI');
    expect((await wad(runChatAction, 'disappearing', 'w', B1, '0')).code).toBe(0);

    const voice = await fromB1({ audio: randomBytes(1500), ptt: true, mimetype: 'audio/ogg; codecs=opus' });
    await atWad(voice.key.id!);
    expect((await wad(runChatAction, 'played', 'w', B1, voice.key.id!)).code).toBe(0);
    await b1.waitFor(() => b1.updates.find((u) => u.id === voice.key.id && u.status === bproto.WebMessageInfo.Status.PLAYED), 'played by the CLI');
  }, 60_000);
});
