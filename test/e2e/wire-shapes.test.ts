// The shapes wad puts on the wire where WhatsApp's own clients and the
// reference libraries agree, end to end through the simulator with an
// unmodified Baileys 7 client on the other side. What our device sent is read
// back from the simulator's per-device wire log (GET /devices/:device/wire).
// - every message we author carries messageContextInfo.messageSecret, 32 random
//   bytes of its own, which Baileys decodes (text stays `conversation`);
// - our delivery receipts are `inactive` until we say `available`, plain while
//   available, `inactive` again after `unavailable`;
// - a message we confirmed with a receipt gets no `<ack>` as well;
// - prekey fetches name every device with reason="identity";
// - dirty bits are cleaned, with their timestamp, once the account caught up
//   (groups fetched again, app state synced), live and at the next login;
// - every later login asks for the A/B props with the hash it holds, and
//   stores the new hash when they changed;
// - every login checks the server's digest of our key bundle and uploads the
//   bundle again when the server's copy is not ours or is gone;
// - <ib><unified_session/> goes out at login and before `available`, its id
//   from the server's clock;
// - 500 messages Baileys sent while we were stopped arrive exactly once,
//   flagged offline, each confirmed by one receipt and no ack.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WAMessage } from 'baileys';
import type { Daemon } from '../../src/daemon/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import type { WireEntry } from '../../src/sim/wire-log.js';
import { BaileysClient } from '../sim/baileys-harness.js';
import { unifiedSessionId } from '../../src/protocol/stanza/unified-session.js';
import { admin, daemonFor, linkByQr, nextEvent, sim as startSim, tempDir, until } from './support/daemon.js';

const W = '15550015001';
const B = '15550015002';
let s: SimHandle;
let dir: Awaited<ReturnType<typeof tempDir>>;
let d: Daemon;
let baileys: BaileysClient;
let ourDevice: string;

beforeAll(async () => {
  s = await startSim();
  dir = await tempDir('wad-e2e-wire-');
  await admin(s, 'POST', '/phones', { phone: W, name: 'Wad' });
  await admin(s, 'POST', '/phones', { phone: B, name: 'Bailey' });
  d = await daemonFor(s, dir.path);
  await linkByQr(s, d, 'wad', W);
  ourDevice = (await admin<Array<{ jid: string }>>(s, 'GET', `/phones/${W}/devices`))[0]!.jid;
  baileys = new BaileysClient(s, 'b');
  await baileys.linkByQr(B);
}, 60_000);

afterAll(async () => {
  baileys?.kill();
  await d?.stop();
  await s?.close();
  await dir?.remove();
});

const wire = () => admin<WireEntry[]>(s, 'GET', `/devices/${encodeURIComponent(ourDevice)}/wire`);
const at = (id: string) => baileys.waitFor(() => baileys.received.find((m) => m.key.id === id), `message ${id} at Baileys`);
const baileysDevice = () => baileys.auth.creds.me!.id.split(':')[1]!.split('@')[0];
const secretOf = (m: WAMessage) => m.message?.messageContextInfo?.messageSecret;

describe('messageSecret', () => {
  it('every message we author carries 32 bytes of its own, which Baileys decodes', async () => {
    const to = `${B}@s.whatsapp.net`;
    const { messageId: text } = await d.sendMessage('wad', to, { type: 'text', content: 'plain text' });
    const got = await at(text);
    expect(got.message?.conversation).toBe('plain text');
    const kinds = [
      { type: 'reply', content: 'a reply', quoted: text },
      { type: 'location', latitude: 1.5, longitude: 2.5 },
      { type: 'contact', displayName: 'Carol', vcard: 'BEGIN:VCARD\nFN:Carol\nEND:VCARD' },
      { type: 'poll', name: 'lunch?', options: ['a', 'b'] },
    ];
    const ids = [text];
    for (const content of kinds) ids.push((await d.sendMessage('wad', to, content as never)).messageId);
    ids.push((await d.editMessage('wad', to, text, 'edited')).messageId);
    ids.push((await d.deleteMessage('wad', to, text)).messageId);
    const secrets = new Set<string>();
    for (const id of ids) {
      const secret = secretOf(await at(id));
      expect(secret, `message ${id}`).toHaveLength(32);
      secrets.add(Buffer.from(secret!).toString('hex'));
    }
    expect(secrets.size).toBe(ids.length);
    // A reaction modifies another message: it carries none, as Baileys' own reactions carry none.
    const { messageId: reaction } = await d.react('wad', to, ids[1]!, '👍');
    expect(secretOf(await at(reaction))).toBeFalsy();
  });
});

describe('receipts and acks', () => {
  const fromBaileys = async (text: string) => (await baileys.sock!.sendMessage(`${W}@s.whatsapp.net`, { text }))!.key.id!;
  const receiptFor = async (id: string) => until(`our receipt for ${id}`, async () => (await wire()).find((e) => e.tag === 'receipt' && e.attrs.id === id));

  it('are inactive until we say available, plain while available, inactive again after unavailable; never followed by an ack', async () => {
    // Presence needs our push name: the server stamps it on what our phone sends, and our device learns it from the copy.
    await admin(s, 'POST', `/phones/${W}/messages`, { to: B, text: 'from the phone' });
    const before = await fromBaileys('before any presence');
    expect((await receiptFor(before)).attrs.type).toBe('inactive');
    await until('our push name', async () => d.sendPresence('wad', 'available').then(() => true, () => false));
    const whileAvailable = await fromBaileys('while available');
    expect((await receiptFor(whileAvailable)).attrs.type).toBeUndefined();
    await d.sendPresence('wad', 'unavailable');
    const after = await fromBaileys('after unavailable');
    expect((await receiptFor(after)).attrs.type).toBe('inactive');

    const log = await wire();
    const presences = log.filter((e) => e.tag === 'presence').map((e) => e.attrs.type);
    expect(presences).toEqual(['available', 'unavailable']);
    // The receipt is the message's confirmation: no message ack for any of them.
    const acked = log.filter((e) => e.tag === 'ack' && e.attrs.class === 'message').map((e) => e.attrs.id);
    for (const id of [before, whileAvailable, after]) expect(acked).not.toContain(id);
    expect(log.filter((e) => e.tag === 'receipt' && [before, whileAvailable, after].includes(e.attrs.id!))).toHaveLength(3);
  });

  it('prekey fetches name each device with reason="identity"', async () => {
    const fetches = (await wire()).filter((e) => e.tag === 'iq' && e.attrs.xmlns === 'encrypt' && e.attrs.type === 'get' && e.children[0]?.tag === 'key');
    const users = fetches.flatMap((e) => e.children[0]!.children);
    // Baileys' device (the first message to it) at least; every one with the reason.
    expect(users.map((u) => u.attrs.jid)).toContain(`${B}:${baileysDevice()}@s.whatsapp.net`);
    for (const u of users) expect(u.attrs.reason, u.attrs.jid).toBe('identity');
  });
});

/** Drops our socket and waits until the next login's after-login steps are done (the props refresh is the last). */
async function relogin(): Promise<number> {
  const since = Date.now();
  const online = nextEvent(d, 'wad', (e) => e.type === 'connection:update' && e.data.state === 'online');
  await admin(s, 'POST', '/faults', { kind: 'drop', phone: W });
  await online;
  await until('the after-login steps', async () => (await wire()).some((e) => e.t >= since && e.tag === 'iq' && e.attrs.xmlns === 'abt'));
  return since;
}

const sent = async (since: number) => (await wire()).filter((e) => e.t >= since);
const indexOf = (log: readonly WireEntry[], pred: (e: WireEntry) => boolean) => log.findIndex(pred);

describe('dirty bits', () => {
  it('are cleaned with their timestamp once caught up: groups fetched again, app state synced', async () => {
    const since = Date.now();
    const types = ['groups', 'account_sync', 'syncd_app_state'];
    const set: Array<{ type: string; timestamp: number }> = [];
    for (const type of types) {
      // The answer is the view right after the bit was set: it is pending there.
      const view = await admin<{ pending: Array<{ type: string; timestamp: number }> }>(s, 'POST', `/phones/${W}/dirty`, { type });
      set.push(view.pending.find((p) => p.type === type)!);
    }
    const view = await until('every bit cleaned', async () => {
      const v = await admin<{ pending: unknown[]; cleaned: Array<{ type: string; by: string; timestamp: string }> }>(s, 'GET', `/phones/${W}/dirty`);
      return v.pending.length === 0 && v.cleaned.length === types.length && v;
    });
    for (const bit of set) expect(view.cleaned).toContainEqual({ type: bit.type, by: ourDevice, timestamp: String(bit.timestamp), at: expect.any(Number) });
    const log = await sent(since);
    const clean = (type: string) => indexOf(log, (e) => e.attrs.xmlns === 'urn:xmpp:whatsapp:dirty' && e.children[0]?.attrs.type === type);
    const groupsFetch = indexOf(log, (e) => e.attrs.xmlns === 'w:g2' && e.children[0]?.tag === 'participating');
    const appStateSync = indexOf(log, (e) => e.attrs.xmlns === 'w:sync:app:state');
    expect(groupsFetch).toBeGreaterThanOrEqual(0);
    expect(clean('groups')).toBeGreaterThan(groupsFetch);
    expect(appStateSync).toBeGreaterThanOrEqual(0);
    expect(clean('account_sync')).toBeGreaterThan(appStateSync);
    expect(clean('syncd_app_state')).toBeGreaterThan(appStateSync);
  });

  it('set while the account was stopped reach it at login and are cleaned there', async () => {
    await d.stopAccount('wad');
    const since = Date.now();
    const { pending } = await admin<{ pending: Array<{ type: string; timestamp: number }> }>(s, 'POST', `/phones/${W}/dirty`, { type: 'groups' });
    const online = nextEvent(d, 'wad', (e) => e.type === 'connection:update' && e.data.state === 'online');
    await d.startAccount('wad');
    await online;
    await until('the bit cleaned', async () => (await admin<{ pending: unknown[] }>(s, 'GET', `/phones/${W}/dirty`)).pending.length === 0);
    const cleans = (await sent(since)).filter((e) => e.attrs.xmlns === 'urn:xmpp:whatsapp:dirty').map((e) => e.children[0]!.attrs);
    expect(cleans).toEqual([{ type: 'groups', timestamp: String(pending[0]!.timestamp) }]);
  });
});

describe('later logins', () => {
  const propsHashes = async (since: number) => (await sent(since)).filter((e) => e.tag === 'iq' && e.attrs.xmlns === 'abt').map((e) => e.children[0]!.attrs.hash);

  it('ask for the A/B props with the hash they hold and keep the new one when the props changed', async () => {
    const before = await admin<{ hash: string }>(s, 'GET', '/props');
    expect(await propsHashes(await relogin())).toEqual([before.hash]);
    const after = await admin<{ hash: string }>(s, 'POST', '/props', { code: '10518', value: 'false' });
    expect(after.hash).not.toBe(before.hash);
    // This login still names the old hash and is given the new props; the next names the new hash.
    expect(await propsHashes(await relogin())).toEqual([before.hash]);
    expect(await propsHashes(await relogin())).toEqual([after.hash]);
    await admin(s, 'POST', '/props', { code: '10518', value: 'true' });
  });

  it("check the server's digest of our key bundle, uploading it again when the server's copy is not ours or gone", async () => {
    const device = encodeURIComponent(ourDevice);
    type Keys = { registrationId: number | null; signedPreKeyId: number | null; preKeys: number };
    const steps = (log: readonly WireEntry[]) =>
      log.filter((e) => e.tag === 'iq' && e.attrs.xmlns === 'encrypt' && (e.children[0]?.tag === 'digest' || e.attrs.type === 'set')).map((e) => `${e.attrs.type}:${e.children[0]!.tag}`);
    // Ours as the server holds it: checked, nothing uploaded.
    expect(steps(await sent(await relogin()))).toEqual(['get:digest']);

    const held = await admin<Keys>(s, 'GET', `/devices/${device}/keys`);
    await admin(s, 'POST', `/devices/${device}/keys`, { damage: 'signature' });
    expect(steps(await sent(await relogin()))).toEqual(['get:digest', 'set:registration']);
    expect((await admin<Keys>(s, 'GET', `/devices/${device}/keys`)).preKeys).toBe(held.preKeys + 50);

    const gone = await admin<Keys>(s, 'POST', `/devices/${device}/keys`, { damage: 'forget' });
    expect(gone).toEqual({ registrationId: null, signedPreKeyId: null, preKeys: 0 });
    // The digest finds none held (404) and uploads the bundle; no count is asked after it.
    const counts = (log: readonly WireEntry[]) => log.filter((e) => e.tag === 'iq' && e.attrs.xmlns === 'encrypt' && e.children[0]?.tag === 'count').length;
    const forgotten = await sent(await relogin());
    expect(steps(forgotten)).toEqual(['get:digest', 'set:registration']);
    expect(counts(forgotten)).toBe(0);
    const restored = await admin<Keys>(s, 'GET', `/devices/${device}/keys`);
    expect(restored).toEqual({ registrationId: held.registrationId, signedPreKeyId: held.signedPreKeyId, preKeys: 50 });
    // Repaired: the next login finds it ours again, and the prekeys it lists are enough: no count asked.
    const repaired = await sent(await relogin());
    expect(steps(repaired)).toEqual(['get:digest']);
    expect(counts(repaired)).toBe(0);
  });

  it('mark a unified session at login and before saying available, with the id of the server clock', async () => {
    const since = await relogin();
    await until('our push name', async () => d.sendPresence('wad', 'available').then(() => true, () => false));
    const log = await until('the available presence', async () => {
      const l = await sent(since);
      return l.some((e) => e.tag === 'presence' && e.attrs.type === 'available') && l;
    });
    const marks = log.flatMap((e, i) => (e.tag === 'ib' && e.children[0]?.tag === 'unified_session' ? [i] : []));
    const passive = indexOf(log, (e) => e.attrs.xmlns === 'passive');
    const available = indexOf(log, (e) => e.tag === 'presence' && e.attrs.type === 'available');
    expect(marks.length).toBe(2);
    expect(marks[0]).toBeGreaterThan(passive);
    expect(marks[1]).toBeGreaterThan(marks[0]!);
    expect(marks[1]).toBeLessThan(available);
    const WEEK = 7 * 24 * 3600 * 1000;
    for (const i of marks) {
      // The simulator's clock is this process's: the id is the time it was sent, three days on, modulo a week.
      const drift = Math.abs(Number(log[i]!.children[0]!.attrs.id) - Number(unifiedSessionId(log[i]!.t)));
      expect(Math.min(drift, WEEK - drift)).toBeLessThan(5_000);
    }
    await d.sendPresence('wad', 'unavailable');
  });
});

describe('an offline backlog from Baileys', () => {
  it('500 messages Baileys sent while we were stopped arrive exactly once, offline: true, in order', async () => {
    await d.stopAccount('wad');
    const ids: string[] = [];
    for (let i = 0; i < 500; i++) ids.push((await baileys.sock!.sendMessage(`${W}@s.whatsapp.net`, { text: `queued ${i}` }))!.key.id!);
    const wanted = new Set(ids);
    const seen = new Map<string, Array<Record<string, unknown>>>();
    const off = d.onEvent((e) => {
      if (e.account !== 'wad' || e.type !== 'message:new' || !wanted.has(String(e.data.id))) return;
      seen.set(String(e.data.id), [...(seen.get(String(e.data.id)) ?? []), e.data]);
    });
    try {
      await d.startAccount('wad');
      await until('500 message:new events', () => seen.size === ids.length, 60_000);
    } finally {
      off();
    }
    for (const [id, events] of seen) {
      expect(events, id).toHaveLength(1);
      expect(events[0]).toMatchObject({ type: 'text', fromMe: false, offline: true });
    }
    expect([...seen.keys()]).toEqual(ids);
    // Each confirmed once: one receipt per message, no ack beside it.
    const log = await wire();
    const receipted = log.filter((e) => e.tag === 'receipt').flatMap((e) => [e.attrs.id!, ...e.children.filter((c) => c.tag === 'list').flatMap((l) => l.children.map((i) => i.attrs.id!))]);
    const acked = new Set(log.filter((e) => e.tag === 'ack' && e.attrs.class === 'message').map((e) => e.attrs.id));
    for (const id of ids.slice(-100)) {
      expect(receipted.filter((r) => r === id), id).toHaveLength(1);
      expect(acked.has(id), id).toBe(false);
    }
  }, 120_000);
});
