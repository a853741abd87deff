// Privacy, blocking and presence end to end: the daemon with its control socket, driven by
// WadClient, against the simulator, with a Baileys 7 client as the other party.
// - privacy:get/set: every setting, a value a setting does not take is refused; Baileys sees the
//   change (our about and picture hidden from it, then shown again); a change made on the phone
//   reaches us as privacy:updated;
// - block:update: a contact we block cannot reach us (its message is never delivered, while the one
//   it sends once unblocked is) and no longer reads our about; block:list; blocks made on the phone
//   reach us as block:updated;
// - the same through `wad privacy`, `wad block` and `wad presence` on the socket;
// - presence:subscribe: Baileys going online and away reaches us as presence:update (last seen
//   included, absent once Baileys hides it, and no "online" once Baileys shows that only with last
//   seen), and the subscription outlives a dropped connection.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WadClient, WadClientError } from '../../src/client/index.js';
import { runBlock, runPresence, runPrivacy } from '../../src/cli/privacy.js';
import type { WadEvent } from '../../src/contract/api.js';
import type { Daemon } from '../../src/daemon/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { BaileysClient, textOf } from '../sim/baileys-harness.js';
import { admin, daemonWithSocket, jidOf, linkOverSocket, until } from '../ipc/e2e-support.js';
import { runCli } from './support/cli-capture.js';
import { recorder, sim as startSim, tempDir } from './support/daemon.js';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const W = '15550182001';
const B = '15550182002';

let s: SimHandle;
let dir: Awaited<ReturnType<typeof tempDir>>;
let d: Daemon;
let wad: WadClient;
let baileys: BaileysClient;
let rec: ReturnType<typeof recorder>;

/** Events of our account from `from` on (an index into the recorder). */
const eventsSince = (from: number, type: WadEvent['type']) => rec.events.slice(from).filter((e) => e.account === 'wad' && e.type === type);

/** Our about as Baileys reads it (undefined when hidden or unset: Baileys reads a hidden one as ''). */
async function aboutSeenByBaileys(): Promise<string | undefined> {
  const [r] = ((await baileys.sock!.fetchStatus(jidOf(W))) ?? []) as Array<{ status?: { status?: string | null } }>;
  return r?.status?.status || undefined;
}

/** Messages Baileys sends until the text arrives; their order at our side proves what was dropped. */
function receivedTexts(): string[] {
  return rec.events.filter((e) => e.account === 'wad' && e.type === 'message:new' && e.data['fromMe'] !== true).map((e) => String(e.data['content'] ?? ''));
}

/** Runs a `wad` command in this process on our socket, capturing what it prints. */
const cli = (run: (argv: string[]) => Promise<number>, args: string[]) => runCli(run, d.socketPath, args);

beforeAll(async () => {
  s = await startSim();
  dir = await tempDir('wad-e2e-privacy-');
  await admin(s, 'POST', '/phones', { phone: W, name: 'Wad' });
  await admin(s, 'POST', '/phones', { phone: B, name: 'Bailey' });
  d = await daemonWithSocket(s, dir.path);
  rec = recorder(d);
  wad = await WadClient.connect({ socket: d.socketPath });
  await linkOverSocket(wad, s, 'wad', W);
  baileys = new BaileysClient(s, 'b');
  await baileys.linkByQr(B);
  // Baileys, like us, says presence only with a push name.
  baileys.auth.creds.me!.name = 'Bailey';
  await wad.setProfile('wad', { name: 'Wad', about: 'visible to all' });
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

describe('privacy', () => {
  it('privacy:get answers every setting; privacy:set refuses a value the setting does not take', async () => {
    expect(await wad.getPrivacy('wad')).toEqual({
      lastSeen: 'all',
      online: 'all',
      profile: 'all',
      about: 'all',
      groupAdd: 'all',
      readReceipts: 'all',
      calls: 'all',
      messages: 'all',
      stickers: 'all',
      defense: 'off',
    });
    for (const [setting, value] of [['online', 'none'], ['calls', 'contacts'], ['defense', 'all']] as const) {
      const err = await wad.setPrivacy('wad', setting, value).catch((e: unknown) => e);
      expect(err, `${setting}=${value}`).toBeInstanceOf(WadClientError);
      expect((err as WadClientError).code).toBe('INVALID_PAYLOAD');
    }
    await wad.setPrivacy('wad', 'defense', 'on_standard');
    await wad.setPrivacy('wad', 'groupAdd', 'contacts');
    expect(await wad.getPrivacy('wad')).toMatchObject({ defense: 'on_standard', groupAdd: 'contacts', lastSeen: 'all' });
    await wad.setPrivacy('wad', 'defense', 'off');
    await wad.setPrivacy('wad', 'groupAdd', 'all');
  });

  it('Baileys sees the change: our about and picture hidden from it, then shown again', async () => {
    const jpeg = await sharp({ create: { width: 640, height: 640, channels: 3, background: { r: 0, g: 90, b: 40 } } }).jpeg().toBuffer();
    await wad.setProfilePicture('wad', new Uint8Array(jpeg));
    expect(await aboutSeenByBaileys()).toBe('visible to all');
    expect(await baileys.sock!.profilePictureUrl(jidOf(W), 'image')).toMatch(/^https:/);

    await wad.setPrivacy('wad', 'about', 'none');
    await wad.setPrivacy('wad', 'profile', 'none');
    expect(await aboutSeenByBaileys()).toBeUndefined();
    await expect(baileys.sock!.profilePictureUrl(jidOf(W), 'image')).rejects.toThrow(/not-authorized|401/);

    await wad.setPrivacy('wad', 'about', 'all');
    await wad.setPrivacy('wad', 'profile', 'contacts');
    // A contact (someone we chat with) sees both again.
    expect(await aboutSeenByBaileys()).toBe('visible to all');
    expect(await baileys.sock!.profilePictureUrl(jidOf(W), 'image')).toMatch(/^https:/);
  });

  it('a change made on the phone reaches us as privacy:updated', async () => {
    const from = rec.events.length;
    await admin(s, 'POST', `/phones/${W}/profile`, { privacy: { last: 'contacts', readreceipts: 'none' } });
    const ev = await until('privacy:updated', () => eventsSince(from, 'privacy:updated')[0]);
    expect(ev.data).toEqual({ settings: { lastSeen: 'contacts', readReceipts: 'none' } });
    expect(await wad.getPrivacy('wad')).toMatchObject({ lastSeen: 'contacts', readReceipts: 'none' });
    await wad.setPrivacy('wad', 'lastSeen', 'all');
    await wad.setPrivacy('wad', 'readReceipts', 'all');
  });
});

describe('blocking', () => {
  it('a contact we block cannot reach us; unblocked, it can', async () => {
    expect(await wad.blocklist('wad')).toEqual([]);
    await wad.block('wad', B);
    expect(await wad.blocklist('wad')).toEqual([jidOf(B)]);
    // Blocked: it no longer reads our about either.
    expect(await aboutSeenByBaileys()).toBeUndefined();
    await baileys.sock!.sendMessage(jidOf(W), { text: 'while blocked' });

    await wad.unblock('wad', B);
    expect(await wad.blocklist('wad')).toEqual([]);
    expect(await aboutSeenByBaileys()).toBe('visible to all');
    await baileys.sock!.sendMessage(jidOf(W), { text: 'after unblock' });
    await until('message after unblock', () => receivedTexts().includes('after unblock'));
    // The server delivers a sender's messages in order: the one sent while blocked was dropped, not late.
    expect(receivedTexts()).not.toContain('while blocked');
    // And we still reach Baileys.
    await wad.sendText('wad', B, 'welcome back');
    await baileys.waitFor(() => baileys.received.some((m) => textOf(m) === 'welcome back'), 'our reply');
  });

  it('blocks and unblocks made on the phone reach us as block:updated', async () => {
    const from = rec.events.length;
    await admin(s, 'POST', `/phones/${W}/profile`, { block: [B] });
    const blocked = await until('block:updated', () => eventsSince(from, 'block:updated')[0]);
    expect(blocked.data).toEqual({ jid: jidOf(B), action: 'block' });
    expect(await wad.blocklist('wad')).toEqual([jidOf(B)]);
    await admin(s, 'POST', `/phones/${W}/profile`, { unblock: [B] });
    const unblocked = await until('block:updated unblock', () => eventsSince(from, 'block:updated')[1]);
    expect(unblocked.data).toEqual({ jid: jidOf(B), action: 'unblock' });
    expect(await wad.blocklist('wad')).toEqual([]);
  });

  it('refuses to block a group', async () => {
    const err = await wad.block('wad', '120363000000000001@g.us').catch((e: unknown) => e);
    expect((err as WadClientError).code).toBe('INVALID_PAYLOAD');
  });
});

describe('presence:subscribe', () => {
  const presenceOf = (from: number, status: string) =>
    until(`${B} ${status}`, () => eventsSince(from, 'presence:update').find((e) => e.data['jid'] === jidOf(B) && e.data['status'] === status));

  it("Baileys' presence reaches us with its last seen; hidden, without; and after our connection dropped", async () => {
    await baileys.sock!.sendPresenceUpdate('available');
    let from = rec.events.length;
    await wad.subscribePresence('wad', B);
    await presenceOf(from, 'available');

    from = rec.events.length;
    const before = Math.floor(Date.now() / 1000) - 1;
    await baileys.sock!.sendPresenceUpdate('unavailable');
    const away = await presenceOf(from, 'unavailable');
    expect(away.data['lastSeen']).toBeGreaterThanOrEqual(before);

    // Baileys hides its last seen: going away again says no time.
    await baileys.sock!.updateLastSeenPrivacy('none');
    await baileys.sock!.sendPresenceUpdate('available');
    await presenceOf(from, 'available');
    from = rec.events.length;
    await baileys.sock!.sendPresenceUpdate('unavailable');
    const hidden = await presenceOf(from, 'unavailable');
    expect(hidden.data['lastSeen']).toBeUndefined();
    // Online shown only to whom last seen is: Baileys coming online now stays unavailable to us.
    await baileys.sock!.updateOnlinePrivacy('match_last_seen');
    from = rec.events.length;
    await baileys.sock!.sendPresenceUpdate('available');
    const stillAway = await until('presence while online is hidden', () => eventsSince(from, 'presence:update').find((e) => e.data['jid'] === jidOf(B)));
    expect(stillAway.data['status']).toBe('unavailable');
    await baileys.sock!.sendPresenceUpdate('unavailable');
    await baileys.sock!.updateOnlinePrivacy('all');
    await baileys.sock!.updateLastSeenPrivacy('all');

    // The server forgets subscriptions with the connection: the account subscribes again.
    from = rec.events.length;
    await admin(s, 'POST', '/faults', { kind: 'drop', phone: W });
    await until('reconnected', () => eventsSince(from, 'connection:update').some((e) => e.data['state'] === 'online'));
    from = rec.events.length;
    await baileys.sock!.sendPresenceUpdate('available');
    await presenceOf(from, 'available');
  });

  it('a presence subscription names a user, not a group', async () => {
    const err = await wad.subscribePresence('wad', '120363000000000001@g.us').catch((e: unknown) => e);
    expect((err as WadClientError).code).toBe('INVALID_PAYLOAD');
  });
});

describe('wad privacy, wad block, wad presence', () => {
  it('read and change what the requests do, one line per result', async () => {
    const set = await cli(runPrivacy, ['set', 'wad', 'stickers', 'contacts']);
    expect(set).toMatchObject({ code: 0, err: '' });
    const got = await cli(runPrivacy, ['get', 'wad']);
    expect(got.out).toMatch(/^stickers\s+contacts$/m);
    expect(got.out.trim().split('\n')).toHaveLength(10);
    const refused = await cli(runPrivacy, ['set', 'wad', 'stickers', 'everyone']);
    expect(refused.code).toBe(2);
    await wad.setPrivacy('wad', 'stickers', 'all');

    expect((await cli(runBlock, ['add', 'wad', B])).code).toBe(0);
    expect((await cli(runBlock, ['list', 'wad'])).out).toBe(`${jidOf(B)}\n`);
    expect((await cli(runBlock, ['remove', 'wad', B])).code).toBe(0);
    expect((await cli(runBlock, ['list', 'wad', '--json'])).out).toBe('{"jids":[]}\n');

    const from = rec.events.length;
    expect((await cli(runPresence, ['subscribe', 'wad', B])).code).toBe(0);
    await until('presence answer to the subscription', () => eventsSince(from, 'presence:update').find((e) => e.data['jid'] === jidOf(B)));
  });
});
