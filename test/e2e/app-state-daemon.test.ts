/**
 * App state through the daemon against the simulated phone: the phone's key
 * share at link is stored, every collection synced, our push name known at
 * once (presence right after linking), the phone's actions reach consumers
 * as events, our own actions reach the phone, and after any of it our
 * versions and LT-hashes are the server's. A patch whose MAC the server
 * breaks on the way is refused and the collection recovered from a
 * snapshot, with nothing reported twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Account } from '../../src/account/account.js';
import type { WadEvent } from '../../src/contract/api.js';
import type { Daemon } from '../../src/daemon/index.js';
import { COLLECTIONS } from '../../src/protocol/appstate/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { admin, daemonFor, linkByQr, recorder, sim as startSim, tempDir, until } from './support/daemon.js';

const W = '15550016001';
const CHAT = '15550016002@s.whatsapp.net';
const OTHER = '15550016003@s.whatsapp.net';

interface View {
  keys: Array<{ id: string }>;
  collections: Record<string, { version: number; hash: string; entries: Array<{ change?: Record<string, unknown> }>; server: { version: number; hash: string } }>;
}

let s: SimHandle;
let dir: Awaited<ReturnType<typeof tempDir>>;
let d: Daemon;
let rec: ReturnType<typeof recorder>;

const view = async () => admin<View>(s, 'GET', `/phones/${W}/app-state`);
const act = (body: Record<string, unknown>) => admin(s, 'POST', `/phones/${W}/app-state`, body);
const account = (): Account => d.accounts.running('wad') as Account;

/** Our stored version and LT-hash of each collection, as the simulator's view writes them. */
async function ours(): Promise<Record<string, [number, string]>> {
  const out: Record<string, [number, string]> = {};
  for (const c of COLLECTIONS) {
    const v = await d.store.account('wad').then((st) => st.appState.getVersion(c));
    out[c] = v ? [v.version, Buffer.from(v.hash).toString('base64')] : [0, ''];
  }
  return out;
}

/** Waits until every collection we hold is the server's version and hash. */
async function agreed(): Promise<void> {
  await until('our collections equal the server’s', async () => {
    const [v, o] = await Promise.all([view(), ours()]);
    return COLLECTIONS.every((c) => v.collections[c]!.server.version === 0 || (o[c]![0] === v.collections[c]!.server.version && o[c]![1] === v.collections[c]!.server.hash));
  });
}

function eventAfter(from: number, type: string, match: (e: WadEvent) => boolean): Promise<WadEvent> {
  return until(`${type}`, () => rec.events.slice(from).find((e) => e.type === type && match(e)));
}

beforeAll(async () => {
  s = await startSim();
  dir = await tempDir('wad-e2e-appstate-');
  await admin(s, 'POST', '/phones', { phone: W, name: 'Wad Sixteen' });
  await admin(s, 'POST', '/phones', { phone: CHAT.split('@')[0], name: 'Two' });
  d = await daemonFor(s, dir.path, []);
  rec = recorder(d);
  await linkByQr(s, d, 'wad', W);
}, 60_000);

afterAll(async () => {
  rec?.stop();
  await d?.stop();
  await s?.close();
  await dir?.remove();
});

describe('app state of a freshly linked account', () => {
  it('stores the phone’s key, syncs every collection and knows our push name: presence works at once', async () => {
    await until('push name from app state', () => d.accountStatus('wad').name === 'Wad Sixteen');
    const keys = await d.store.account('wad').then((st) => st.appState.listSyncKeys());
    expect(keys.map((k) => Buffer.from(k.keyId).toString('base64'))).toEqual((await view()).keys.map((k) => k.id));
    await agreed();
    await d.sendPresence('wad', 'available');
  });

  it('turns the phone’s archive, mute, rename and push name change into events', async () => {
    const from = rec.events.length;
    await act({ action: 'archive', chat: CHAT });
    expect((await eventAfter(from, 'chat:updated', (e) => e.data.jid === CHAT && e.data.archived !== undefined)).data).toMatchObject({ archived: true, pinned: false });
    expect((await d.listChats('wad', { archived: true })).map((c) => c.jid)).toEqual([CHAT]);
    const until8h = Date.now() + 8 * 3600_000;
    await act({ action: 'mute', chat: OTHER, until: until8h });
    expect((await eventAfter(from, 'chat:updated', (e) => e.data.jid === OTHER && e.data.mutedUntil !== undefined)).data.mutedUntil).toBe(Math.floor(until8h / 1000));
    await act({ action: 'contact', jid: CHAT, fullName: 'Sixteen Two', firstName: 'Sixteen' });
    expect((await eventAfter(from, 'contact:updated', (e) => e.data.jid === CHAT)).data).toMatchObject({ name: 'Sixteen Two' });
    await act({ action: 'pushName', name: 'Wad Renamed' });
    await eventAfter(from, 'contact:updated', (e) => e.data.pushName === 'Wad Renamed');
    expect(d.accountStatus('wad').name).toBe('Wad Renamed');
    await act({ action: 'labelEdit', labelId: '5', name: 'Leads', color: 2 });
    expect((await eventAfter(from, 'label:updated', (e) => e.data.id === '5')).data).toMatchObject({ name: 'Leads', color: 2, deleted: false });
    await agreed();
  });

  it('writes our own actions as patches the phone applies', async () => {
    const from = rec.events.length;
    await account().appState.apply({ type: 'pin', chat: OTHER, pinned: true });
    await eventAfter(from, 'chat:updated', (e) => e.data.jid === OTHER && e.data.pinned === true);
    await account().appState.apply({ type: 'labelChat', chat: OTHER, labelId: '5', labelled: true });
    expect((await eventAfter(from, 'chat:updated', (e) => e.data.jid === OTHER && Array.isArray(e.data.labels))).data.labels).toEqual(['5']);
    const v = await until('the phone applied our patches', async () => {
      const x = await view();
      const changes = Object.values(x.collections).flatMap((c) => c.entries.map((e) => e.change));
      return changes.some((c) => c?.kind === 'chat.pinned' && c.chat === OTHER && c.pinned) && changes.some((c) => c?.kind === 'chat.labelled' && c.chat === OTHER && c.labelled) && x;
    });
    expect(v.collections.regular_low!.version).toBe(v.collections.regular_low!.server.version);
    await agreed();
  });
});

describe('chat:modify, message:star, message:delete forMe and label:* through the daemon', () => {
  /** The changes the phone holds (its own copy of every collection, as it applied our patches). */
  const phoneChanges = async () => Object.values((await view()).collections).flatMap((c) => c.entries.map((e) => e.change ?? {}));

  it('archives, mutes and marks unread: the phone applies it, chat:list shows it, chat:updated tells it', async () => {
    const from = rec.events.length;
    await d.modifyChat('wad', CHAT, 'archive');
    const mutedUntil = Math.floor(Date.now() / 1000) + 3600;
    await d.modifyChat('wad', CHAT, 'mute', mutedUntil);
    await d.modifyChat('wad', CHAT, 'markUnread');
    await eventAfter(from, 'chat:updated', (e) => e.data.jid === CHAT && e.data.markedUnread === true);
    const chat = (await d.listChats('wad', {})).find((c) => c.jid === CHAT);
    expect(chat).toMatchObject({ archived: true, pinned: false, mutedUntil, markedUnread: true });
    expect((await d.listChats('wad', { archived: true })).map((c) => c.jid)).toContain(CHAT);
    await until('the phone applied them', async () => {
      const c = await phoneChanges();
      return (
        c.some((x) => x.kind === 'chat.archived' && x.chat === CHAT && x.archived === true) &&
        c.some((x) => x.kind === 'chat.muted' && x.chat === CHAT && x.mutedUntil === mutedUntil * 1000) &&
        c.some((x) => x.kind === 'chat.read' && x.chat === CHAT && x.read === false)
      );
    });
    await d.modifyChat('wad', CHAT, 'unarchive');
    await d.modifyChat('wad', CHAT, 'unmute');
    const after = (await d.listChats('wad', {})).find((c) => c.jid === CHAT);
    expect(after?.archived).toBe(false);
    expect(after?.mutedUntil).toBeUndefined();
    await agreed();
  });

  it('stars and deletes for me a received message, naming its sender as the phone does', async () => {
    const { id } = await admin<{ id: string }>(s, 'POST', `/phones/${CHAT.split('@')[0]}/messages`, { to: W, text: 'star me' });
    await until('message received', async () => (await d.readEvents('wad', 0, 10_000)).some((e) => e.type === 'message:new' && e.data.id === id));
    const from = rec.events.length;
    await d.starMessage('wad', CHAT, id, true);
    expect((await eventAfter(from, 'message:updated', (e) => e.data.messageId === id)).data).toMatchObject({ starred: true, fromMe: false });
    await d.deleteMessageForMe('wad', CHAT, id);
    await eventAfter(from, 'message:deleted', (e) => e.data.messageId === id && e.data.forMe === true);
    await until('the phone applied both', async () => {
      const c = await phoneChanges();
      return c.some((x) => x.kind === 'message.starred' && x.messageId === id && x.starred === true) && c.some((x) => x.kind === 'message.deletedForMe' && x.messageId === id);
    });
    await expect(d.starMessage('wad', CHAT, 'NO-SUCH-MESSAGE', true)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await agreed();
  });

  it('makes a label, puts a chat under it, lists it; a deleted label leaves the list', async () => {
    const { id } = await d.editLabel('wad', { name: 'Customers', color: 4 });
    // The phone made label 5 above: a new one takes the next id.
    expect(id).toBe('6');
    await d.labelChat('wad', CHAT, id, true);
    expect((await d.listLabels('wad')).find((l) => l.id === id)).toEqual({ id, name: 'Customers', color: 4 });
    expect((await d.listChats('wad', {})).find((c) => c.jid === CHAT)?.labels).toContain(id);
    await until('the phone has the label and the chat under it', async () => {
      const c = await phoneChanges();
      return c.some((x) => x.kind === 'label.edited' && x.labelId === id && x.name === 'Customers') && c.some((x) => x.kind === 'chat.labelled' && x.chat === CHAT && x.labelId === id && x.labelled === true);
    });
    await d.labelChat('wad', CHAT, id, false);
    expect((await d.listChats('wad', {})).find((c) => c.jid === CHAT)?.labels).not.toContain(id);
    await d.editLabel('wad', { id, name: 'Customers', deleted: true });
    expect((await d.listLabels('wad')).map((l) => l.id)).not.toContain(id);
    await expect(d.labelChat('wad', CHAT, id, true)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await agreed();
  });
});

describe('anti-tampering', () => {
  it('refuses a patch whose MAC was changed on the way, recovers the collection from a snapshot and applies nothing twice', async () => {
    const counts = () => ({ ...s.hub.appState.counts });
    const before = counts();
    await admin(s, 'POST', `/phones/${W}/app-state/tamper`, { collection: 'regular_low' });
    const from = rec.events.length;
    await act({ action: 'archive', chat: OTHER });
    await eventAfter(from, 'chat:updated', (e) => e.data.jid === OTHER && e.data.archived === true);
    await agreed();
    const after = counts();
    // Our account was served the broken patch, refused it and asked for the collection's snapshot instead.
    expect(after.patchesTampered - before.patchesTampered).toBe(1);
    expect(after.snapshotsServed - before.snapshotsServed).toBe(1);
    // The snapshot repeats every record we held: only the one we lacked is reported.
    const changes = rec.events.slice(from).filter((e) => ['chat:updated', 'contact:updated', 'label:updated', 'message:updated', 'message:deleted'].includes(e.type));
    expect(changes.map((e) => [e.type, e.data.jid, e.data.archived])).toEqual([['chat:updated', OTHER, true]]);
    expect((await d.listChats('wad', { archived: true })).map((c) => c.jid)).toContain(OTHER);
  });
});
