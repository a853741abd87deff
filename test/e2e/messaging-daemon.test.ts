// Issue 7 through the whole daemon (createDaemon: connection actor, account
// supervisor, durable event log) with our messaging module, against Baileys
// through the simulator: messages in both directions and the durable
// `message:new` events; sends resolve on the server's `<ack class="message">`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Messaging } from '../../src/account/messaging/index.js';
import type { Daemon, WadEvent } from '../../src/daemon/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { BaileysClient, textOf } from '../sim/baileys-harness.js';
import { admin, daemonFor, linkByQr, sim as startSim, tempDir, until } from './support/daemon.js';

const W = '15550009001';
const B = '15550009002';
let s: SimHandle;
let dir: Awaited<ReturnType<typeof tempDir>>;
let d: Daemon;
let baileys: BaileysClient;

beforeAll(async () => {
  s = await startSim();
  dir = await tempDir('wad-e2e-msg-');
  await admin(s, 'POST', '/phones', { phone: W, name: 'Wad' });
  await admin(s, 'POST', '/phones', { phone: B, name: 'Bailey' });
  d = await daemonFor(s, dir.path, []);
  await linkByQr(s, d, 'wad', W);
  baileys = new BaileysClient(s, 'b');
  await baileys.linkByQr(B);
}, 60_000);

afterAll(async () => {
  baileys?.kill();
  await d?.stop();
  await s?.close();
  await dir?.remove();
});

describe('through the daemon', () => {
  it('a Baileys text becomes one durable message:new event, and Baileys gets our delivery receipt', async () => {
    const receipts: string[] = [];
    baileys.sock!.ws.on('CB:receipt', (n: { attrs: Record<string, string> }) => receipts.push(n.attrs.id!));
    const m = await baileys.sock!.sendMessage(`${W}@s.whatsapp.net`, { text: 'to the daemon' });
    const id = m!.key.id!;
    const ev = await until('message:new', async () => (await d.readEvents('wad', 0, 1000)).find((e) => e.type === 'message:new' && e.data.id === id));
    expect(ev.data).toMatchObject({ type: 'text', content: 'to the daemon', chat: `${B}@s.whatsapp.net`, fromMe: false });
    await until('receipt at Baileys', () => receipts.includes(id));
    // Field lesson 15: messaging's counters are readable with the account's status.
    expect(d.accountStatus('wad').counters).toMatchObject({ starts: 1, received: expect.any(Number), decryptFailures: 0 });
    expect(d.accountStatus('wad').counters!.received).toBeGreaterThanOrEqual(1);
  });

  it('sendMessage resolves after the server ack, and Baileys decodes it', async () => {
    const { messageId } = await d.sendMessage('wad', `${B}@s.whatsapp.net`, { type: 'text', content: 'from the daemon' });
    const got = await baileys.waitFor(() => baileys.received.find((x) => x.key.id === messageId), 'text at Baileys');
    expect(textOf(got)).toBe('from the daemon');
    const { messageId: loc } = await d.sendMessage('wad', B, { type: 'location', latitude: 1, longitude: 2 });
    expect((await baileys.waitFor(() => baileys.received.find((x) => x.key.id === loc), 'location')).message?.locationMessage?.degreesLongitude).toBe(2);
    const { messageId: r } = await d.react('wad', `${B}@s.whatsapp.net`, messageId, '👍');
    expect((await baileys.waitFor(() => baileys.received.find((x) => x.key.id === r), 'reaction')).message?.reactionMessage?.text).toBe('👍');
    await d.sendChatState('wad', `${B}@s.whatsapp.net`, 'composing');
  });

  it('groups through the daemon: create, metadata, send', async () => {
    const { jid } = await d.createGroup('wad', 'daemon group', [`${B}@s.whatsapp.net`]);
    const meta = await d.groupMetadata('wad', jid);
    expect(meta.participants.map((p) => p.jid).sort()).toEqual([`${B}@s.whatsapp.net`, `${W}@s.whatsapp.net`].sort());
    const { messageId } = await d.sendMessage('wad', jid, { type: 'text', content: 'hello group' });
    const got = await baileys.waitFor(() => baileys.received.find((x) => x.key.id === messageId), 'group text');
    expect(got.key.remoteJid).toBe(jid);
    expect(textOf(got)).toBe('hello group');
  });
});

describe('presence across a reconnect', () => {
  it('our subscription to a contact is renewed after the socket drops', async () => {
    const events: WadEvent[] = [];
    const off = d.onEvent((e) => events.push(e));
    try {
      const messaging = d.accounts.running('wad')!.messaging as Messaging;
      // The push name comes with the app state the phone shares at link: availability goes out without the phone sending anything.
      await until('push name from app state', () => d.accountStatus('wad').name === 'Wad');
      await d.sendPresence('wad', 'available');
      // Baileys, like us, says presence only with a push name (the simulator's pairing gives none).
      baileys.auth.creds.me!.name = 'Bailey';
      await baileys.sock!.sendPresenceUpdate('available');
      await messaging.subscribePresence(`${B}@s.whatsapp.net`);
      const presenceOf = (status: string, after: number) =>
        until(`${B} ${status}`, () => events.slice(after).find((e) => e.type === 'presence:update' && e.data.jid === `${B}@s.whatsapp.net` && e.data.status === status));
      await presenceOf('available', 0); // the answer to the subscription
      // The server forgets the subscription with the socket (the simulator does as WhatsApp).
      let mark = events.length;
      await admin(s, 'POST', '/faults', { kind: 'drop', phone: W });
      await until('reconnected', () => events.slice(mark).some((e) => e.type === 'connection:update' && e.data.state === 'online'));
      mark = events.length;
      await baileys.sock!.sendPresenceUpdate('unavailable');
      await presenceOf('unavailable', mark);
      await baileys.sock!.sendPresenceUpdate('available');
      await presenceOf('available', mark);
    } finally {
      off();
    }
  });
});

describe('push name', () => {
  it("is learned from what our own phone sends (the server's notify), and then presence goes out", async () => {
    await admin(s, 'POST', `/phones/${W}/messages`, { to: `${B}@s.whatsapp.net`, text: 'from my phone' });
    await until('push name learned', () => d.accountStatus('wad').name === 'Wad');
    await d.sendPresence('wad', 'available');
    const seen: Array<Record<string, string>> = [];
    baileys.sock!.ws.on('CB:presence', (n: { attrs: Record<string, string> }) => seen.push(n.attrs));
    await baileys.sock!.presenceSubscribe(`${W}@s.whatsapp.net`);
    await until('our presence at Baileys', () => seen.find((a) => a.from?.startsWith(W) && a.type !== 'unavailable'));
  });
});

describe('send pacing (accounts.sendRate, field lesson 13)', () => {
  it('sends beyond the burst wait for the rate, in order, and other accounts are not slowed', async () => {
    const S = '15550009003';
    const S2 = '15550009004';
    const slowDir = await tempDir('wad-e2e-paced-');
    await admin(s, 'POST', '/phones', { phone: S, name: 'Slow' });
    await admin(s, 'POST', '/phones', { phone: S2, name: 'Slow too' });
    // One token every 1.5 s, a burst of 1.
    const slow = await daemonFor(s, slowDir.path, [['accounts.sendRate', { perSecond: 1 / 1.5, burst: 1 }]]);
    try {
      await linkByQr(s, slow, 'slow', S);
      await linkByQr(s, slow, 'slow2', S2);
      const to = `${B}@s.whatsapp.net`;
      const t0 = Date.now();
      const first = await slow.sendMessage('slow', to, { type: 'text', content: 'paced 1' });
      const done: string[] = [];
      const second = slow.sendMessage('slow', to, { type: 'text', content: 'paced 2' }).then((r) => (done.push('2'), { ...r, at: Date.now() }));
      const third = slow.sendMessage('slow', to, { type: 'text', content: 'paced 3' }).then((r) => (done.push('3'), { ...r, at: Date.now() }));
      // Meanwhile another account of the same daemon sends at once: the bucket is per account.
      const other = await slow.sendMessage('slow2', to, { type: 'text', content: 'own bucket' });
      await baileys.waitFor(() => baileys.received.find((x) => x.key.id === other.messageId), 'the other account\'s text');
      expect(done).toEqual([]);
      const [r2, r3] = await Promise.all([second, third]);
      expect(done).toEqual(['2', '3']);
      // Lower bounds only: pacing can make a send later, never earlier.
      expect(r2.at - t0).toBeGreaterThanOrEqual(1400);
      expect(r3.at - t0).toBeGreaterThanOrEqual(2900);
      const texts = await baileys.waitFor(() => {
        const ids = [first.messageId, r2.messageId, r3.messageId];
        const got = ids.map((id) => baileys.received.find((x) => x.key.id === id));
        return got.every(Boolean) ? got.map((m) => textOf(m!)) : undefined;
      }, 'paced texts');
      expect(texts).toEqual(['paced 1', 'paced 2', 'paced 3']);
    } finally {
      await slow.stop();
      await slowDir.remove();
    }
  }, 30_000);
});
