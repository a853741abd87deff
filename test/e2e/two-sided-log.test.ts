// The event log as a consumer of WadClient reads it, through the daemon's control socket against
// the simulator, with Bailey on two devices (her phone and a Baileys 7 companion):
// - what we send is a message:new with fromMe: true, logged once (one event per message id, also
//   when our own phone sends: its copy comes as the phone's own message:new);
// - receipts about our message are merged over Bailey's devices: one `delivered`, then one `read`,
//   though both of her devices acknowledge it;
// - a consumer reads all of it through typed events (ev.type narrows ev.data, no casts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TypedWadEvent, WadClient } from '../../src/client/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import type { BaileysClient } from '../sim/baileys-harness.js';
import { admin, jidOf, until } from '../ipc/e2e-support.js';
import { baileysWorld, type BaileysWorld } from './support/baileys-world.js';

const W = '15550212001';
const B = '15550212002';

let world: BaileysWorld;
let s: SimHandle;
let wad: WadClient;
let baileys: BaileysClient;
let events: TypedWadEvent[];

/** What a consumer keeps of a chat: one line per message, each receipt step once. Typed by ev.type alone. */
interface Line {
  id: string;
  fromMe: boolean;
  text: string | undefined;
  steps: string[];
}

function transcript(evs: readonly TypedWadEvent[]): Map<string, Line> {
  const lines = new Map<string, Line>();
  for (const ev of evs) {
    if (ev.type === 'message:new') {
      lines.set(ev.data.id, { id: ev.data.id, fromMe: ev.data.fromMe, text: ev.data.content, steps: [] });
    } else if (ev.type === 'message:receipt' && ev.data.fromMe) {
      for (const id of ev.data.messageIds) lines.get(id)?.steps.push(ev.data.status);
    }
  }
  return lines;
}

beforeAll(async () => {
  world = await baileysWorld({
    prefix: 'wad-e2e-two-sided-',
    phones: [
      { phone: W, name: 'Wad' },
      { phone: B, name: 'Bailey' },
    ],
    accounts: [{ id: 'w', phone: W }],
    baileys: { id: 'b', phone: B },
    subscribe: { name: 'log', accounts: ['w'], types: ['message:new', 'message:receipt'], from: 'now' },
  });
  ({ sim: s, wad, baileys, events } = world);
}, 90_000);

afterAll(async () => {
  await world?.close();
});

describe('a two-sided event log', () => {
  it('our send is one message:new fromMe; its receipts from two devices are one delivered and one read', async () => {
    const messageId = await wad.sendText('w', B, 'hello from wad');
    const got = await baileys.waitFor(() => baileys.received.find((m) => m.key.id === messageId), 'our text at Baileys');
    // Both of Bailey's devices acknowledge it: her phone (the simulator's) and the Baileys companion.
    await until('delivered', () => transcript(events).get(messageId)?.steps.includes('delivered'));
    await baileys.sock!.readMessages([got.key]);
    await until('read', () => transcript(events).get(messageId)?.steps.includes('read'));
    // A later event shows the log has moved past any receipt still in flight.
    const after = await wad.sendText('w', B, 'second');
    await until('second logged', () => transcript(events).get(after));
    const line = transcript(events).get(messageId)!;
    expect(line).toMatchObject({ id: messageId, fromMe: true, text: 'hello from wad' });
    // `server` is our own phone having its copy (one device, told as it comes); Bailey's steps come once each.
    expect(line.steps.filter((step) => step !== 'server')).toEqual(['delivered', 'read']);
    expect(events.filter((e) => e.type === 'message:new' && e.data.id === messageId)).toHaveLength(1);
    // What message:list answers agrees: the message's status moved on to read.
    const stored = await wad.listMessages('w', B, { limit: 5 });
    expect(stored.find((m) => m.id === messageId)).toMatchObject({ fromMe: true, status: 'read' });
  });

  it("Bailey's reply and our own phone's message are logged once each, next to ours", async () => {
    await baileys.sock!.sendMessage(jidOf(W), { text: 'hi wad' });
    const { id: fromPhone } = await admin<{ id: string }>(s, 'POST', `/phones/${W}/messages`, { to: B, text: 'typed on the phone' });
    await until('both logged', () => {
      const lines = [...transcript(events).values()];
      return lines.some((l) => l.text === 'hi wad') && lines.some((l) => l.id === fromPhone);
    });
    const lines = [...transcript(events).values()];
    expect(lines.find((l) => l.text === 'hi wad')).toMatchObject({ fromMe: false });
    expect(lines.find((l) => l.id === fromPhone)).toMatchObject({ fromMe: true, text: 'typed on the phone' });
    const ids = events.filter((e) => e.type === 'message:new').map((e) => (e.type === 'message:new' ? e.data.id : ''));
    expect(new Set(ids).size).toBe(ids.length);
    expect(lines.filter((l) => l.fromMe).map((l) => l.text)).toEqual(['hello from wad', 'second', 'typed on the phone']);
  });
});
