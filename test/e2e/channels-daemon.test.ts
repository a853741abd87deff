// Channels end to end: the daemon over its control socket against the simulator, with a Baileys 7
// client as the other side.
// - a channel we create (newsletter:create) is followed by Baileys, which receives our post;
// - we follow a channel Baileys created (found by its invite code) and receive its post as
//   message:new with the channel as chat and the server's serverId; Baileys' reaction to our post
//   reaches us as message:updated with the counts; newsletter:list shows both channels.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WadClient } from '../../src/client/index.js';
import type { WadEvent } from '../../src/contract/api.js';
import type { NewsletterInfo } from '../../src/contract/newsletters.js';
import type { Daemon } from '../../src/daemon/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { BaileysClient, textOf } from '../sim/baileys-harness.js';
import { admin, daemonWithSocket, linkOverSocket, until } from '../ipc/e2e-support.js';
import { sim as startSim, tempDir } from './support/daemon.js';

const W = '15550191001';
const B = '15550191002';

let s: SimHandle;
let dir: Awaited<ReturnType<typeof tempDir>>;
let d: Daemon;
let wad: WadClient;
let baileys: BaileysClient;
const events: WadEvent[] = [];

beforeAll(async () => {
  s = await startSim();
  dir = await tempDir('wad-e2e-channels-');
  await admin(s, 'POST', '/phones', { phone: W, name: 'Wad' });
  await admin(s, 'POST', '/phones', { phone: B, name: 'Bailey' });
  d = await daemonWithSocket(s, dir.path);
  wad = await WadClient.connect({ socket: d.socketPath });
  await linkOverSocket(wad, s, 'w', W);
  const stream = wad.subscribe({ types: ['message:new', 'message:updated'] });
  void (async () => {
    for await (const ev of stream) events.push(ev);
  })();
  await stream.synced;
  baileys = new BaileysClient(s, 'b');
  await baileys.linkByQr(B);
}, 90_000);

afterAll(async () => {
  baileys?.kill();
  await wad?.close();
  await d?.stop();
  await s?.close();
  await dir?.remove();
});

describe('channels', () => {
  it('a channel we create is followed by Baileys, which receives our post and reacts to it', async () => {
    const created = (await wad.request('newsletter:create', { name: 'Wad news', description: 'from the daemon' }, { account: 'w' })) as unknown as NewsletterInfo;
    expect(created).toMatchObject({ name: 'Wad news', description: 'from the daemon', role: 'owner', subscribers: 0 });
    await baileys.sock!.newsletterFollow(created.jid);
    const meta = (await wad.request('newsletter:metadata', { invite: `https://whatsapp.com/channel/${created.invite}` }, { account: 'w' })) as unknown as NewsletterInfo;
    expect(meta).toMatchObject({ jid: created.jid, subscribers: 1 });
    const { messageId } = (await wad.request('message:send', { type: 'text', content: 'hello followers' }, { account: 'w', chat: created.jid })) as { messageId: string };
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
    const found = (await wad.request('newsletter:metadata', { invite: theirs.invite! }, { account: 'w' })) as unknown as NewsletterInfo;
    expect(found).toMatchObject({ jid: theirs.id, name: 'Bailey daily', role: 'guest' });
    await wad.request('newsletter:follow', { jid: theirs.id, action: 'follow' }, { account: 'w' });
    await baileys.sock!.sendMessage(theirs.id, { text: 'daily post' });
    const got = await until('their post', () => events.find((e) => e.type === 'message:new' && e.conversationId === theirs.id));
    expect(got.data).toMatchObject({ chat: theirs.id, sender: theirs.id, fromMe: false, type: 'text', content: 'daily post', serverId: '100' });
    const { newsletters } = (await wad.request('newsletter:list', {}, { account: 'w' })) as unknown as { newsletters: NewsletterInfo[] };
    expect(newsletters.map((n) => [n.name, n.role])).toEqual([
      ['Wad news', 'owner'],
      ['Bailey daily', 'subscriber'],
    ]);
    await expect(wad.request('newsletter:follow', { jid: '1203630000000@newsletter' }, { account: 'w' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
