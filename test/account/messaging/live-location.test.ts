// Live location updates between two of our accounts through the simulator's
// router: each update's number is one more than the share's last, given
// when its turn in the chat's send queue comes, so updates asked for at the
// same instant never share one; and the number is stored before the server
// acks the update, so an update whose ack never came is not numbered again
// after a restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessagingError } from '../../../src/account/messaging/index.js';
import { World, type TestAccount } from './world.js';

let world: World;
let alice: TestAccount;
let bob: TestAccount;

beforeAll(async () => {
  world = new World();
  alice = await world.account('15550024101', { ackTimeoutMs: 400 });
  bob = await world.account('15550024102');
});
afterAll(() => world.close());

const until = <T>(probe: () => T | undefined | false, what: string): Promise<T> => world.until(probe, what, 400);
/** The sequence numbers of the share's updates as bob decoded them, in the order they reached him. */
const numbersAtBob = (share: string): number[] =>
  bob
    .events('message:new')
    .filter((e) => e.data.type === 'live-location' && (e.data.quoted as { id?: string } | undefined)?.id === share)
    .map((e) => (e.data.liveLocation as { sequenceNumber: number }).sequenceNumber);
const update = (share: string, latitude: number) => alice.messaging.send(bob.userJid, { type: 'live-location', messageId: share, latitude, longitude: 2 });

describe('live location update numbers', () => {
  it('updates asked for at once get distinct numbers, increasing in the order bob receives them', async () => {
    const { messageId: share } = await alice.messaging.send(bob.userJid, { type: 'live-location', latitude: 1, longitude: 2 });
    const first = await until(() => bob.newMessage(share), 'the share at bob');
    expect(first.data).toMatchObject({ type: 'live-location', liveLocation: { sequenceNumber: 1 } });
    const sent = await Promise.all(Array.from({ length: 6 }, (_, i) => update(share, 10 + i)));
    expect(new Set(sent.map((s) => s.messageId)).size).toBe(6);
    await until(() => numbersAtBob(share).length === 6, 'six updates at bob');
    expect(numbersAtBob(share)).toEqual([2, 3, 4, 5, 6, 7]);
    // The next one, later, counts on from the last.
    await update(share, 20);
    await until(() => numbersAtBob(share).length === 7, 'the seventh update at bob');
    expect(numbersAtBob(share).at(-1)).toBe(8);
  });

  it('an update whose ack never came keeps its number: after a restart the next one has the one after', async () => {
    const { messageId: share } = await alice.messaging.send(bob.userJid, { type: 'live-location', latitude: 3, longitude: 4 });
    await until(() => bob.newMessage(share), 'the share at bob');
    alice.dropAcks = true;
    const err = await update(share, 5).then(
      () => undefined,
      (e: unknown) => e,
    );
    alice.dropAcks = false;
    expect(err).toBeInstanceOf(MessagingError);
    expect(err).toMatchObject({ code: 'ACK_TIMEOUT' });
    await until(() => numbersAtBob(share).length === 1, 'the unacked update at bob');
    // As after a crash: nothing in memory, only the store.
    await alice.restartMessaging();
    await update(share, 6);
    await until(() => numbersAtBob(share).length === 2, 'the next update at bob');
    expect(numbersAtBob(share)).toEqual([2, 3]);
  });

  it('an update of a share that is not ours is refused before anything is sent', async () => {
    const messages = () => alice.sent.filter((n) => n.tag === 'message').length;
    const before = messages();
    await expect(update('NOSUCHSHARE', 1)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(messages()).toBe(before);
  });
});
