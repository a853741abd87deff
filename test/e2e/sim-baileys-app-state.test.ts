/**
 * App state sync with unmodified Baileys 7 clients: two companions linked to
 * one simulated phone get its sync key at link; what the person does on the
 * phone (archive, pin, mute, mark unread, star, label, delete, name a contact,
 * change the push name) reaches them as Baileys' own events; one companion's
 * chatModify reaches the other and the phone; a companion linked later syncs
 * every collection from snapshots; one that lost its key asks the phone and
 * gets it back; and the versions and LT-hashes the clients computed are the
 * simulator's.
 */
import { proto } from 'baileys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLLECTIONS } from '../../src/protocol/appstate/index.js';
import { startSim, type SimHandle } from '../../src/sim/index.js';
import { admin, BaileysClient, waitUntil } from '../sim/baileys-harness.js';

const PHONE = '15550009001';
const CHAT = '15550009002@s.whatsapp.net';
const OTHER = '15550009003@s.whatsapp.net';

interface View {
  keys: Array<{ id: string }>;
  collections: Record<string, { version: number; hash: string; entries: Array<{ change?: Record<string, unknown> }>; server: { version: number; hash: string } }>;
  errors: string[];
}

let sim: SimHandle;
let a: BaileysClient;
let b: BaileysClient;

const view = async () => (await admin(sim, 'GET', `/phones/${PHONE}/app-state`)) as View;
const act = (body: Record<string, unknown>) => admin(sim, 'POST', `/phones/${PHONE}/app-state`, body);

/** The first app state event of `name` at `c` (from index `from` on) for which `match` holds. */
function eventAt(c: BaileysClient, name: string, match: (item: Record<string, unknown>) => boolean, from = 0) {
  return c.waitFor(() => {
    for (const e of c.appEvents.slice(from)) {
      if (e.name !== name) continue;
      const items = (Array.isArray(e.data) ? e.data : [e.data]) as Array<Record<string, unknown>>;
      const hit = items.find(match);
      if (hit) return hit;
    }
    return undefined;
  }, `${name} at ${c.name}`);
}

/** A collection's version and LT-hash (base64) as a Baileys client stored them. */
function baileysState(c: BaileysClient, name: string): [number, string] | undefined {
  const s = c.auth.keys.get(`app-state-sync-version:${name}`) as { version: number; hash: Uint8Array } | undefined;
  return s ? [s.version, Buffer.from(s.hash).toString('base64')] : undefined;
}

beforeAll(async () => {
  sim = await startSim();
  await admin(sim, 'POST', '/phones', { phone: PHONE, name: 'Nine' });
  a = new BaileysClient(sim, 'a');
  b = new BaileysClient(sim, 'b');
  await a.linkByQr(PHONE);
  await b.linkByQr(PHONE);
}, 60_000);

afterAll(async () => {
  a?.kill();
  b?.kill();
  await sim?.close();
});

describe('app state between a simulated phone and Baileys companions', () => {
  it('gives each companion the phone’s sync key right after the link', async () => {
    const { keys } = await view();
    expect(keys).toHaveLength(1);
    for (const c of [a, b]) {
      await c.waitFor(() => c.auth.creds.myAppStateKeyId, `key share at ${c.name}`);
      expect(c.auth.creds.myAppStateKeyId).toBe(keys[0]!.id);
      expect(c.auth.keys.has(`app-state-sync-key:${keys[0]!.id}`)).toBe(true);
    }
  });

  it('turns the person’s archive, pin, mute and mark-unread on the phone into chats.update', async () => {
    const from = a.appEvents.length;
    await act({ action: 'archive', chat: CHAT });
    expect(await eventAt(a, 'chats.update', (u) => u.id === CHAT && u.archived !== undefined, from)).toMatchObject({ archived: true });
    await act({ action: 'pin', chat: OTHER });
    expect((await eventAt(a, 'chats.update', (u) => u.id === OTHER && u.pinned !== undefined, from)).pinned).toBeGreaterThan(0);
    const until = Date.now() + 8 * 3600_000;
    await act({ action: 'mute', chat: OTHER, until });
    expect(await eventAt(a, 'chats.update', (u) => u.id === OTHER && u.muteEndTime !== undefined, from)).toMatchObject({ muteEndTime: until });
    await act({ action: 'markRead', chat: OTHER, read: false });
    expect(await eventAt(a, 'chats.update', (u) => u.id === OTHER && u.unreadCount !== undefined, from)).toMatchObject({ unreadCount: -1 });
    await act({ action: 'mute', chat: OTHER, until: null });
    expect(await eventAt(b, 'chats.update', (u) => u.id === OTHER && 'muteEndTime' in u && u.muteEndTime === null)).toBeDefined();
  });

  it('names a contact (contacts.upsert), changes the push name (creds) and stars, labels and deletes', async () => {
    const from = a.appEvents.length;
    await act({ action: 'contact', jid: CHAT, fullName: 'Nine Two', firstName: 'Nine' });
    expect(await eventAt(a, 'contacts.upsert', (c) => c.id === CHAT, from)).toMatchObject({ name: 'Nine Two' });
    await act({ action: 'pushName', name: 'Nine Renamed' });
    await a.waitFor(() => a.auth.creds.me?.name === 'Nine Renamed', 'push name at a');
    await act({ action: 'star', chat: CHAT, id: '3EB0STARRED', fromMe: false });
    expect(await eventAt(a, 'messages.update', (u) => (u.key as { id?: string }).id === '3EB0STARRED', from)).toMatchObject({ update: { starred: true } });
    await act({ action: 'labelEdit', labelId: '7', name: 'Clients', color: 3 });
    expect(await eventAt(a, 'labels.edit', (l) => l.id === '7', from)).toMatchObject({ name: 'Clients', color: 3, deleted: false });
    await act({ action: 'labelChat', chat: CHAT, labelId: '7' });
    expect(await eventAt(a, 'labels.association', (l) => l.type === 'add', from)).toMatchObject({ association: { chatId: CHAT, labelId: '7' } });
    await act({ action: 'deleteChat', chat: OTHER });
    expect(await eventAt(a, 'chats.delete', (ids) => ids === (OTHER as unknown), from)).toBeDefined();
  });

  it('carries one companion’s chatModify to the other companion and to the phone', async () => {
    const from = b.appEvents.length;
    await a.sock!.chatModify({ pin: true }, CHAT);
    expect((await eventAt(b, 'chats.update', (u) => u.id === CHAT && typeof u.pinned === 'number', from)).pinned).toBeGreaterThan(0);
    await b.sock!.chatModify({ archive: false, lastMessages: [] }, CHAT);
    expect(await eventAt(a, 'chats.update', (u) => u.id === CHAT && u.archived === false)).toBeDefined();
    const v = await waitUntil(async () => {
      const x = await view();
      const changes = x.collections.regular_low!.entries.map((e) => e.change);
      return changes.some((c) => c?.kind === 'chat.pinned' && c.chat === CHAT && c.pinned) && changes.some((c) => c?.kind === 'chat.archived' && c.chat === CHAT && !c.archived) && x;
    }, 'the phone applied both companions’ patches');
    expect(v.errors).toEqual([]);
  });

  it('agrees with both companions on every collection’s version and LT-hash', async () => {
    for (const c of [a, b]) await c.sock!.resyncAppState([...COLLECTIONS], false);
    const v = await view();
    for (const name of COLLECTIONS) {
      const { version, hash, server } = v.collections[name]!;
      expect([server.version, server.hash], name).toEqual([version, hash]);
      if (version === 0) continue;
      for (const c of [a, b]) expect(baileysState(c, name), `${name} at ${c.name}`).toEqual([version, hash]);
    }
  });

  it('brings a companion linked later up to date from snapshots, push name included', async () => {
    const c = new BaileysClient(sim, 'c');
    try {
      await c.linkByQr(PHONE);
      await c.waitFor(() => c.auth.creds.myAppStateKeyId, 'key share at c');
      const served = () => sim.hub.appState.counts.snapshotsServed;
      const before = served();
      await c.sock!.resyncAppState([...COLLECTIONS], true);
      expect(c.auth.creds.me?.name).toBe('Nine Renamed');
      const v = await view();
      // One snapshot (an md-app-state blob from the media host) per collection that has anything.
      expect(served() - before).toBe(COLLECTIONS.filter((name) => v.collections[name]!.version > 0).length);
      for (const name of COLLECTIONS) {
        const { version, hash } = v.collections[name]!;
        if (version > 0) expect(baileysState(c, name), name).toEqual([version, hash]);
      }
    } finally {
      c.kill();
    }
  });

  it('gives a key back to a companion that lost it and asks the phone', async () => {
    const id = a.auth.creds.myAppStateKeyId!;
    a.auth.keys.delete(`app-state-sync-key:${id}`);
    await a.sock!.relayMessage(
      a.userJid,
      { protocolMessage: { type: proto.Message.ProtocolMessage.Type.APP_STATE_SYNC_KEY_REQUEST, appStateSyncKeyRequest: { keyIds: [{ keyId: Buffer.from(id, 'base64') }] } } },
      { additionalAttributes: { category: 'peer', push_priority: 'high_force' } },
    );
    await a.waitFor(() => a.auth.keys.has(`app-state-sync-key:${id}`), 'the key given back');
    // What the phone took as a request is not a message it received.
    const received = (await admin(sim, 'GET', `/phones/${PHONE}/messages`)) as Array<{ type: string }>;
    expect(received).toEqual([]);
  });
});
