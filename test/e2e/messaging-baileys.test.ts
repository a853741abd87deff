// Must-show (issue 7), end to end through the simulator with Baileys 7 on the
// other side: the whole daemon (connection actor, supervisor, durable event
// log, our messaging module) and Baileys clients and simulated phones, all
// over WebSocket + Noise.
// - every kind we send is decoded by Baileys, every kind Baileys sends is decoded by us;
// - every kind both ways with a simulated phone (it shows what it got as protobuf JSON), poll votes tallied;
// - a forced decrypt failure on our side, and one on Baileys' side, end in a retry receipt and a good resend.
import { createHash, randomBytes } from 'node:crypto';
import { decryptPollVote as decryptBaileysPollVote, proto as bproto, type WAMessage } from 'baileys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeContent, encryptPollVote } from '../../src/protocol/message/index.js';
import { proto } from '../../src/protocol/proto/index.js';
import type { Messaging } from '../../src/account/messaging/index.js';
import type { OutgoingContent } from '../../src/contract/api.js';
import type { Daemon, WadEvent } from '../../src/daemon/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { admin, BaileysClient, textOf, waitUntil } from '../sim/baileys-harness.js';
import { daemonFor, linkByQr, sim as startSim, tempDir } from './support/daemon.js';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const W = '15550007001';
const B = '15550007002';
/** A user with only a simulated phone (no companion). */
const P = '15550007003';
let sim: SimHandle;
let dir: Awaited<ReturnType<typeof tempDir>>;
let d: Daemon;
let baileys: BaileysClient;
let failNext = 0;
const events: WadEvent[] = [];

/** The daemon's account, as a consumer sees it: calls by name, events from the live stream. */
const wad = {
  messaging: {
    send: (chat: string, content: OutgoingContent) => d.sendMessage('wad', chat, content),
    react: (chat: string, id: string, emoji: string) => d.react('wad', chat, id, emoji),
    edit: (chat: string, id: string, text: string) => d.editMessage('wad', chat, id, text),
    revoke: (chat: string, id: string) => d.deleteMessage('wad', chat, id),
    stats: () => (d.accounts.running('wad')!.messaging as Messaging).stats(),
  },
  events: (type: string) => events.filter((e) => e.account === 'wad' && e.type === type),
};

beforeAll(async () => {
  sim = await startSim();
  dir = await tempDir('wad-e2e-kinds-');
  await admin(sim, 'POST', '/phones', { phone: W, name: 'Wad' });
  await admin(sim, 'POST', '/phones', { phone: B, name: 'Bailey' });
  await admin(sim, 'POST', '/phones', { phone: P, name: 'Pat' });
  d = await daemonFor(sim, dir.path, [], { messaging: { failDecrypt: () => failNext-- > 0 } });
  d.onEvent((e) => events.push(e));
  await linkByQr(sim, d, 'wad', W);
  baileys = new BaileysClient(sim, 'b');
  await baileys.linkByQr(B);
}, 60_000);

afterAll(async () => {
  baileys?.kill();
  await d?.stop();
  await sim?.close();
  await dir?.remove();
});

const ours = (m: WAMessage) => decodeContent(proto.Message.decode(bproto.Message.encode(m.message!).finish()));
const atWad = (id: string) => wad.events('message:new').find((e) => e.data.id === id);
const poll = <T>(what: string, probe: () => T | undefined | false) => waitUntil(probe, what, 20_000);

describe('wad → Baileys: every kind', () => {
  it('Baileys decodes each kind we send', async () => {
    const to = `${B}@s.whatsapp.net`;
    const { messageId: base } = await wad.messaging.send(to, { type: 'text', content: 'hello Baileys' });
    const got = await baileys.waitFor(() => baileys.received.find((m) => m.key.id === base), 'text');
    expect(got.message?.conversation).toBe('hello Baileys');
    expect(got.key.remoteJid?.split('@')[0]).toMatch(new RegExp(`^(${W}|\\d+)$`));

    const cases: Array<[OutgoingContent, (m: WAMessage) => void]> = [
      [{ type: 'reply', content: 'a reply', quoted: base, mentions: [to] }, (m) => {
        expect(m.message?.extendedTextMessage?.contextInfo?.stanzaId).toBe(base);
        expect(m.message?.extendedTextMessage?.contextInfo?.mentionedJid).toEqual([to]);
      }],
      [{ type: 'text', content: 'see https://x.example', linkPreview: { url: 'https://x.example', title: 'X', description: 'D' } }, (m) => expect(m.message?.extendedTextMessage).toMatchObject({ matchedText: 'https://x.example', title: 'X' })],
      [{ type: 'location', latitude: 48.85, longitude: 2.35, name: 'Paris' }, (m) => expect(m.message?.locationMessage).toMatchObject({ degreesLatitude: 48.85, degreesLongitude: 2.35, name: 'Paris' })],
      [{ type: 'contact', displayName: 'Carol', vcard: 'BEGIN:VCARD\nVERSION:3.0\nFN:Carol\nEND:VCARD' }, (m) => expect(m.message?.contactMessage?.displayName).toBe('Carol')],
      [{ type: 'contacts', contacts: [{ displayName: 'A', vcard: 'v1' }, { displayName: 'B', vcard: 'v2' }] }, (m) => expect(m.message?.contactsArrayMessage?.contacts).toHaveLength(2)],
      [{ type: 'poll', name: 'lunch?', options: ['pizza', 'sushi'], selectableCount: 1 }, (m) => {
        expect(m.message?.pollCreationMessageV3?.options?.map((o) => o.optionName)).toEqual(['pizza', 'sushi']);
        expect(m.message?.messageContextInfo?.messageSecret).toHaveLength(32);
      }],
      [{ type: 'disappearing', expiration: 604800 }, (m) => expect(m.message?.protocolMessage).toMatchObject({ type: 3, ephemeralExpiration: 604800 })],
      [{ type: 'message', message: { imageMessage: { mimetype: 'image/jpeg', caption: 'view once' } }, viewOnce: true }, (m) => expect(ours(m)).toMatchObject({ type: 'image', viewOnce: true, content: 'view once' })],
      [{ type: 'message', message: { eventMessage: { name: 'party' } } }, (m) => expect(m.message?.eventMessage?.name).toBe('party')],
    ];
    for (const [content, check] of cases) {
      const { messageId } = await wad.messaging.send(to, content);
      check(await baileys.waitFor(() => baileys.received.find((m) => m.key.id === messageId), `kind ${content.type}`));
    }
    const { messageId: reaction } = await wad.messaging.react(to, base, '🎉');
    expect((await baileys.waitFor(() => baileys.received.find((m) => m.key.id === reaction), 'reaction')).message?.reactionMessage).toMatchObject({ text: '🎉', key: { id: base } });
    const { messageId: edit } = await wad.messaging.edit(to, base, 'hello again');
    expect((await baileys.waitFor(() => baileys.received.find((m) => m.key.id === edit), 'edit')).message?.protocolMessage).toMatchObject({ type: 14, key: { id: base }, editedMessage: { conversation: 'hello again' } });
    const { messageId: revoke } = await wad.messaging.revoke(to, base);
    expect((await baileys.waitFor(() => baileys.received.find((m) => m.key.id === revoke), 'revoke')).message?.protocolMessage).toMatchObject({ type: 0, key: { id: base } });
    // Baileys reported delivery of what we sent.
    await poll('delivery receipts', () => wad.events('message:receipt').some((e) => (e.data.messageIds as string[]).includes(base)));
  });
});

describe('Baileys → wad: every kind', () => {
  it('we decode each kind Baileys sends', async () => {
    const to = `${W}@s.whatsapp.net`;
    const send = async (content: Record<string, unknown>) => (await baileys.sock!.sendMessage(to, content as never))!;
    // Receipts as Baileys' socket gets them (its messages.update may be folded into buffered upserts).
    const receipts: Array<Record<string, string>> = [];
    baileys.sock!.ws.on('CB:receipt', (node: { attrs: Record<string, string> }) => receipts.push(node.attrs));
    const base = await send({ text: 'from Baileys' });
    expect((await poll('text', () => atWad(base.key.id!)))!.data).toMatchObject({ type: 'text', content: 'from Baileys', sender: `${B}@s.whatsapp.net` });
    const checks: Array<[Record<string, unknown>, Record<string, unknown>]> = [
      [{ text: 'quoting', mentions: [to] }, { type: 'text', mentions: [to] }],
      [{ location: { degreesLatitude: 1.25, degreesLongitude: 2.5, name: 'spot' } }, { type: 'location', location: { latitude: 1.25, longitude: 2.5, name: 'spot' } }],
      [{ contacts: { contacts: [{ displayName: 'A', vcard: 'BEGIN:VCARD\nFN:A\nEND:VCARD' }] } }, { type: 'contact' }],
      [{ contacts: { displayName: 'two', contacts: [{ displayName: 'A', vcard: 'x' }, { displayName: 'B', vcard: 'y' }] } }, { type: 'contacts' }],
      [{ poll: { name: 'q?', values: ['a', 'b', 'c'], selectableCount: 2 } }, { type: 'poll', poll: { name: 'q?', options: ['a', 'b', 'c'], selectableCount: 2 } }],
      [{ react: { key: base.key, text: '👍' } }, { type: 'reaction', reaction: { target: { id: base.key.id }, emoji: '👍' } }],
      [{ disappearingMessagesInChat: 86400 }, { type: 'disappearing', disappearing: { expiration: 86400 } }],
      [{ image: randomBytes(2048), caption: 'just once', viewOnce: true, mimetype: 'image/jpeg' }, { type: 'image', viewOnce: true, content: 'just once' }],
    ];
    for (const [content, expected] of checks) {
      const m = await send(content);
      expect((await poll(JSON.stringify(Object.keys(content)), () => atWad(m.key.id!)))!.data).toMatchObject(expected);
    }
    // A kind our schema lacks (Baileys' WAProto has it): delivered whole as raw, nothing dropped.
    const callId = await baileys.sock!.relayMessage(to, { scheduledCallCreationMessage: { scheduledTimestampMs: 1_700_000_000_000, callType: 1, title: 'standup' } }, {});
    const call = (await poll('unknown kind', () => atWad(callId)))!.data as { type: string; raw: string };
    expect(call.type).toBe('unknown');
    expect(bproto.Message.decode(Buffer.from(call.raw, 'base64')).scheduledCallCreationMessage).toMatchObject({ title: 'standup', callType: 1 });
    const quoted = await baileys.sock!.sendMessage(to, { text: 'a reply' }, { quoted: base });
    expect((await poll('reply', () => atWad(quoted!.key.id!)))!.data).toMatchObject({ quoted: { id: base.key.id } });
    await send({ text: 'edited text', edit: base.key });
    await poll('edit', () => wad.events('message:updated').find((e) => e.data.messageId === base.key.id && e.data.content === 'edited text'));
    await send({ delete: base.key });
    await poll('revoke', () => wad.events('message:deleted').find((e) => e.data.messageId === base.key.id));
    // Baileys got a delivery receipt (no type) from our user (its own phone sends `sender` receipts too).
    const r = await baileys.waitFor(() => receipts.find((a) => a.id === base.key.id && a.type === undefined), 'delivery receipt at Baileys');
    expect(r.from).toBe(to);
  });
});

describe('phones: every kind both ways with a simulated phone', () => {
  type PhoneMessage = { id: string; from: string; text: string; type: string; message: Record<string, any> };
  const to = `${P}@s.whatsapp.net`;
  const atPhone = (id: string) =>
    waitUntil<PhoneMessage>(async () => ((await admin(sim, 'GET', `/phones/${P}/messages`)) as PhoneMessage[]).find((m) => m.id === id), `message ${id} at the phone`, 20_000);
  /** What the phone received, under the wrappers a disappearing chat or view-once adds. */
  const inner = (m: PhoneMessage): Record<string, any> => {
    let x = m.message;
    for (const w of ['ephemeralMessage', 'viewOnceMessage', 'viewOnceMessageV2', 'viewOnceMessageV2Extension']) if (x[w]?.message) x = x[w].message;
    return x;
  };
  const fromPhone = async (message: Record<string, unknown>) => ((await admin(sim, 'POST', `/phones/${P}/messages`, { to: `${W}@s.whatsapp.net`, message })) as { id: string }).id;

  it('the phone decodes each kind we send', async () => {
    const { messageId: base } = await wad.messaging.send(to, { type: 'text', content: 'hello phone' });
    const first = await atPhone(base);
    expect(first).toMatchObject({ from: `${W}@s.whatsapp.net`, type: 'text', text: 'hello phone', message: { conversation: 'hello phone' } });

    const cases: Array<[OutgoingContent, (m: PhoneMessage) => void]> = [
      [{ type: 'reply', content: 'a reply', quoted: base, mentions: [to] }, (m) =>
        expect(inner(m).extendedTextMessage).toMatchObject({ text: 'a reply', contextInfo: { stanzaId: base, mentionedJid: [to], quotedMessage: { conversation: 'hello phone' } } })],
      [{ type: 'text', content: 'see https://x.example', linkPreview: { url: 'https://x.example', title: 'X', description: 'D' } }, (m) =>
        expect(inner(m).extendedTextMessage).toMatchObject({ text: 'see https://x.example', matchedText: 'https://x.example', title: 'X', description: 'D' })],
      [{ type: 'location', latitude: 48.85, longitude: 2.35, name: 'Paris' }, (m) => expect(inner(m).locationMessage).toMatchObject({ degreesLatitude: 48.85, degreesLongitude: 2.35, name: 'Paris' })],
      [{ type: 'contact', displayName: 'Carol', vcard: 'BEGIN:VCARD\nVERSION:3.0\nFN:Carol\nEND:VCARD' }, (m) => expect(inner(m).contactMessage).toMatchObject({ displayName: 'Carol', vcard: expect.stringContaining('FN:Carol') })],
      [{ type: 'contacts', contacts: [{ displayName: 'A', vcard: 'v1' }, { displayName: 'B', vcard: 'v2' }] }, (m) =>
        expect(inner(m).contactsArrayMessage.contacts).toEqual([{ displayName: 'A', vcard: 'v1' }, { displayName: 'B', vcard: 'v2' }])],
      [{ type: 'message', message: { imageMessage: { mimetype: 'image/jpeg', caption: 'view once' } }, viewOnce: true }, (m) => {
        expect(Object.keys(m.message).some((k) => k.startsWith('viewOnceMessage'))).toBe(true);
        expect(inner(m).imageMessage).toEqual({ mimetype: 'image/jpeg', caption: 'view once' });
      }],
      [{ type: 'message', message: { eventMessage: { name: 'party' } } }, (m) => expect(inner(m).eventMessage).toEqual({ name: 'party' })],
    ];
    for (const [content, check] of cases) {
      const { messageId } = await wad.messaging.send(to, content);
      check(await atPhone(messageId));
    }
    const { messageId: pollId } = await wad.messaging.send(to, { type: 'poll', name: 'lunch?', options: ['pizza', 'sushi'], selectableCount: 1 });
    const pollAtPhone = await atPhone(pollId);
    expect(inner(pollAtPhone).pollCreationMessageV3).toMatchObject({ name: 'lunch?', options: [{ optionName: 'pizza' }, { optionName: 'sushi' }], selectableOptionsCount: 1 });
    const secret = Buffer.from(pollAtPhone.message.messageContextInfo.messageSecret as string, 'base64');
    expect(secret).toHaveLength(32);

    const { messageId: reaction } = await wad.messaging.react(to, base, '🎉');
    expect(inner(await atPhone(reaction)).reactionMessage).toMatchObject({ text: '🎉', key: { id: base, fromMe: true } });
    const { messageId: edit } = await wad.messaging.edit(to, base, 'hello again');
    expect(inner(await atPhone(edit)).protocolMessage).toMatchObject({ type: 'MESSAGE_EDIT', key: { id: base }, editedMessage: { conversation: 'hello again' } });
    const { messageId: revoke } = await wad.messaging.revoke(to, base);
    expect(inner(await atPhone(revoke)).protocolMessage).toMatchObject({ type: 'REVOKE', key: { id: base } });
    const { messageId: timer } = await wad.messaging.send(to, { type: 'disappearing', expiration: 604800 });
    expect(inner(await atPhone(timer)).protocolMessage).toMatchObject({ type: 'EPHEMERAL_SETTING', ephemeralExpiration: 604800 });
    // Later messages carry the timer (WhatsApp puts it in contextInfo.expiration, or wraps in ephemeralMessage).
    const { messageId: later } = await wad.messaging.send(to, { type: 'text', content: 'now disappearing' });
    const laterAtPhone = await atPhone(later);
    expect(laterAtPhone.text).toBe('now disappearing');
    expect(JSON.stringify(laterAtPhone.message)).toMatch(/"expiration":604800|ephemeralMessage/);
    // The phone's delivery receipts reached us.
    await poll('delivery receipts from the phone', () => wad.events('message:receipt').some((e) => (e.data.messageIds as string[]).includes(base)));

    // The phone votes on our poll; the vote is encrypted as WhatsApp does (checked with Baileys' own decryptor).
    const voteCtx = { pollId, creatorJid: `${W}@s.whatsapp.net`, voterJid: to, messageSecret: secret };
    const vote = encryptPollVote(['sushi'], voteCtx, randomBytes(12));
    const check = decryptBaileysPollVote(vote, { pollCreatorJid: voteCtx.creatorJid, pollMsgId: pollId, pollEncKey: secret, voterJid: to });
    expect(Buffer.from(check.selectedOptions[0]!).toString('hex')).toBe(createHash('sha256').update('sushi').digest('hex'));
    const voteId = await fromPhone({
      pollUpdateMessage: {
        pollCreationMessageKey: { remoteJid: to, fromMe: false, id: pollId },
        vote: { encPayload: Buffer.from(vote.encPayload!).toString('base64'), encIv: Buffer.from(vote.encIv!).toString('base64') },
        senderTimestampMs: Date.now(),
      },
    });
    expect((await poll('vote at wad', () => atWad(voteId)))!.data).toMatchObject({ type: 'poll-vote', vote: { poll: { id: pollId }, options: ['sushi'] } });
    const tally = await poll('tally', () => wad.events('message:updated').find((e) => e.data.messageId === pollId));
    expect(tally.data.poll).toEqual({ tally: [{ option: 'pizza', votes: 0, voters: [] }, { option: 'sushi', votes: 1, voters: [to] }] });
  });

  it('we decode each kind the phone sends', async () => {
    const me = `${W}@s.whatsapp.net`;
    const baseId = await fromPhone({ conversation: 'from the phone' });
    expect((await poll('phone text', () => atWad(baseId)))!.data).toMatchObject({ type: 'text', content: 'from the phone', sender: to });
    const key = { remoteJid: me, fromMe: true, id: baseId };
    const checks: Array<[Record<string, unknown>, Record<string, unknown>]> = [
      [{ extendedTextMessage: { text: 'quoting you', contextInfo: { stanzaId: baseId, participant: to, quotedMessage: { conversation: 'from the phone' }, mentionedJid: [me] } } },
        { type: 'text', content: 'quoting you', quoted: { id: baseId }, mentions: [me] }],
      [{ extendedTextMessage: { text: 'look https://y.example', matchedText: 'https://y.example', title: 'Y', description: 'why' } },
        { type: 'text', linkPreview: { matchedText: 'https://y.example', title: 'Y', description: 'why' } }],
      [{ locationMessage: { degreesLatitude: -33.86, degreesLongitude: 151.21, name: 'Sydney', address: 'NSW' } }, { type: 'location', location: { latitude: -33.86, longitude: 151.21, name: 'Sydney', address: 'NSW' } }],
      [{ contactMessage: { displayName: 'Dan', vcard: 'BEGIN:VCARD\nFN:Dan\nEND:VCARD' } }, { type: 'contact', contacts: [{ displayName: 'Dan', vcard: 'BEGIN:VCARD\nFN:Dan\nEND:VCARD' }] }],
      [{ contactsArrayMessage: { displayName: 'two', contacts: [{ displayName: 'E', vcard: 'e' }, { displayName: 'F', vcard: 'f' }] } }, { type: 'contacts', contacts: [{ displayName: 'E', vcard: 'e' }, { displayName: 'F', vcard: 'f' }] }],
      [{ pollCreationMessageV3: { name: 'tea?', options: [{ optionName: 'yes' }, { optionName: 'no' }], selectableOptionsCount: 1 }, messageContextInfo: { messageSecret: randomBytes(32).toString('base64') } },
        { type: 'poll', poll: { name: 'tea?', options: ['yes', 'no'], selectableCount: 1 } }],
      [{ reactionMessage: { key, text: '❤️', senderTimestampMs: Date.now() } }, { type: 'reaction', reaction: { target: { id: baseId }, emoji: '❤️' } }],
      [{ viewOnceMessageV2: { message: { imageMessage: { mimetype: 'image/jpeg', caption: 'once only', viewOnce: true } } } }, { type: 'image', viewOnce: true, content: 'once only' }],
      [{ protocolMessage: { type: 'EPHEMERAL_SETTING', ephemeralExpiration: 86400 } }, { type: 'disappearing', disappearing: { expiration: 86400 } }],
    ];
    const ids: string[] = [];
    for (const [message, expected] of checks) {
      const id = await fromPhone(message);
      ids.push(id);
      expect((await poll(Object.keys(message).join(','), () => atWad(id)))!.data).toMatchObject(expected);
    }
    // We vote on the phone's poll: the phone gets a vote WhatsApp's way (checked with Baileys' decryptor), and our tally counts it.
    const teaIndex = checks.findIndex(([m]) => 'pollCreationMessageV3' in m);
    const teaId = ids[teaIndex]!;
    const teaSecret = Buffer.from((checks[teaIndex]![0] as { messageContextInfo: { messageSecret: string } }).messageContextInfo.messageSecret, 'base64');
    const { messageId: voteId } = await d.sendMessage('wad', to, { type: 'poll-vote', pollId: teaId, options: ['no'] });
    const voteAtPhone = await atPhone(voteId);
    expect(voteAtPhone.type).toBe('poll-vote');
    const update = voteAtPhone.message.pollUpdateMessage;
    expect(update.pollCreationMessageKey).toMatchObject({ id: teaId, fromMe: false, remoteJid: to });
    const picked = decryptBaileysPollVote(
      { encPayload: Buffer.from(update.vote.encPayload, 'base64'), encIv: Buffer.from(update.vote.encIv, 'base64') },
      { pollCreatorJid: to, pollMsgId: teaId, pollEncKey: teaSecret, voterJid: me },
    );
    expect(picked.selectedOptions.map((h) => Buffer.from(h).toString('hex'))).toEqual([createHash('sha256').update('no').digest('hex')]);
    const ourTally = await poll('our tally', () => wad.events('message:updated').find((e) => e.data.messageId === teaId));
    expect(ourTally.data.poll).toEqual({ tally: [{ option: 'yes', votes: 0, voters: [] }, { option: 'no', votes: 1, voters: [me] }] });
    await expect(d.sendMessage('wad', to, { type: 'poll-vote', pollId: teaId, options: ['maybe'] })).rejects.toMatchObject({ code: 'INVALID_PAYLOAD' });
    await expect(d.sendMessage('wad', to, { type: 'poll-vote', pollId: 'NOPOLL', options: ['no'] })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // A kind wad does not decode arrives whole, as raw bytes, never dropped.
    const eventId = await fromPhone({ eventMessage: { name: 'standup', description: 'daily', startTime: 1_900_000_000 } });
    expect((await poll('event', () => atWad(eventId)))!.data).toMatchObject({ type: 'event', event: { name: 'standup', description: 'daily', startTime: 1_900_000_000 } });
    const snapshotId = await fromPhone({ pollResultSnapshotMessage: { name: 'standup', pollVotes: [{ optionName: 'daily', optionVoteCount: 2 }] } });
    const raw = (await poll('unknown kind', () => atWad(snapshotId)))!.data as { type: string; raw: string };
    expect(raw.type).toBe('unknown');
    expect(proto.Message.decode(Buffer.from(raw.raw, 'base64')).pollResultSnapshotMessage).toMatchObject({ name: 'standup' });
    await fromPhone({ protocolMessage: { type: 'MESSAGE_EDIT', key, editedMessage: { conversation: 'edited on the phone' }, timestampMs: Date.now() } });
    await poll('edit', () => wad.events('message:updated').find((e) => e.data.messageId === baseId && e.data.content === 'edited on the phone'));
    await fromPhone({ protocolMessage: { type: 'REVOKE', key } });
    await poll('revoke', () => wad.events('message:deleted').find((e) => e.data.messageId === baseId));
  });
});

describe('retries', () => {
  it('we fail to decrypt: retry receipt, Baileys resends, we decode it once', async () => {
    failNext = 1;
    const before = wad.messaging.stats().retryReceiptsSent!;
    const m = await baileys.sock!.sendMessage(`${W}@s.whatsapp.net`, { text: 'retry me' });
    // An app gives Baileys its sent messages back through getMessage (the harness looks in `received`).
    baileys.received.push(m!);
    const e = await poll('resent', () => atWad(m!.key.id!));
    expect(e.data.content).toBe('retry me');
    expect(wad.messaging.stats().retryReceiptsSent).toBe(before + 1);
    expect(wad.events('message:new').filter((x) => x.data.id === m!.key.id)).toHaveLength(1);
  });

  it('Baileys fails to decrypt: its retry receipt makes us resend, and it decodes', async () => {
    // Baileys loses every session (as after a restore): our next `msg` cannot be decrypted there.
    for (const k of [...baileys.auth.keys.keys()]) if (k.startsWith('session:')) baileys.auth.keys.delete(k);
    const before = wad.messaging.stats().retryResends!;
    const { messageId } = await wad.messaging.send(`${B}@s.whatsapp.net`, { type: 'text', content: 'after a lost session' });
    // Baileys first upserts a placeholder for what it could not decrypt; the resend brings the content
    // (an extendedTextMessage: the chat has a disappearing timer since the tests above).
    const got = await baileys.waitFor(() => baileys.received.find((m) => m.key.id === messageId && textOf(m)), 'resend at Baileys');
    expect(textOf(got)).toBe('after a lost session');
    expect(wad.messaging.stats().retryResends).toBeGreaterThan(before);
  });
});
