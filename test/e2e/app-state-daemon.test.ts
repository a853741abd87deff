/**
 * App state through the daemon against the simulated phone: the phone's key
 * share at link is stored, every collection synced, our push name known at
 * once (presence right after linking), the phone's actions reach consumers
 * as events, our own actions reach the phone, and after any of it our
 * versions and LT-hashes are the server's.
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
