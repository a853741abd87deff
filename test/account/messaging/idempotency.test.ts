// Sends under an idempotency key, between two of our accounts through the
// simulator's router: one message per key whatever the caller repeats —
// concurrently, after the answer, after a restart of the account (nothing
// kept in memory), after an ack that never came (the same message id again,
// which the receiver drops as a duplicate if it had it); a refused send is
// forgotten; an ack timeout says the message may have been delivered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessagingError } from '../../../src/account/messaging/index.js';
import { World, type TestAccount } from './world.js';

let world: World;
let alice: TestAccount;
let bob: TestAccount;

beforeAll(async () => {
  world = new World();
  alice = await world.account('15550003001', { ackTimeoutMs: 400 });
  bob = await world.account('15550003002');
});
afterAll(() => world.close());

const until = <T>(probe: () => T | undefined | false, what: string): Promise<T> => world.until(probe, what, 400);
/** The message stanzas alice sent with this id. */
const stanzas = (id: string) => alice.sent.filter((n) => n.tag === 'message' && n.attrs.id === id).length;
/** message:new events at bob with this id. */
const atBob = (id: string) => bob.events('message:new').filter((e) => e.data.id === id).length;
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as MessagingError);

describe('idempotent sends', () => {
  it('a repeated key answers the first id and sends nothing, also after a restart', async () => {
    const first = await alice.messaging.send(bob.userJid, { type: 'text', content: 'once' }, { idempotencyKey: 'order-1' });
    const again = await alice.messaging.send(bob.userJid, { type: 'text', content: 'once' }, { idempotencyKey: 'order-1' });
    await alice.restartMessaging();
    const afterRestart = await alice.messaging.send(bob.userJid, { type: 'text', content: 'once' }, { idempotencyKey: 'order-1' });
    expect(again).toEqual(first);
    expect(afterRestart).toEqual(first);
    await until(() => atBob(first.messageId) === 1, 'the message at bob');
    expect(stanzas(first.messageId)).toBe(1);
  });

  it('a repeat while the first runs waits for its result; another key is another message', async () => {
    const [a, b, c] = await Promise.all([
      alice.messaging.send(bob.userJid, { type: 'text', content: 'concurrent' }, { idempotencyKey: 'order-2' }),
      alice.messaging.send(bob.userJid, { type: 'text', content: 'concurrent' }, { idempotencyKey: 'order-2' }),
      alice.messaging.send(bob.userJid, { type: 'text', content: 'concurrent' }, { idempotencyKey: 'order-3' }),
    ]);
    expect(b).toEqual(a);
    expect(c.messageId).not.toBe(a.messageId);
    expect(stanzas(a.messageId)).toBe(1);
    await until(() => atBob(a.messageId) === 1 && atBob(c.messageId) === 1, 'both messages at bob');
  });

  it('a key used for another chat is refused', async () => {
    await alice.messaging.send(bob.userJid, { type: 'text', content: 'to bob' }, { idempotencyKey: 'order-4' });
    expect(await failure(alice.messaging.send(alice.userJid, { type: 'text', content: 'to me' }, { idempotencyKey: 'order-4' }))).toMatchObject({ code: 'KEY_REUSED' });
  });

  it('an ack that never came: ACK_TIMEOUT says it may have been delivered; the retry sends the same id, delivered once', async () => {
    alice.dropAcks = true;
    const err = await failure(alice.messaging.send(bob.userJid, { type: 'text', content: 'ack lost' }, { idempotencyKey: 'order-5' }));
    alice.dropAcks = false;
    expect(err).toBeInstanceOf(MessagingError);
    expect(err).toMatchObject({ code: 'ACK_TIMEOUT', mayHaveBeenDelivered: true, messageId: expect.any(String) });
    const id = err!.messageId!;
    // The server had routed it: bob has it.
    await until(() => atBob(id) === 1, 'the first copy at bob');
    // As after a crash: nothing in memory, only the store.
    await alice.restartMessaging();
    expect(await alice.messaging.send(bob.userJid, { type: 'text', content: 'ack lost' }, { idempotencyKey: 'order-5' })).toEqual({ messageId: id });
    expect(stanzas(id)).toBe(2);
    // Bob received the same id twice and kept one.
    await until(() => bob.received.filter((n) => n.tag === 'message' && n.attrs.id === id).length === 2, 'the second copy at bob');
    await world.settle();
    expect(atBob(id)).toBe(1);
    // Acked now: a further repeat sends nothing.
    await alice.messaging.send(bob.userJid, { type: 'text', content: 'ack lost' }, { idempotencyKey: 'order-5' });
    expect(stanzas(id)).toBe(2);
  });

  it('a stanza lost on the way is completed under the same id by the retry', async () => {
    alice.drop.add('message');
    const err = await failure(alice.messaging.send(bob.userJid, { type: 'text', content: 'lost' }, { idempotencyKey: 'order-6' }));
    alice.drop.delete('message');
    expect(err).toMatchObject({ code: 'ACK_TIMEOUT', mayHaveBeenDelivered: true });
    const id = err!.messageId!;
    expect(await alice.messaging.send(bob.userJid, { type: 'text', content: 'lost' }, { idempotencyKey: 'order-6' })).toEqual({ messageId: id });
    await until(() => atBob(id) === 1, 'the message at bob');
  });

  it('a send the server refused is forgotten: the retry is a new message', async () => {
    alice.ackError = '479';
    const err = await failure(alice.messaging.send(bob.userJid, { type: 'text', content: 'refused' }, { idempotencyKey: 'order-7' }));
    alice.ackError = undefined;
    expect(err).toMatchObject({ code: 'SERVER_REJECTED', mayHaveBeenDelivered: false });
    const retry = await alice.messaging.send(bob.userJid, { type: 'text', content: 'refused' }, { idempotencyKey: 'order-7' });
    expect(retry.messageId).not.toBe(err!.messageId);
    await until(() => atBob(retry.messageId) === 1, 'the retry at bob');
  });

  it('a reaction under a key is sent once too', async () => {
    const { messageId: target } = await alice.messaging.send(bob.userJid, { type: 'text', content: 'react to me' });
    const r1 = await alice.messaging.send(bob.userJid, { type: 'reaction', messageId: target, emoji: '👍' }, { idempotencyKey: 'react-1' });
    const r2 = await alice.messaging.send(bob.userJid, { type: 'reaction', messageId: target, emoji: '👍' }, { idempotencyKey: 'react-1' });
    expect(r2).toEqual(r1);
    expect(stanzas(r1.messageId)).toBe(1);
  });
});
