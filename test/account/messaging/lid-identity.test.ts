// LIDs and identities (field lessons 1 and 3; issue 7 item 6): sending to a
// contact's LID, the canonical chat id, sessions kept under the LID only,
// "message yourself", and a contact who reinstalls: we are told, the
// sessions are rebuilt, and no message is lost in either direction.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityName } from '../../../src/store/index.js';
import { World, type TestAccount } from './world.js';

let world: World;
let alice: TestAccount;
let alice2: TestAccount;
let bob: TestAccount;
let carol: TestAccount;

beforeAll(async () => {
  world = new World();
  alice = await world.account('15550003001');
  alice2 = await world.account('15550003001', { device: 2 });
  bob = await world.account('15550003002');
  carol = await world.account('15550003003');
});
afterAll(() => world.close());

const until = <T>(probe: () => T | undefined | false, what: string): Promise<T> => world.until(probe, what, 300);
const got = (a: TestAccount, id: string) => a.newMessage(id);
const lidOf = (a: TestAccount) => `${a.user.lidUser}@lid`;

describe('LID-addressed chats', () => {
  it('the LID is learned from the envelope; sessions live under the LID only; the chat id stays the PN', async () => {
    const { messageId } = await bob.messaging.send(alice.userJid, { type: 'text', content: 'hi' });
    await until(() => got(alice, messageId), 'first message');
    // The envelope's sender_lid taught the mapping: PN and LID are one identity, one lock key.
    expect(await alice.store.lids.lidForPn(bob.phone)).toBe(bob.user.lidUser);
    const viaPn = await alice.store.signalAddress(`${bob.phone}:1@s.whatsapp.net`);
    const viaLid = await alice.store.signalAddress(`${bob.user.lidUser}:1@lid`);
    expect(identityName(viaPn)).toBe(identityName(viaLid));
    expect(viaPn.server).toBe('lid');
    expect(await alice.store.sessions.get(viaLid)).toBeDefined();
    expect(await alice.messaging.canonicalChat(lidOf(bob))).toBe(bob.userJid);
  });

  it('a send to the contact’s LID reaches them, and the chat is the PN one on both sides', async () => {
    const { messageId } = await alice.messaging.send(lidOf(bob), { type: 'text', content: 'to your lid' });
    const e = await until(() => got(bob, messageId), 'LID send');
    expect(e.data).toMatchObject({ chat: alice.userJid, content: 'to your lid' });
    const copy = await until(() => got(alice2, messageId), 'own copy');
    expect(copy.data.chat).toBe(bob.userJid);
  });

  it('our own copy of a send to a LID teaches our other device the peer’s number, and only the peer’s', async () => {
    expect(await alice2.store.lids.lidForPn(carol.phone)).toBeUndefined();
    const { messageId } = await alice.messaging.send(lidOf(carol), { type: 'text', content: 'to carol’s lid' });
    await until(() => got(carol, messageId), 'LID send to carol');
    const copy = await until(() => got(alice2, messageId), 'own copy of the LID send');
    // The copy named carol by LID with her number beside it (peer_recipient_pn): that pair is hers.
    expect(await alice2.store.lids.lidForPn(carol.phone)).toBe(carol.user.lidUser);
    expect(await alice2.store.lids.lidForPn(alice.phone)).not.toBe(carol.user.lidUser);
    expect(copy.data).toMatchObject({ chat: carol.userJid, fromMe: true });
  });

  it('message yourself: our other devices get it as fromMe in our own chat', async () => {
    expect(alice.messaging.isOwnChat(lidOf(alice))).toBe(true);
    expect(alice.messaging.isOwnChat(alice.userJid)).toBe(true);
    expect(alice.messaging.isOwnChat(bob.userJid)).toBe(false);
    const { messageId } = await alice.messaging.send(alice.userJid, { type: 'text', content: 'note to self' });
    const e = await until(() => got(alice2, messageId), 'self chat');
    expect(e.data).toMatchObject({ chat: alice.userJid, fromMe: true, content: 'note to self' });
    expect(alice2.messaging.isOwnChat(String(e.data.chat))).toBe(true);
  });
});

describe('a contact reinstalls', () => {
  it('their new identity is reported, sessions are rebuilt, and no message is lost either way', async () => {
    const { messageId: before } = await alice.messaging.send(carol.userJid, { type: 'text', content: 'before' });
    await until(() => got(carol, before), 'before');
    // Carol reinstalls: same device, new identity key, nothing stored.
    carol.offline();
    const carolNew = await world.account(carol.phone, { device: 1 });
    // Our message to the reinstalled device is encrypted for the old session: it fails there, asks again, and arrives.
    const { messageId: after } = await alice.messaging.send(carol.userJid, { type: 'text', content: 'after reinstall' });
    const e = await until(() => got(carolNew, after), 'message after the reinstall');
    expect(e.data.content).toBe('after reinstall');
    // Carol's first message from the new identity is accepted and reported.
    const { messageId: back } = await carolNew.messaging.send(alice.userJid, { type: 'text', content: 'I am back' });
    await until(() => got(alice, back), 'message from the new identity');
    const report = alice.events('account:status').find((x) => x.data.kind === 'identity-changed' && x.data.jid === carol.userJid);
    expect(report).toBeDefined();
    // And both directions keep working.
    const { messageId: again } = await alice.messaging.send(carol.userJid, { type: 'text', content: 'again' });
    await until(() => got(carolNew, again), 'again');
  });

  it('an identity notification rebuilds our sessions with the contact before the next message', async () => {
    const before = bob.sent.filter((n) => n.tag === 'iq' || n.attrs.xmlns === 'encrypt').length;
    void before;
    await bob.messaging.handlers.find((h) => h.tags.includes('notification'))!.handle({
      tag: 'notification',
      attrs: { from: alice.userJid, type: 'encrypt', id: 'n1', t: '1' },
      content: [{ tag: 'identity', attrs: {} }],
    });
    const status = bob.events('account:status').find((x) => x.data.kind === 'identity-changed' && x.data.jid === alice.userJid);
    expect(status).toBeDefined();
    const { messageId } = await bob.messaging.send(alice.userJid, { type: 'text', content: 'after notification' });
    await until(() => got(alice, messageId), 'after notification');
  });
});
