/**
 * App state between our account and an unmodified Baileys 7 client linked
 * to the same simulated phone: what we do to chats, messages and labels
 * through the daemon reaches Baileys as its own events (chats.update,
 * messages.update, labels.edit, labels.association), what Baileys does with
 * chatModify reaches our consumers as chat:updated, and afterwards every
 * collection's version and LT-hash is the same at Baileys, at our account
 * and at the simulated server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WadEvent } from '../../src/contract/api.js';
import type { Daemon } from '../../src/daemon/index.js';
import { COLLECTIONS } from '../../src/protocol/appstate/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { BaileysClient } from '../sim/baileys-harness.js';
import { admin, daemonFor, linkByQr, recorder, sim as startSim, tempDir, until } from './support/daemon.js';

const W = '15550016101';
const CHAT = '15550016102@s.whatsapp.net';
const OTHER = '15550016103@s.whatsapp.net';

interface View {
  keys: Array<{ id: string }>;
  collections: Record<string, { version: number; hash: string; server: { version: number; hash: string } }>;
}

let s: SimHandle;
let dir: Awaited<ReturnType<typeof tempDir>>;
let d: Daemon;
let rec: ReturnType<typeof recorder>;
let bc: BaileysClient;

const view = () => admin<View>(s, 'GET', `/phones/${W}/app-state`);

/** The first app state event `name` at Baileys (from index `from` on) with an item for which `match` holds. */
function baileysEvent(name: string, match: (item: Record<string, unknown>) => boolean, from: number) {
  return bc.waitFor(() => {
    for (const e of bc.appEvents.slice(from)) {
      if (e.name !== name) continue;
      const items = (Array.isArray(e.data) ? e.data : [e.data]) as Array<Record<string, unknown>>;
      const hit = items.find(match);
      if (hit) return hit;
    }
    return undefined;
  }, `${name} at Baileys`);
}

function ourEvent(from: number, type: string, match: (e: WadEvent) => boolean): Promise<WadEvent> {
  return until(type, () => rec.events.slice(from).find((e) => e.type === type && match(e)));
}

/** A collection's version and LT-hash (base64) at our account, at Baileys. */
async function ours(name: string): Promise<[number, string]> {
  const v = await d.store.account('wad').then((st) => st.appState.getVersion(name as (typeof COLLECTIONS)[number]));
  return v ? [v.version, Buffer.from(v.hash).toString('base64')] : [0, ''];
}
function baileys(name: string): [number, string] {
  const v = bc.auth.keys.get(`app-state-sync-version:${name}`) as { version: number; hash: Uint8Array } | undefined;
  return v ? [v.version, Buffer.from(v.hash).toString('base64')] : [0, ''];
}

beforeAll(async () => {
  s = await startSim();
  dir = await tempDir('wad-e2e-appstate-baileys-');
  await admin(s, 'POST', '/phones', { phone: W, name: 'Wad Sixteen One' });
  await admin(s, 'POST', '/phones', { phone: CHAT.split('@')[0], name: 'Two' });
  d = await daemonFor(s, dir.path, []);
  rec = recorder(d);
  await linkByQr(s, d, 'wad', W);
  bc = new BaileysClient(s, 'baileys');
  await bc.linkByQr(W);
  const keyId = (await view()).keys[0]!.id;
  await bc.waitFor(() => bc.auth.creds.myAppStateKeyId === keyId, 'the phone’s key at Baileys');
  await until('the phone’s key at our account', async () => (await d.store.account('wad').then((st) => st.appState.listSyncKeys())).length > 0);
}, 90_000);

afterAll(async () => {
  bc?.kill();
  rec?.stop();
  await d?.stop();
  await s?.close();
  await dir?.remove();
});

describe('our account and a Baileys client on one phone', () => {
  it('Baileys sees our archive, pin, mute and mark read/unread as chats.update', async () => {
    const from = bc.appEvents.length;
    await d.modifyChat('wad', CHAT, 'archive');
    expect(await baileysEvent('chats.update', (u) => u.id === CHAT && u.archived !== undefined, from)).toMatchObject({ archived: true });
    await d.modifyChat('wad', OTHER, 'pin');
    expect((await baileysEvent('chats.update', (u) => u.id === OTHER && typeof u.pinned === 'number', from)).pinned).toBeGreaterThan(0);
    const mutedUntil = Math.floor(Date.now() / 1000) + 3600;
    await d.modifyChat('wad', OTHER, 'mute', mutedUntil);
    expect(await baileysEvent('chats.update', (u) => u.id === OTHER && u.muteEndTime !== undefined, from)).toMatchObject({ muteEndTime: mutedUntil * 1000 });
    await d.modifyChat('wad', OTHER, 'markUnread');
    expect(await baileysEvent('chats.update', (u) => u.id === OTHER && u.unreadCount === -1, from)).toBeDefined();
    const reads = bc.appEvents.length;
    await d.modifyChat('wad', OTHER, 'markRead');
    expect(await baileysEvent('chats.update', (u) => u.id === OTHER && u.unreadCount !== undefined, reads)).toMatchObject({ unreadCount: 0 });
  });

  it('Baileys sees our star and our labels (messages.update, labels.edit, labels.association)', async () => {
    const { id } = await admin<{ id: string }>(s, 'POST', `/phones/${CHAT.split('@')[0]}/messages`, { to: W, text: 'star me' });
    await until('the message at our account', async () => (await d.readEvents('wad', 0, 10_000)).some((e) => e.type === 'message:new' && e.data.id === id));
    const from = bc.appEvents.length;
    await d.starMessage('wad', CHAT, id, true);
    expect(await baileysEvent('messages.update', (u) => (u.key as { id?: string }).id === id, from)).toMatchObject({ update: { starred: true } });
    const { id: labelId } = await d.editLabel('wad', { name: 'Customers', color: 4 });
    expect(await baileysEvent('labels.edit', (l) => l.id === labelId, from)).toMatchObject({ name: 'Customers', color: 4, deleted: false });
    await d.labelChat('wad', CHAT, labelId, true);
    expect(await baileysEvent('labels.association', (l) => l.type === 'add', from)).toMatchObject({ association: { chatId: CHAT, labelId } });
  });

  it('our consumers see Baileys’ chatModify as chat:updated', async () => {
    const from = rec.events.length;
    await bc.sock!.chatModify({ archive: false, lastMessages: [] }, CHAT);
    expect((await ourEvent(from, 'chat:updated', (e) => e.data.jid === CHAT && e.data.archived !== undefined)).data).toMatchObject({ archived: false });
    await bc.sock!.chatModify({ pin: false }, OTHER);
    expect((await ourEvent(from, 'chat:updated', (e) => e.data.jid === OTHER && e.data.pinned !== undefined)).data).toMatchObject({ pinned: false });
    await bc.sock!.chatModify({ mute: null }, OTHER);
    expect((await ourEvent(from, 'chat:updated', (e) => e.data.jid === OTHER && 'mutedUntil' in e.data)).data.mutedUntil).toBeNull();
    await bc.sock!.chatModify({ markRead: false, lastMessages: [] }, CHAT);
    expect((await ourEvent(from, 'chat:updated', (e) => e.data.jid === CHAT && e.data.markedUnread !== undefined)).data).toMatchObject({ markedUnread: true });
    const chat = (await d.listChats('wad', {})).find((c) => c.jid === CHAT);
    expect(chat).toMatchObject({ archived: false, markedUnread: true });
    expect((await d.listChats('wad', {})).find((c) => c.jid === OTHER)).toMatchObject({ pinned: false });
  });

  it('agrees with Baileys and the server on every collection’s version and LT-hash', async () => {
    await bc.sock!.resyncAppState([...COLLECTIONS], false);
    await until('our account at the server’s versions', async () => {
      const v = await view();
      for (const name of COLLECTIONS) if ((await ours(name))[0] !== v.collections[name]!.server.version) return false;
      return true;
    });
    const v = await view();
    let written = 0;
    for (const name of COLLECTIONS) {
      const { server } = v.collections[name]!;
      if (server.version === 0) continue;
      written++;
      expect(await ours(name), `${name} at our account`).toEqual([server.version, server.hash]);
      expect(baileys(name), `${name} at Baileys`).toEqual([server.version, server.hash]);
    }
    // Our changes and Baileys' went to more than one collection.
    expect(written).toBeGreaterThanOrEqual(2);
  });
});
