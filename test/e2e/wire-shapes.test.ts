// The shapes wad puts on the wire where WhatsApp's own clients and the
// reference libraries agree, end to end through the simulator with an
// unmodified Baileys 7 client on the other side. What our device sent is read
// back from the simulator's per-device wire log (GET /devices/:device/wire).
// - every message we author carries messageContextInfo.messageSecret, 32 random
//   bytes of its own, which Baileys decodes (text stays `conversation`);
// - our delivery receipts are `inactive` until we say `available`, plain while
//   available, `inactive` again after `unavailable`;
// - a message we confirmed with a receipt gets no `<ack>` as well;
// - prekey fetches name every device with reason="identity".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WAMessage } from 'baileys';
import type { Daemon } from '../../src/daemon/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import type { WireEntry } from '../../src/sim/wire-log.js';
import { BaileysClient } from '../sim/baileys-harness.js';
import { admin, daemonFor, linkByQr, sim as startSim, tempDir, until } from './support/daemon.js';

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
