// LID addressing end to end through the simulator, with unmodified Baileys 7
// clients as the other members:
// - a group our account creates is LID-addressed (as WhatsApp now makes new
//   groups): members are listed by LID, with their number only where they
//   show it; our account and two Baileys clients exchange texts both ways,
//   our sender key going to the members' LID devices; our account names the
//   sender by phone number when the server told it and by LID when the
//   member hides its number;
// - a 1:1 chat with a contact known only by its LID works both ways: the
//   contact sees our LID (and our number), we see only its LID.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WAMessage } from 'baileys';
import type { Daemon, WadEvent } from '../../src/daemon/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { BaileysClient, textOf } from '../sim/baileys-harness.js';
import { admin, daemonFor, linkByQr, sim as startSim, tempDir, until } from './support/daemon.js';

const W = '15550016001';
/** Shows its number. */
const C = '15550016002';
/** Hides its number: others see only its LID. */
const H = '15550016003';
const pn = (phone: string) => `${phone}@s.whatsapp.net`;
const userOf = (jid: string | null | undefined) => jid?.split(/[:@]/)[0];

let sim: SimHandle;
let dir: Awaited<ReturnType<typeof tempDir>>;
let d: Daemon;
let c: BaileysClient;
let h: BaileysClient;
const lids = new Map<string, string>();
const events: WadEvent[] = [];

const atWad = (id: string) => events.find((e) => e.account === 'wad' && e.type === 'message:new' && e.data.id === id);
const atBaileys = (client: BaileysClient, id: string) => client.received.find((m) => m.key.id === id);

beforeAll(async () => {
  sim = await startSim({ groupAddressingMode: 'lid' });
  dir = await tempDir('wad-e2e-lid-');
  for (const [phone, name] of [[W, 'Wad'], [C, 'Cee'], [H, 'Hidden']] as const) {
    const u = await admin<{ lid: string }>(sim, 'POST', '/phones', { phone, name });
    lids.set(phone, u.lid);
  }
  await admin(sim, 'POST', `/phones/${H}/phone-number-privacy`, { hidden: true });
  d = await daemonFor(sim, dir.path);
  d.onEvent((e) => events.push(e));
  await linkByQr(sim, d, 'wad', W);
  c = new BaileysClient(sim, 'c');
  h = new BaileysClient(sim, 'h');
  await c.linkByQr(C);
  await h.linkByQr(H);
}, 60_000);

afterAll(async () => {
  c?.kill();
  h?.kill();
  await d?.stop();
  await sim?.close();
  await dir?.remove();
});

describe('a LID-addressed group of our account and Baileys clients', () => {
  let group: string;

  it('lists its members by LID, with the numbers they show', async () => {
    ({ jid: group } = await d.createGroup('wad', 'lid group', [pn(C), pn(H)]));
    const meta = await d.groupMetadata('wad', group);
    expect(meta.addressingMode).toBe('lid');
    const byJid = new Map(meta.participants.map((p) => [p.jid, p]));
    expect([...byJid.keys()].sort()).toEqual([W, C, H].map((p) => lids.get(p)!).sort());
    expect(byJid.get(lids.get(C)!)?.phoneNumber).toBe(pn(C));
    expect(byJid.get(lids.get(H)!)?.phoneNumber).toBeUndefined();
    // Baileys reads the same list.
    const seen = await c.sock!.groupMetadata(group);
    expect(seen.addressingMode).toBe('lid');
    expect(seen.participants.map((p) => p.id).sort()).toEqual([...byJid.keys()].sort());
  });

  it('our text reaches both Baileys clients from our LID, with our number beside it', async () => {
    const { messageId } = await d.sendMessage('wad', group, { type: 'text', content: 'hello lid group' });
    for (const client of [c, h]) {
      const m = await client.waitFor(() => atBaileys(client, messageId), `our text at ${client.name}`);
      expect(textOf(m)).toBe('hello lid group');
      expect(m.key.remoteJid).toBe(group);
      expect(userOf(m.key.participant)).toBe(userOf(lids.get(W)));
      expect(m.key.participant).toMatch(/@lid$/);
      expect(m.key.participantAlt).toBe(pn(W));
    }
    // The members' phones are members' devices too: they decrypt it as well.
    for (const phone of [C, H]) {
      await until(`our text at the phone of ${phone}`, async () =>
        (await admin<Array<{ id: string; text: string }>>(sim, 'GET', `/phones/${phone}/messages`)).some((m) => m.id === messageId && m.text === 'hello lid group'),
      );
    }
    // Our sender key went to the members' LID devices (their phones and the Baileys companions).
    const holders = [...(await (await d.store.account('wad')).senderKeys.distributedTo(group))];
    for (const phone of [C, H]) {
      const lidUser = userOf(lids.get(phone));
      expect(holders.filter((j) => userOf(j) === lidUser && j.endsWith('@lid')).length).toBeGreaterThanOrEqual(2);
    }
    expect(holders.every((j) => j.endsWith('@lid'))).toBe(true);
  });

  it('Baileys texts reach our account: sender by number when shown, by LID when hidden', async () => {
    const fromC = (await c.sock!.sendMessage(group, { text: 'from cee' }))!.key.id!;
    const fromH = (await h.sock!.sendMessage(group, { text: 'from hidden' }))!.key.id!;
    const eC = await until('C’s text at our account', () => atWad(fromC));
    const eH = await until('H’s text at our account', () => atWad(fromH));
    expect(eC.data).toMatchObject({ chat: group, content: 'from cee', sender: pn(C), fromMe: false });
    expect(eH.data).toMatchObject({ chat: group, content: 'from hidden', sender: lids.get(H), fromMe: false });
    // And each Baileys client got the other's.
    expect(textOf(await h.waitFor(() => atBaileys(h, fromC), 'C’s text at H'))).toBe('from cee');
    const atC = await c.waitFor(() => atBaileys(c, fromH), 'H’s text at C');
    expect(textOf(atC)).toBe('from hidden');
    // H hides its number: C is told only its LID.
    expect(atC.key.participantAlt ?? undefined).toBeUndefined();
  });

  it('a member’s phone sends to it too, and our account and Baileys read it', async () => {
    const { id } = await admin<{ id: string }>(sim, 'POST', `/phones/${H}/messages`, { to: group, text: 'from a phone' });
    const e = await until('the phone’s text at our account', () => atWad(id));
    expect(e.data).toMatchObject({ chat: group, content: 'from a phone', sender: lids.get(H) });
    expect(textOf(await c.waitFor(() => atBaileys(c, id), 'the phone’s text at C'))).toBe('from a phone');
  });

  it('members who leave are named as on their messages: by number when shown, by LID when hidden', async () => {
    await c.sock!.groupLeave(group);
    await h.sock!.groupLeave(group);
    const left = (who: string) => events.find((e) => e.account === 'wad' && e.type === 'group:update' && JSON.stringify(e.data).includes(`"leave"`) && e.data.actor === who);
    const byC = await until('C’s leave at our account', () => left(pn(C)));
    expect(byC.data).toMatchObject({ group, changes: [{ action: 'leave', participants: [pn(C)] }] });
    const byH = await until('H’s leave at our account', () => left(lids.get(H)!));
    expect(byH.data).toMatchObject({ group, changes: [{ action: 'leave', participants: [lids.get(H)] }] });
  });
});

describe('a 1:1 chat with a contact known only by its LID', () => {
  let first: WAMessage;

  it('our text to the LID reaches it, from our LID with our number', async () => {
    const hLid = lids.get(H)!;
    const { messageId } = await d.sendMessage('wad', hLid, { type: 'text', content: 'to a lid' });
    first = await h.waitFor(() => atBaileys(h, messageId), 'our 1:1 text at H');
    expect(textOf(first)).toBe('to a lid');
    expect(userOf(first.key.remoteJid)).toBe(userOf(lids.get(W)));
    expect(first.key.remoteJid).toMatch(/@lid$/);
    expect(first.key.remoteJidAlt).toBe(pn(W));
  });

  it('its reply reaches our account in the LID chat, and its number never shows', async () => {
    const reply = (await h.sock!.sendMessage(first.key.remoteJid!, { text: 'reply from a lid' }))!.key.id!;
    const e = await until('the reply at our account', () => atWad(reply));
    expect(e.data).toMatchObject({ chat: lids.get(H), sender: lids.get(H), content: 'reply from a lid', fromMe: false });
    const mentionsNumber = events.some((x) => x.account === 'wad' && x.type === 'message:new' && JSON.stringify(x.data).includes(H));
    expect(mentionsNumber).toBe(false);
  });
});
