// 1:1 messaging between two of our accounts through the simulator's router:
// every kind both ways, own-device copies, receipts, order per chat, and
// the server's typed refusals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { World, type TestAccount } from './world.js';

let world: World;
let alice: TestAccount;
let alice2: TestAccount;
let bob: TestAccount;

beforeAll(async () => {
  world = new World();
  alice = await world.account('15550001001');
  alice2 = await world.account('15550001001', { device: 2 });
  bob = await world.account('15550001002');
});
afterAll(() => world.close());

const until = <T>(probe: () => T | undefined | false, what: string): Promise<T> => world.until(probe, what, 200);

const newOf = (a: TestAccount, id: string) => a.newMessage(id);

describe('1:1 between two accounts', () => {
  it('a text arrives once, decoded, and our other device gets its copy', async () => {
    const { messageId } = await alice.messaging.send(bob.userJid, { type: 'text', content: 'hello bob' });
    const got = await until(() => newOf(bob, messageId), 'text at bob');
    expect(got.data).toMatchObject({ type: 'text', content: 'hello bob', chat: alice.userJid, sender: alice.userJid, fromMe: false });
    const copy = await until(() => newOf(alice2, messageId), 'copy at alice2');
    expect(copy.data).toMatchObject({ type: 'text', content: 'hello bob', chat: bob.userJid, fromMe: true });
    // Delivery receipt came back to alice.
    await until(() => alice.events('message:receipt').find((e) => (e.data.messageIds as string[]).includes(messageId)), 'receipt');
  });

  it('every kind sent is decoded by the other side', async () => {
    const { messageId: base } = await bob.messaging.send(alice.userJid, { type: 'text', content: 'base' });
    await until(() => newOf(alice, base), 'base');
    const sends: Array<[Parameters<typeof alice.messaging.send>[1], Record<string, unknown>]> = [
      [{ type: 'reply', content: 'a reply', quoted: base, mentions: [bob.userJid] }, { type: 'text', content: 'a reply', quoted: { id: base }, mentions: [bob.userJid] }],
      [{ type: 'text', content: 'link https://x.example', linkPreview: { url: 'https://x.example', title: 'X' } }, { type: 'text', linkPreview: { title: 'X' } }],
      [{ type: 'location', latitude: 52.5, longitude: 13.4, name: 'Berlin' }, { type: 'location', location: { latitude: 52.5, longitude: 13.4, name: 'Berlin' } }],
      [{ type: 'contact', displayName: 'Carol', vcard: 'BEGIN:VCARD\nFN:Carol\nEND:VCARD' }, { type: 'contact' }],
      [{ type: 'contacts', contacts: [{ displayName: 'A', vcard: 'v1' }, { displayName: 'B', vcard: 'v2' }] }, { type: 'contacts' }],
      [{ type: 'poll', name: 'lunch?', options: ['pizza', 'sushi'], selectableCount: 1 }, { type: 'poll', poll: { name: 'lunch?', options: ['pizza', 'sushi'], selectableCount: 1 } }],
      [{ type: 'text', content: 'disappearing text' }, { type: 'text', expiration: 86400 }],
      [{ type: 'disappearing', expiration: 86400 }, { type: 'disappearing', disappearing: { expiration: 86400 } }],
      [{ type: 'message', message: { imageMessage: { mimetype: 'image/jpeg', caption: 'once' } }, viewOnce: true }, { type: 'image', viewOnce: true, content: 'once' }],
      [{ type: 'message', message: { eventMessage: { name: 'party' } } }, { type: 'event' }],
    ];
    for (const [i, [content, expected]] of sends.entries()) {
      const { messageId } = await alice.messaging.send(bob.userJid, content, i === 6 ? { expiration: 86400 } : {});
      const got = await until(() => newOf(bob, messageId), `kind ${i}`);
      expect(got.data).toMatchObject(expected);
      if (expected.type === 'unknown') expect(typeof got.data.raw).toBe('string');
    }
    const { messageId: r } = await alice.messaging.react(bob.userJid, base, '👍');
    expect((await until(() => newOf(bob, r), 'reaction')).data).toMatchObject({ type: 'reaction', reaction: { target: { id: base }, emoji: '👍' } });
  });

  it('edit and revoke of our message become updated/deleted at the other side', async () => {
    const { messageId } = await alice.messaging.send(bob.userJid, { type: 'text', content: 'tpyo' });
    await until(() => newOf(bob, messageId), 'original');
    await alice.messaging.edit(bob.userJid, messageId, 'typo');
    const upd = await until(() => bob.events('message:updated').find((e) => e.data.messageId === messageId), 'edit');
    expect(upd.data).toMatchObject({ content: 'typo', edited: true });
    await alice.messaging.revoke(bob.userJid, messageId);
    await until(() => bob.events('message:deleted').find((e) => e.data.messageId === messageId), 'revoke');
  });

  it('poll votes are decrypted and tallied', async () => {
    const { encryptPollVote } = await import('../../../src/protocol/message/index.js');
    const { messageId: pollId } = await alice.messaging.send(bob.userJid, { type: 'poll', name: 'p?', options: ['x', 'y', 'z'] });
    const poll = await until(() => newOf(bob, pollId), 'poll');
    expect(poll.data.type).toBe('poll');
    // Bob votes with the poll's secret (kept in Alice's store), as a WhatsApp client would.
    const rec = await alice.store.messages.get(bob.userJid, pollId);
    const secret = ((rec!.poll as Record<string, unknown>).secret as Uint8Array);
    const vote = encryptPollVote(['y', 'z'], { pollId, creatorJid: alice.userJid, voterJid: bob.userJid, messageSecret: secret }, new Uint8Array(12).fill(3));
    const { messageId: voteId } = await bob.messaging.send(alice.userJid, {
      type: 'message',
      message: { pollUpdateMessage: { pollCreationMessageKey: { remoteJid: alice.userJid, fromMe: false, id: pollId }, vote, senderTimestampMs: 1 } },
    });
    const got = await until(() => newOf(alice, voteId), 'vote');
    expect(got.data).toMatchObject({ type: 'poll-vote', vote: { poll: { id: pollId }, options: ['y', 'z'] } });
    const tally = await until(() => alice.events('message:updated').find((e) => e.data.messageId === pollId), 'tally');
    expect(tally.data.poll).toEqual({ tally: [
      { option: 'x', votes: 0, voters: [] },
      { option: 'y', votes: 1, voters: [bob.userJid] },
      { option: 'z', votes: 1, voters: [bob.userJid] },
    ] });
    // Counting the vote kept the rest of the poll's record.
    expect(await alice.store.messages.get(bob.userJid, pollId)).toMatchObject({ type: 'poll', fromMe: true, votes: { [bob.userJid]: { options: ['y', 'z'] } } });
  });

  it('sends to one chat keep their order', async () => {
    const ids: string[] = [];
    await Promise.all(Array.from({ length: 20 }, async (_, i) => ids.push((await alice.messaging.send(bob.userJid, { type: 'text', content: `n${i}` })).messageId)));
    await until(() => ids.every((id) => newOf(bob, id)), 'all 20');
    const texts = bob.events('message:new').map((e) => e.data.content).filter((c) => typeof c === 'string' && /^n\d+$/.test(c));
    expect(texts).toEqual(Array.from({ length: 20 }, (_, i) => `n${i}`));
  });

  it('a redelivered message is acked and dropped, delivered once', async () => {
    const { messageId } = await alice.messaging.send(bob.userJid, { type: 'text', content: 'once' });
    const first = await until(() => bob.received.find((n) => n.tag === 'message' && n.attrs.id === messageId), 'stanza');
    bob.send(first);
    bob.send(first);
    await world.settle();
    expect(bob.events('message:new').filter((e) => e.data.id === messageId)).toHaveLength(1);
  });

  it('a contact’s disappearing timer applies to our next messages in that chat, across a restart, until turned off', async () => {
    const { messageId: set } = await bob.messaging.send(alice.userJid, { type: 'disappearing', expiration: 604800 });
    await until(() => newOf(alice, set), 'timer set');
    // The timer is in the store with the message that set it, not only in memory.
    await alice.restartMessaging();
    const { messageId } = await alice.messaging.send(bob.userJid, { type: 'text', content: 'vanishing' });
    expect((await until(() => newOf(bob, messageId), 'timed text')).data).toMatchObject({ content: 'vanishing', expiration: 604800 });
    const { messageId: off } = await bob.messaging.send(alice.userJid, { type: 'disappearing', expiration: 0 });
    await until(() => newOf(alice, off), 'timer off');
    const { messageId: plain } = await alice.messaging.send(bob.userJid, { type: 'text', content: 'staying' });
    expect((await until(() => newOf(bob, plain), 'plain text')).data.expiration).toBeUndefined();
  });

  it('mark-read and played receipts reach the sender as message:receipt with their status', async () => {
    const { messageId: a1 } = await alice.messaging.send(bob.userJid, { type: 'text', content: 'read me' });
    const { messageId: a2 } = await alice.messaging.send(bob.userJid, { type: 'text', content: 'and me' });
    await until(() => newOf(bob, a2), 'both');
    await bob.messaging.markRead(alice.userJid, [a1, a2]);
    const read = await until(() => alice.events('message:receipt').find((e) => e.data.status === 'read' && (e.data.messageIds as string[]).includes(a2)), 'read receipt');
    expect(read.data).toMatchObject({ messageIds: [a1, a2], status: 'read', by: bob.userJid, chat: bob.userJid });
    await bob.messaging.markRead(alice.userJid, [a1], 'played');
    await until(() => alice.events('message:receipt').find((e) => e.data.status === 'played' && (e.data.messageIds as string[]).includes(a1)), 'played receipt');
  });

  it('an ack whose participant hash differs from ours makes the device lists refresh', async () => {
    await alice.messaging.send(bob.userJid, { type: 'text', content: 'cached lists' });
    const before = alice.iqs.filter((x) => x === 'usync').length;
    await alice.messaging.send(bob.userJid, { type: 'text', content: 'still cached' });
    expect(alice.iqs.filter((x) => x === 'usync').length).toBe(before);
    alice.ackPhash = '2:AAAAAA';
    try {
      await alice.messaging.send(bob.userJid, { type: 'text', content: 'server sees other devices' });
    } finally {
      alice.ackPhash = undefined;
    }
    await alice.messaging.send(bob.userJid, { type: 'text', content: 'refetched' });
    expect(alice.iqs.filter((x) => x === 'usync').length).toBe(before + 1);
  });

  it('a refused send is a typed failure, never a silent success', async () => {
    await expect(alice.messaging.send('19999999999@s.whatsapp.net', { type: 'text', content: 'x' })).rejects.toMatchObject({ code: 'NO_DEVICES' });
    alice.ackError = '463';
    try {
      await expect(alice.messaging.send(bob.userJid, { type: 'text', content: 'no token' })).rejects.toMatchObject({ code: 'SERVER_REJECTED', serverCode: 463 });
    } finally {
      alice.ackError = undefined;
    }
    // A 463 gets one resend with a freshly obtained privacy token; refused again, the send fails.
    expect(alice.messaging.stats()).toMatchObject({ serverError463: 2, tcTokenResends: 1 });
    await expect(alice.messaging.send('not a jid', { type: 'text', content: 'x' })).rejects.toMatchObject({ code: 'BAD_JID' });
    await expect(alice.messaging.edit(bob.userJid, 'NOPE', 'x')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
