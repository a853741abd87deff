// Our profile end to end: the daemon (control socket and HTTP) against the simulator, with a
// Baileys 7 client as the other party.
// - profile:set: Baileys reads our about (fetchStatus) and sees our new push name on our next message,
//   and our phone holds it in app state; a push name that is empty or too long is refused;
// - profile:picture: an 800x400 PNG becomes a 640x640 JPEG that Baileys fetches (profilePictureUrl),
//   set over the socket (binary upload), over HTTP (`wad profile picture --url`), removed (Baileys gets
//   404), and a group's picture set by its admin (a change by another admin reaches us as group:update);
// - Baileys' own about and picture changes reach us as contact:updated events.
import sharp from 'sharp';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WadClient, WadClientError } from '../../src/client/index.js';
import { runProfile } from '../../src/cli/profile.js';
import type { WadEvent } from '../../src/contract/api.js';
import type { Daemon } from '../../src/daemon/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { BaileysClient, textOf } from '../sim/baileys-harness.js';
import { admin, jidOf, linkOverSocket, until } from '../ipc/e2e-support.js';
import { daemonWithHttp, GLOBAL } from '../http/support.js';
import { captureCli } from './support/cli-capture.js';
import { recorder, sim as startSim, tempDir } from './support/daemon.js';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const W = '15550181001';
const B = '15550181002';

let s: SimHandle;
let dir: Awaited<ReturnType<typeof tempDir>>;
let d: Daemon;
let wad: WadClient;
let baileys: BaileysClient;
let rec: ReturnType<typeof recorder>;

/** Runs `wad profile <args>` in this process, capturing what it prints. */
const cli = (args: string[]) => captureCli(runProfile, args);

/** The picture Baileys fetches for `jid`, decoded; undefined when it gets none. */
async function pictureSeenByBaileys(jid: string): Promise<{ width?: number; height?: number; format?: string } | undefined> {
  const url = await baileys.sock!.profilePictureUrl(jid, 'image').catch(() => undefined);
  if (!url) return undefined;
  const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
  const { width, height, format } = await sharp(bytes).metadata();
  return { width, height, format };
}

const png = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: { r: 20, g: 120, b: 200 } } }).png().toBuffer();

beforeAll(async () => {
  s = await startSim();
  dir = await tempDir('wad-e2e-profile-');
  await admin(s, 'POST', '/phones', { phone: W, name: 'Wad' });
  await admin(s, 'POST', '/phones', { phone: B, name: 'Bailey' });
  d = await daemonWithHttp(s, dir.path, []);
  rec = recorder(d);
  wad = await WadClient.connect({ socket: d.socketPath });
  await linkOverSocket(wad, s, 'wad', W);
  baileys = new BaileysClient(s, 'b');
  await baileys.linkByQr(B);
  // A chat between them: profile changes are told to chat peers.
  await wad.sendText('wad', B, 'hello');
  await baileys.waitFor(() => baileys.textsFrom(jidOf(W)).includes('hello'), 'first message');
}, 90_000);

afterAll(async () => {
  rec?.stop();
  baileys?.kill();
  await wad?.close();
  await d?.stop();
  await s?.close();
  await dir?.remove();
});

describe('profile:set', () => {
  it('Baileys reads our about and sees our new push name on our next message', async () => {
    await wad.setProfile('wad', { name: 'Wad Renamed', about: 'answering within the hour' });
    const [theirs] = ((await baileys.sock!.fetchStatus(jidOf(W))) ?? []) as Array<{ status?: { status?: string } }>;
    expect(theirs?.status?.status).toBe('answering within the hour');
    await wad.sendText('wad', B, 'after the rename');
    const m = await baileys.waitFor(() => baileys.received.find((x) => textOf(x) === 'after the rename'), 'renamed message');
    expect(m.pushName).toBe('Wad Renamed');
    // Our phone keeps the name too: it applied the app-state patch we wrote.
    await until('the phone holds the new push name', async () => {
      const view = await admin<{ collections: Record<string, { entries: Array<{ change?: { kind?: string; name?: string } }> }> }>(s, 'GET', `/phones/${W}/app-state`);
      return Object.values(view.collections).some((c) => c.entries.some((e) => e.change?.kind === 'pushName' && e.change.name === 'Wad Renamed'));
    });
  });

  it('refuses an empty or too long push name, and an about longer than WhatsApp takes', async () => {
    for (const change of [{ name: '   ' }, { name: 'x'.repeat(26) }, { about: 'y'.repeat(140) }]) {
      const err = await wad.setProfile('wad', change).catch((e: unknown) => e);
      expect(err, JSON.stringify(change)).toBeInstanceOf(WadClientError);
      expect((err as WadClientError).code).toBe('INVALID_PAYLOAD');
    }
    const [still] = ((await baileys.sock!.fetchStatus(jidOf(W))) ?? []) as Array<{ status?: { status?: string } }>;
    expect(still?.status?.status).toBe('answering within the hour');
  });
});

describe('profile:picture', () => {
  it('makes an 800x400 PNG a 640x640 JPEG that Baileys fetches; removed, Baileys gets none', async () => {
    expect(await pictureSeenByBaileys(jidOf(W))).toBeUndefined();
    const id = await wad.setProfilePicture('wad', new Uint8Array(await png(800, 400)));
    expect(id).toMatch(/^[0-9]+$/);
    expect(await pictureSeenByBaileys(jidOf(W))).toEqual({ width: 640, height: 640, format: 'jpeg' });
    expect((await wad.contactPicture('wad', W)).id).toBe(id);

    await wad.removeProfilePicture('wad');
    expect(await pictureSeenByBaileys(jidOf(W))).toBeUndefined();
  });

  it('works over HTTP: `wad profile picture --url` and `wad profile set --url`', async () => {
    const file = join(dir.path, 'portrait.png');
    writeFileSync(file, await png(300, 900));
    const url = ['--url', d.http!.url, '--token', GLOBAL];
    const set = await cli(['picture', 'wad', file, ...url]);
    expect(set.err).toBe('');
    expect(set.code).toBe(0);
    const id = set.out.trim();
    expect(id).toMatch(/^[0-9]+$/);
    expect((await wad.contactPicture('wad', W)).id).toBe(id);
    expect(await pictureSeenByBaileys(jidOf(W))).toEqual({ width: 640, height: 640, format: 'jpeg' });

    expect((await cli(['set', 'wad', '--about', 'set over http', ...url])).code).toBe(0);
    const [theirs] = ((await baileys.sock!.fetchStatus(jidOf(W))) ?? []) as Array<{ status?: { status?: string } }>;
    expect(theirs?.status?.status).toBe('set over http');

    const removed = await cli(['picture', 'wad', '--remove', ...url]);
    expect(removed.code).toBe(0);
    expect(await pictureSeenByBaileys(jidOf(W))).toBeUndefined();

    // Not an image: refused as the caller's mistake, over the socket too.
    const bad = join(dir.path, 'not-an-image.png');
    writeFileSync(bad, 'plain text, not pixels');
    const refused = await cli(['picture', 'wad', bad, ...url]);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/image/);
    const err = await wad.setProfilePicture('wad', bad).catch((e: unknown) => e);
    expect((err as WadClientError).code).toBe('INVALID_PAYLOAD');
  });

  it("sets a group's picture as its admin; Baileys, a member only, is refused", async () => {
    const group = await wad.createGroup('wad', 'Pictured', [B]);
    await baileys.waitFor(() => baileys.groupEvents.some((e) => e.name === 'groups.upsert'), 'group seen by Baileys');
    const id = await wad.setProfilePicture('wad', new Uint8Array(await png(640, 480)), { group });
    expect(id).toMatch(/^[0-9]+$/);
    expect(await pictureSeenByBaileys(group)).toEqual({ width: 640, height: 640, format: 'jpeg' });
    const jpeg = await sharp(await png(640, 640)).jpeg().toBuffer();
    await expect(baileys.sock!.updateProfilePicture(group, jpeg)).rejects.toThrow();

    // Made an admin, Baileys changes it: we are told, with Baileys as the actor and the new id.
    await wad.groupParticipants('wad', group, 'promote', [B]);
    const from = rec.events.length;
    await baileys.sock!.updateProfilePicture(group, jpeg);
    const ev = await until('group picture event', () =>
      rec.events.slice(from).find((e: WadEvent) => e.type === 'group:update' && e.conversationId === group && (e.data['changes'] as Array<{ action: string }>).some((c) => c.action === 'picture')),
    );
    expect(ev.data['actor']).toBe(jidOf(B));
    const change = (ev.data['changes'] as Array<{ action: string; pictureId?: string }>).find((c) => c.action === 'picture')!;
    expect(change.pictureId).toBe((await wad.contactPicture('wad', group)).id);
    expect(change.pictureId).not.toBe(id);
  });
});

describe("Baileys' profile changes reach us", () => {
  it('as contact:updated events: about with its time, picture id, removal', async () => {
    const from = rec.events.length;
    const since = () => rec.events.slice(from).filter((e: WadEvent) => e.account === 'wad' && e.type === 'contact:updated' && e.data['jid'] === jidOf(B));
    await baileys.sock!.updateProfileStatus('back on monday');
    const about = await until('about event', () => since().find((e) => e.data['about'] !== undefined));
    expect(about.data['about']).toBe('back on monday');
    expect(about.data['aboutSetAt']).toBeGreaterThan(0);

    const jpeg = await sharp(await png(640, 640)).jpeg().toBuffer();
    await baileys.sock!.updateProfilePicture(jidOf(B), jpeg);
    const set = await until('picture event', () => since().find((e) => (e.data['picture'] as { pictureId?: string } | undefined)?.pictureId));
    const pictureId = (set.data['picture'] as { pictureId: string }).pictureId;
    expect((await wad.contactInfo('wad', B)).pictureId).toBe(pictureId);

    await baileys.sock!.removeProfilePicture(jidOf(B));
    await until('picture removal event', () => since().find((e) => (e.data['picture'] as { removed?: boolean } | undefined)?.removed === true));
  });
});
