// Two accounts of one daemon share the crypto pool but not their locks: while
// one account's identity lock for a contact and its sender-key lock for a
// group are held, the other account sends to and receives from that same
// contact and that same group, every send and every receive completing, and
// the held account's own send to the contact waits until its lock is let go.
// Measured by what completes while the lock is held, never by a clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityName } from '../../../src/store/index.js';
import { World, type TestAccount } from './world.js';

let world: World;
let held: TestAccount;
let free: TestAccount;
let contact: TestAccount;
let group: string;

beforeAll(async () => {
  world = new World();
  held = await world.account('15550003001');
  free = await world.account('15550003002');
  contact = await world.account('15550003003');
  group = (await held.messaging.createGroup('shared', [free.userJid, contact.userJid])).jid;
  // Sessions and sender keys exist both ways before the locks are taken.
  for (const a of [held, free]) {
    const { messageId } = await a.messaging.send(contact.userJid, { type: 'text', content: `hello from ${a.phone}` });
    await world.until(() => contact.newMessage(messageId), 'first 1:1');
    const { messageId: g } = await a.messaging.send(group, { type: 'text', content: `group hello from ${a.phone}` });
    await world.until(() => contact.newMessage(g), 'first group');
  }
});
afterAll(() => world.close());

/**
 * Polls without settling the world: World.until waits for every account to be
 * idle, and the held account is not (its handlers for the contact wait for
 * its lock too).
 */
async function until<T>(probe: () => T | undefined | false, what: string, tries = 2000): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Takes `account`'s lock on `key` and keeps it until the returned function is called. */
async function hold(account: TestAccount, key: string): Promise<() => void> {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let entered!: () => void;
  const inside = new Promise<void>((r) => (entered = r));
  void account.locks.run(key, async () => {
    entered();
    await gate;
  });
  await inside;
  return release;
}

describe('per-account locks', () => {
  it('one account sends to and receives from the same contact and group while the other holds its locks for them', async () => {
    const contactKey = identityName(await held.store.signalAddress(contact.userJid));
    const releaseContact = await hold(held, contactKey);
    const releaseGroup = await hold(held, `sk:${group}`);

    // The held account's own sends wait for its locks.
    let heldDone = 0;
    const heldSends = [
      held.messaging.send(contact.userJid, { type: 'text', content: 'waits for its lock' }).then((r) => (heldDone++, r)),
      held.messaging.send(group, { type: 'text', content: 'waits for its sender key' }).then((r) => (heldDone++, r)),
    ];

    // Meanwhile the other account: sends to the contact and the group, and receives from both.
    const N = 5;
    for (let i = 0; i < N; i++) {
      const { messageId: direct } = await free.messaging.send(contact.userJid, { type: 'text', content: `direct ${i}` });
      expect((await until(() => contact.newMessage(direct), `direct ${i} at the contact`)).data).toMatchObject({ content: `direct ${i}` });
      const { messageId: inGroup } = await free.messaging.send(group, { type: 'text', content: `group ${i}` });
      expect((await until(() => contact.newMessage(inGroup), `group ${i} at the contact`)).data).toMatchObject({ content: `group ${i}`, chat: group });
      const { messageId: back } = await contact.messaging.send(free.userJid, { type: 'text', content: `back ${i}` });
      expect((await until(() => free.newMessage(back), `back ${i} at the free account`)).data).toMatchObject({ content: `back ${i}` });
      const { messageId: groupBack } = await contact.messaging.send(group, { type: 'text', content: `group back ${i}` });
      expect((await until(() => free.newMessage(groupBack), `group back ${i} at the free account`)).data).toMatchObject({ content: `group back ${i}` });
    }
    // 4N round trips went through while the held account's two sends had not even started their crypto.
    for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
    expect(heldDone).toBe(0);
    expect(held.locks.size).toBeGreaterThanOrEqual(3);

    releaseContact();
    releaseGroup();
    const [direct, inGroup] = await Promise.all(heldSends);
    expect(heldDone).toBe(2);
    await world.until(() => contact.newMessage(direct.messageId), 'the held send, once released');
    await world.until(() => contact.newMessage(inGroup.messageId), 'the held group send, once released');
  });
});
