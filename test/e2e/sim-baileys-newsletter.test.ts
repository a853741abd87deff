/**
 * Channels between two Baileys 7 clients through the simulator: one creates
 * a channel (MEX create), the other finds it by its invite code, follows it
 * and receives its posts as plaintext messages numbered by the server;
 * after unfollowing it receives no more of them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textOf, twoBaileys, type TwoBaileys } from '../sim/baileys-harness.js';

let world: TwoBaileys;

beforeAll(async () => {
  world = await twoBaileys({ alice: '15550007001', bob: '15550007002' });
}, 60_000);

afterAll(async () => {
  await world?.close();
});

describe('a channel between two Baileys clients', () => {
  it('is created, found by invite, followed, and its posts reach the follower until it unfollows', async () => {
    const { alice, bob } = world;
    const created = await alice.sock!.newsletterCreate('Sim news', 'what happens in the simulator');
    expect(created.id).toMatch(/@newsletter$/);
    expect(created.name).toBe('Sim news');
    expect(created.description).toBe('what happens in the simulator');
    expect(created.mute_state).toBe('OFF');

    const byInvite = (await bob.sock!.newsletterMetadata('invite', created.invite!)) as unknown as Record<string, any>;
    expect(byInvite.id).toBe(created.id);
    expect(byInvite.viewer_metadata.role).toBe('GUEST');
    await bob.sock!.newsletterFollow(created.id);
    const followed = (await bob.sock!.newsletterMetadata('jid', created.id)) as unknown as Record<string, any>;
    expect(followed.viewer_metadata.role).toBe('SUBSCRIBER');
    expect(followed.thread_metadata.subscribers_count).toBe('1');

    // A follower may not post.
    await bob.sock!.sendMessage(created.id, { text: 'not mine to post' });
    await alice.sock!.sendMessage(created.id, { text: 'first post' });
    const post = await bob.waitFor(() => bob.received.find((m) => m.key.remoteJid === created.id), 'the first post');
    expect(textOf(post)).toBe('first post');
    expect((post.key as { server_id?: string }).server_id).toBe('100');
    expect(alice.received.filter((m) => m.key.remoteJid === created.id)).toEqual([]);

    // Unfollowed: the next post is not delivered, while a post of a channel still followed (sent after it) is.
    const other = await alice.sock!.newsletterCreate('Other news');
    await bob.sock!.newsletterFollow(other.id);
    await bob.sock!.newsletterUnfollow(created.id);
    await alice.sock!.sendMessage(created.id, { text: 'after unfollow' });
    await alice.sock!.sendMessage(other.id, { text: 'marker' });
    await bob.waitFor(() => bob.received.some((m) => m.key.remoteJid === other.id && textOf(m) === 'marker'), 'the marker post');
    expect(bob.received.filter((m) => m.key.remoteJid === created.id).map(textOf)).toEqual(['first post']);
    await expect(bob.sock!.newsletterUnfollow('1203630000000000@newsletter')).rejects.toThrow(/not found/);
  }, 60_000);
});
