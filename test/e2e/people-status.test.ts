// Statuses end to end: the daemon with its control socket, driven by WadClient, against the
// simulator, with two Baileys 7 clients: one in the audience, one not.
// - a text status (with its background and font) and an image status we post reach the contact
//   in the audience, as Baileys decodes them, and no one else;
// - a Baileys status (sendMessage('status@broadcast', …, {statusJidList})) reaches us as
//   message:new on status@broadcast, and not the contact left out of its list;
// - our read receipt for it reaches the author as a read of that status, by us.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { runStatus } from '../../src/cli/status.js';
import { captureCli } from './support/cli-capture.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WadClient } from '../../src/client/index.js';
import type { WadEvent } from '../../src/contract/api.js';
import type { Daemon } from '../../src/daemon/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { BaileysClient, textOf } from '../sim/baileys-harness.js';
import { admin, jidOf, linkOverSocket, until } from '../ipc/e2e-support.js';
import { daemonWithHttp, GLOBAL } from '../http/support.js';
import { sim as startSim, tempDir } from './support/daemon.js';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const W = '15550200001';
/** In the audience. */
const B = '15550200002';
/** Not in the audience. */
const C = '15550200003';
const STATUS = 'status@broadcast';

let s: SimHandle;
let dir: Awaited<ReturnType<typeof tempDir>>;
let d: Daemon;
let wad: WadClient;
let inAudience: BaileysClient;
let leftOut: BaileysClient;
const events: WadEvent[] = [];

beforeAll(async () => {
  s = await startSim(process.env['SIM_LOG'] ? { log: (l) => console.log('SIM', l) } : {});
  dir = await tempDir('wad-e2e-status-');
  await admin(s, 'POST', '/phones', { phone: W, name: 'Wad' });
  await admin(s, 'POST', '/phones', { phone: B, name: 'Bailey' });
  await admin(s, 'POST', '/phones', { phone: C, name: 'Carol' });
  d = await daemonWithHttp(s, dir.path, []);
  d.onEvent((e) => events.push(e));
  wad = await WadClient.connect({ socket: d.socketPath });
  await linkOverSocket(wad, s, 'w', W);
  inAudience = new BaileysClient(s, 'b');
  await inAudience.linkByQr(B);
  leftOut = new BaileysClient(s, 'c');
  await leftOut.linkByQr(C);
}, 90_000);

afterAll(async () => {
  inAudience?.kill();
  leftOut?.kill();
  await wad?.close();
  await d?.stop();
  await s?.close();
  await dir?.remove();
});

const statusesOf = (c: BaileysClient) => c.received.filter((m) => m.key.remoteJid === STATUS);

/**
 * Nothing of the status reached `c`: a direct message sent after it, from the same sender, has
 * arrived, and the simulator delivers to one device in order, so a status routed to `c` would be there.
 */
async function nothingReached(c: BaileysClient, sentAfter: () => Promise<unknown>, marker: string): Promise<void> {
  await sentAfter();
  await c.waitFor(() => c.received.find((m) => textOf(m) === marker), `the marker ${marker}`);
  expect(statusesOf(c)).toEqual([]);
}

describe('statuses we post', () => {
  it('a text status reaches the contact in the audience, styled, and no one else', async () => {
    const id = await wad.sendStatus('w', [B], { type: 'text', content: 'Out of office until Monday', backgroundArgb: 0xff1e6e4f, font: 2 });
    const got = await inAudience.waitFor(() => statusesOf(inAudience).find((m) => m.key.id === id), 'our status');
    expect(got.key.fromMe).toBe(false);
    // Statuses come LID-addressed: the author is our LID (with our number beside it when shown).
    const me = (await wad.listAccounts()).find((a) => a.id === 'w')!;
    expect([jidOf(W), me.lid?.replace(/:\d+@/, '@')]).toContain(got.key.participant?.replace(/:\d+@/, '@'));
    const ext = got.message?.extendedTextMessage;
    expect(ext?.text).toBe('Out of office until Monday');
    expect(ext?.backgroundArgb).toBe(0xff1e6e4f);
    expect(ext?.font).toBe(2);
    // Kept with our messages, under status@broadcast.
    expect((await wad.listMessages('w', STATUS)).find((m) => m.id === id)).toMatchObject({ fromMe: true, content: 'Out of office until Monday' });

    await nothingReached(leftOut, () => wad.sendText('w', C, 'marker one'), 'marker one');
  });

  it('an image status with a caption reaches the audience only', async () => {
    const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 40, b: 40 } } }).jpeg().toBuffer();
    const id = await wad.sendStatus('w', [jidOf(B)], { type: 'image', base64: jpeg.toString('base64'), mimeType: 'image/jpeg', caption: 'new shop window' });
    const got = await inAudience.waitFor(() => statusesOf(inAudience).find((m) => m.key.id === id), 'our image status');
    expect(got.message?.imageMessage?.caption).toBe('new shop window');
    expect(Number(got.message?.imageMessage?.fileLength)).toBe(jpeg.length);
    await nothingReached(leftOut, () => wad.sendText('w', C, 'marker two'), 'marker two');
  });

  it('is refused without an audience, and an audience is refused on another chat', async () => {
    await expect(wad.send('w', STATUS, { type: 'text', content: 'to nobody' })).rejects.toMatchObject({ code: 'INVALID_PAYLOAD' });
    await expect(wad.send('w', B, { type: 'text', content: 'x', audience: [B] })).rejects.toMatchObject({ code: 'INVALID_PAYLOAD' });
  });
});

/** Runs `wad status <args>` in this process, capturing what it prints. */
const wadStatus = (args: string[]) => captureCli(runStatus, args);

describe('wad status send', () => {
  it('posts a text status over the socket and a file status over --url, to the audience named', async () => {
    const text = await wadStatus(['send', 'w', '--to', `+${B}`, 'Closed today', '--background', '112233', '--font', '3', '--socket', d.socketPath]);
    expect(text.code).toBe(0);
    const textId = text.out.trim();
    const got = await inAudience.waitFor(() => statusesOf(inAudience).find((m) => m.key.id === textId), 'the CLI text status');
    expect(got.message?.extendedTextMessage).toMatchObject({ text: 'Closed today', backgroundArgb: 0xff112233, font: 3 });

    const path = join(dir.path, 'window.jpg');
    await writeFile(path, await sharp({ create: { width: 32, height: 32, channels: 3, background: { r: 0, g: 90, b: 200 } } }).jpeg().toBuffer());
    const file = await wadStatus(['send', 'w', '--to', jidOf(B), '--file', path, '--caption', 'over http', '--url', d.http!.url, '--token', GLOBAL]);
    expect(file.code).toBe(0);
    const fileId = file.out.trim();
    const img = await inAudience.waitFor(() => statusesOf(inAudience).find((m) => m.key.id === fileId), 'the CLI image status');
    expect(img.message?.imageMessage?.caption).toBe('over http');
    await nothingReached(leftOut, () => wad.sendText('w', C, 'marker four'), 'marker four');
  });
});

describe("contacts' statuses", () => {
  it('a Baileys status reaches us as message:new on status@broadcast, and our read reaches its author', async () => {
    const sent = await inAudience.sock!.sendMessage(STATUS, { text: 'Bailey is on holiday' }, { statusJidList: [jidOf(W), inAudience.userJid] });
    const id = sent!.key.id!;
    const ev = await until('message:new of the status', () => events.find((e) => e.type === 'message:new' && e.data['id'] === id));
    expect(ev.conversationId).toBe(STATUS);
    expect(ev.data).toMatchObject({ chat: STATUS, sender: jidOf(B), fromMe: false, content: 'Bailey is on holiday' });
    await nothingReached(leftOut, () => inAudience.sock!.sendMessage(jidOf(C), { text: 'marker three' }), 'marker three');

    await wad.readStatuses('w', [id]);
    const read = await inAudience.waitFor(() => inAudience.groupReceipts.find((r) => r.id === id && r.kind === 'read'), 'the read receipt');
    expect(read.userJid.replace(/:\d+@/, '@')).toMatch(new RegExp(`^(${W}@s\\.whatsapp\\.net|[0-9]+@lid)$`));
  });
});
