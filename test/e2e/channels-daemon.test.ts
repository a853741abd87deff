// Channels end to end: the daemon over its control socket against the simulator, with a Baileys 7
// client as the other side.
// - a channel we create (newsletter:create) is followed by Baileys, which receives our post;
// - we follow a channel Baileys created (found by its invite code) and receive its post as
//   message:new with the channel as chat and the server's serverId; Baileys' reaction to our post
//   reaches us as message:updated with the counts; newsletter:list shows both channels.
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getHttpStream } from 'baileys';
import type { TypedWadEvent } from '../../src/contract/events.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WadClient } from '../../src/client/index.js';
import type { Daemon } from '../../src/daemon/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { textOf, type BaileysClient } from '../sim/baileys-harness.js';
import { mediaDispatcher } from '../sim/media-redirect.js';
import { until } from '../ipc/e2e-support.js';
import { baileysWorld, type BaileysWorld } from './support/baileys-world.js';
import { runCli } from './support/cli-capture.js';
import { runChannel } from '../../src/cli/channel.js';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'; // Baileys' upload takes no CA; the daemon trusts the sim's CA file

const W = '15550191001';
const B = '15550191002';

let world: BaileysWorld;
let s: SimHandle;
let d: Daemon;
let wad: WadClient;
let baileys: BaileysClient;
let events: TypedWadEvent[];

/** Runs `wad channel <args>` in this process against the daemon's socket, capturing what it prints. */
const wadChannel = (...args: string[]) => runCli(runChannel, d.socketPath, args);

beforeAll(async () => {
  world = await baileysWorld({
    prefix: 'wad-e2e-channels-',
    phones: [
      { phone: W, name: 'Wad' },
      { phone: B, name: 'Bailey' },
    ],
    accounts: [{ id: 'w', phone: W }],
    baileys: { id: 'b', phone: B },
    subscribe: { types: ['message:new', 'message:updated'] },
  });
  ({ sim: s, daemon: d, wad, baileys, events } = world);
}, 90_000);

afterAll(async () => {
  await world?.close();
});

describe('channels', () => {
  it('a channel we create is followed by Baileys, which receives our post and reacts to it', async () => {
    const created = await wad.createChannel('w', 'Wad news', 'from the daemon');
    expect(created).toMatchObject({ name: 'Wad news', description: 'from the daemon', role: 'owner', subscribers: 0 });
    await baileys.sock!.newsletterFollow(created.jid);
    const meta = await wad.channelMetadata('w', `https://whatsapp.com/channel/${created.invite}`);
    expect(meta).toMatchObject({ jid: created.jid, subscribers: 1 });
    const messageId = await wad.sendText('w', created.jid, 'hello followers');
    const post = await baileys.waitFor(() => baileys.received.find((m) => m.key.remoteJid === created.jid), 'our post at Baileys');
    expect(textOf(post)).toBe('hello followers');
    expect(post.key.id).toBe(messageId);
    const serverId = (post.key as { server_id?: string }).server_id!;
    await baileys.sock!.newsletterReactMessage(created.jid, serverId, '🎉');
    const counted = await until('reaction counts', () => events.find((e) => e.type === 'message:updated' && e.conversationId === created.jid));
    expect(counted.data).toMatchObject({ chat: created.jid, messageId, serverId, reactions: { '🎉': 1 } });
  });

  it('we follow a channel Baileys created and receive its posts', async () => {
    const theirs = await baileys.sock!.newsletterCreate('Bailey daily');
    const found = await wad.channelMetadata('w', theirs.invite!);
    expect(found).toMatchObject({ jid: theirs.id, name: 'Bailey daily', role: 'guest' });
    await wad.followChannel('w', theirs.id);
    await baileys.sock!.sendMessage(theirs.id, { text: 'daily post' });
    const got = await until('their post', () => events.find((e) => e.type === 'message:new' && e.conversationId === theirs.id));
    expect(got.data).toMatchObject({ chat: theirs.id, sender: theirs.id, fromMe: false, type: 'text', content: 'daily post', serverId: '100' });
    const newsletters = await wad.listChannels('w');
    expect(newsletters.map((n) => [n.name, n.role])).toEqual([
      ['Wad news', 'owner'],
      ['Bailey daily', 'subscriber'],
    ]);
    await expect(wad.followChannel('w', '1203630000000@newsletter')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('wad channel: create, info by invite link, post, list, react to their post, unfollow; mistakes are usage errors', async () => {
    const made = await wadChannel('create', 'w', 'CLI news', '--description', 'typed', '--json');
    expect(made.code, made.err).toBe(0);
    const mine = JSON.parse(made.out) as { jid: string; invite: string };
    await baileys.sock!.newsletterFollow(mine.jid);
    const info = await wadChannel('info', 'w', `https://whatsapp.com/channel/${mine.invite}`);
    expect(info, info.err).toMatchObject({ code: 0, out: `${mine.jid}  CLI news  (1 followers, owner)\nhttps://whatsapp.com/channel/${mine.invite}\ntyped\n` });
    const posted = await wadChannel('post', 'w', mine.jid, 'typed', 'at', 'the', 'prompt');
    expect(posted.code, posted.err).toBe(0);
    const post = await baileys.waitFor(() => baileys.received.find((m) => m.key.id === posted.out.trim()), 'the CLI post at Baileys');
    expect(textOf(post)).toBe('typed at the prompt');
    const list = await wadChannel('list', 'w');
    expect(list.out).toContain(`${mine.jid.padEnd(32)} owner      CLI news\n`);
    // Their channel (followed in the test before): react to its post, see the count come back.
    const theirPost = events.find((e) => e.type === 'message:new' && e.data['content'] === 'daily post')!;
    const reacted = await wadChannel('react', 'w', theirPost.conversationId!, String(theirPost.data['id']), '👍');
    expect(reacted.code, reacted.err).toBe(0);
    const counted = await until('our reaction counted', () => events.find((e) => e.type === 'message:updated' && e.conversationId === theirPost.conversationId && (e.data['reactions'] as Record<string, number>)['👍'] === 1));
    expect(counted.data).toMatchObject({ messageId: theirPost.data['id'], serverId: '100' });
    const unfollowed = await wadChannel('unfollow', 'w', theirPost.conversationId!);
    expect(unfollowed).toMatchObject({ code: 0, out: `${theirPost.conversationId} unfollowed\n` });
    expect((await wad.listChannels('w')).map((c) => c.jid)).not.toContain(theirPost.conversationId);
    const noText = await wadChannel('post', 'w', mine.jid);
    const badJid = await wadChannel('follow', 'w', '12345@g.us');
    const unknown = await wadChannel('frobnicate', 'w');
    expect(noText).toMatchObject({ code: 2, err: 'wad channel post: nothing to post: give a text (not empty) or --file PATH\n' });
    expect(badJid).toMatchObject({ code: 2, err: "wad channel follow: '12345@g.us' is not a channel jid (digits@newsletter)\n" });
    expect(unknown.code).toBe(2);
  });

  it('channel media is unencrypted both ways: our image post downloads at Baileys by its hash, a Baileys image post through media:download', async () => {
    const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('base64');
    const pictures = await wad.createChannel('w', 'Wad pictures');
    await baileys.sock!.newsletterFollow(pictures.jid);
    const image = randomBytes(40_000);
    const imageId = await wad.sendFile('w', pictures.jid, { bytes: image, fileName: 'shot.jpg' }, { caption: 'our picture' });
    const got = await baileys.waitFor(() => baileys.received.find((m) => m.key.id === imageId), 'our image post at Baileys');
    const posted = got.message!.imageMessage!;
    // No media key, no blob hash: the file itself, checked by its SHA-256.
    expect(posted).toMatchObject({ caption: 'our picture', mimetype: 'image/jpeg', directPath: expect.stringMatching(/^\/v\/t62\/newsletter-image\//) });
    expect(posted.mediaKey ?? undefined).toBeUndefined();
    expect(Buffer.from(posted.fileSha256!).toString('base64')).toBe(sha(image));
    expect(Number(posted.fileLength)).toBe(image.length);
    // Baileys' downloadMediaMessage insists on a media key; a follower fetches the file as WhatsApp serves it.
    const chunks: Buffer[] = [];
    for await (const c of await getHttpStream(posted.url!, { dispatcher: mediaDispatcher(s) } as never)) chunks.push(Buffer.from(c as Uint8Array));
    expect(Buffer.concat(chunks).equals(image)).toBe(true);
    // A document through the command line, and our own post's file back through the daemon.
    const doc = join(world.dir, 'notes.pdf');
    const docBytes = randomBytes(70_000);
    writeFileSync(doc, docBytes);
    const cli = await wadChannel('post', 'w', pictures.jid, '--file', doc, '--caption', 'the notes');
    expect(cli.code, cli.err).toBe(0);
    const docPost = await baileys.waitFor(() => baileys.received.find((m) => m.key.id === cli.out.trim()), 'the CLI document post');
    expect(docPost.message!.documentMessage).toMatchObject({ fileName: 'notes.pdf', caption: 'the notes', mimetype: 'application/pdf' });
    expect((await wad.downloadMedia('w', pictures.jid, cli.out.trim())).data!.equals(docBytes)).toBe(true);

    // Their channel's image post (Baileys uploads it unencrypted too) reaches us and downloads.
    const theirs = await baileys.sock!.newsletterCreate('Bailey pictures');
    await wad.followChannel('w', theirs.id);
    const photo = randomBytes(30_000);
    const sent = await baileys.sock!.sendMessage(theirs.id, { image: photo, caption: 'their picture', mimetype: 'image/jpeg' });
    const ev = await until('their image post', () => events.find((e) => e.type === 'message:new' && e.data['id'] === sent!.key.id));
    expect(ev.data).toMatchObject({ chat: theirs.id, type: 'image', content: 'their picture', serverId: expect.any(String), media: { fileSha256: sha(photo), fileLength: photo.length } });
    expect((ev.data['media'] as Record<string, unknown>)['mediaKey']).toBeUndefined();
    const file = await wad.downloadMedia('w', theirs.id, String(ev.data['id']));
    expect(file).toMatchObject({ type: 'image', mimeType: 'image/jpeg', fileLength: photo.length });
    expect(file.data!.equals(photo)).toBe(true);
  });
});
