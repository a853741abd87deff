// Issue 7 through the whole daemon (createDaemon: connection actor, account
// supervisor, durable event log) with our messaging module, against Baileys
// through the simulator: messages in both directions and the durable
// `message:new` events. Sending needs the connection to hand the server's
// `<ack class="message">` (and presence/chatstate) to messaging's handlers;
// that part runs once the connection routes them (probed below).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeInbound, type InboundHooks } from '../../src/account/connection/inbound.js';
import { createMessaging } from '../../src/account/messaging/index.js';
import type { Daemon } from '../../src/daemon/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { BaileysClient, textOf } from '../sim/baileys-harness.js';
import { admin, daemonFor, linkByQr, sim as startSim, tempDir, until } from './support/daemon.js';

/** Whether the connection actor dispatches server acks to stanza handlers (needed for sends). */
function connectionRoutesAcks(): boolean {
  let dispatched = false;
  const hooks = new Proxy({} as InboundHooks, {
    get: (_t, name) => (name === 'dispatch' ? () => ((dispatched = true), true) : () => false),
  });
  routeInbound(hooks, { tag: 'ack', attrs: { class: 'message', id: 'x', from: 's.whatsapp.net' } }, 0);
  return dispatched;
}

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
  d = await daemonFor(s, dir.path, [], { createMessaging });
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
  });

  it.runIf(connectionRoutesAcks())('sendMessage resolves after the server ack, and Baileys decodes it', async () => {
    const { messageId } = await d.sendMessage('wad', `${B}@s.whatsapp.net`, { type: 'text', content: 'from the daemon' });
    const got = await baileys.waitFor(() => baileys.received.find((x) => x.key.id === messageId), 'text at Baileys');
    expect(textOf(got)).toBe('from the daemon');
    const { messageId: loc } = await d.sendMessage('wad', B, { type: 'location', latitude: 1, longitude: 2 });
    expect((await baileys.waitFor(() => baileys.received.find((x) => x.key.id === loc), 'location')).message?.locationMessage?.degreesLongitude).toBe(2);
  });
});
