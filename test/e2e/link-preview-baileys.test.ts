// Link previews end to end, with an unmodified Baileys 7 client on the other
// side of the simulator and a page served on 127.0.0.1 (the daemon allows
// private networks here, as the config lets it):
// - a preview the daemon makes from the page's Open Graph tags and image,
//   sent over the control socket: Baileys sees title, description,
//   matchedText and the inline JPEG, and downloads and decrypts the uploaded
//   high-quality thumbnail with its own downloader and the link-thumbnail keys;
// - a preview the caller gives (with an image), over HTTP; both from `wad send`;
// - a preview Baileys sends, decoded by us into message:new, its high-quality
//   thumbnail fetched by media:download (as is ours);
// - a preview that cannot be made: the text goes without it, and the answer says why;
// - a field the request schema does not know: INVALID_PAYLOAD naming it, on the socket and over HTTP.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { downloadMediaMessage, prepareWAMessageMedia, type WAMessage } from 'baileys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSend } from '../../src/cli/send.js';
import { WadClient, WadClientError } from '../../src/client/index.js';
import type { Daemon, WadEvent } from '../../src/daemon/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { bytes, html, ogPage, startPages, type Pages } from '../account/link-preview/pages.js';
import { daemonWithHttp, http } from '../http/support.js';
import { admin, BaileysClient, waitUntil } from '../sim/baileys-harness.js';
import { mediaDispatcher } from '../sim/media-redirect.js';
import { runCli } from './support/cli-capture.js';
import { linkByQr, sim as startSim, tempDir } from './support/daemon.js';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const W = '15550024001';
const B = '15550024002';
let sim: SimHandle;
let dir: Awaited<ReturnType<typeof tempDir>>;
let d: Daemon;
let baileys: BaileysClient;
let client: WadClient;
let pages: Pages;
let png: Buffer;
const events: WadEvent[] = [];
const toBaileys = `${B}@s.whatsapp.net`;

beforeAll(async () => {
  png = await sharp({ create: { width: 1000, height: 500, channels: 3, background: '#c0392b' } }).png().toBuffer();
  pages = await startPages();
  pages.route('/article', html(ogPage({ title: 'Local &quot;news&quot;', description: 'Served on loopback', image: '/cover.png' })));
  pages.route('/cover.png', bytes('image/png', png));
  sim = await startSim();
  dir = await tempDir('wad-e2e-preview-');
  await admin(sim, 'POST', '/phones', { phone: W, name: 'Wad' });
  await admin(sim, 'POST', '/phones', { phone: B, name: 'Bailey' });
  d = await daemonWithHttp(sim, dir.path, [], [['linkPreview.allowPrivateNetworks', true]]);
  d.onEvent((e) => events.push(e));
  await linkByQr(sim, d, 'wad', W);
  baileys = new BaileysClient(sim, 'b');
  await baileys.linkByQr(B);
  client = await WadClient.connect({ socket: d.socketPath });
}, 90_000);

afterAll(async () => {
  await client?.close();
  baileys?.kill();
  await d?.stop();
  await sim?.close();
  await pages?.close();
  await dir?.remove();
});

const atBaileys = (id: string) => baileys.waitFor(() => baileys.received.find((m) => m.key.id === id), `message ${id}`);

/** What Baileys' own downloader makes of the high-quality thumbnail (thumbnail-link keys). */
async function baileysThumbnail(m: WAMessage): Promise<Buffer> {
  return (await downloadMediaMessage(m, 'buffer', { options: { dispatcher: mediaDispatcher(sim) } as RequestInit })) as Buffer;
}

describe('link previews seen by Baileys', () => {
  it('a preview made by the daemon from a local page, with both thumbnails', async () => {
    const link = `${pages.base}/article`;
    const sent = await client.sendLink('wad', B, `read this: ${link}`, true);
    expect(sent.linkPreviewError).toBeUndefined();
    const m = await atBaileys(sent.messageId);
    const ext = m.message?.extendedTextMessage;
    expect(ext).toMatchObject({ text: `read this: ${link}`, matchedText: link, title: 'Local "news"', description: 'Served on loopback' });
    expect(await sharp(Buffer.from(ext!.jpegThumbnail!)).metadata()).toMatchObject({ format: 'jpeg', width: 192, height: 96 });
    expect(ext).toMatchObject({ thumbnailWidth: 720, thumbnailHeight: 360 });
    expect(ext!.thumbnailDirectPath).toMatch(/^\/v\//);
    const hq = await baileysThumbnail(m);
    expect(await sharp(hq).metadata()).toMatchObject({ format: 'jpeg', width: 720, height: 360 });
    // The picture is the page's: its colour survived both resizes.
    const { dominant } = await sharp(hq).stats();
    expect(dominant.r).toBeGreaterThan(150);
    expect(dominant.g).toBeLessThan(100);
    // media:download of the text is its high-quality thumbnail, the same bytes Baileys decrypted.
    const ours = await client.downloadMedia('wad', B, sent.messageId);
    expect(ours).toMatchObject({ type: 'image', mimeType: 'image/jpeg' });
    expect(ours.data!.equals(hq)).toBe(true);
  }, 30_000);

  it('a preview given by the caller over HTTP, its image made into the thumbnails', async () => {
    const r = await http(d).post('/v1/message/send', {
      account: 'wad',
      chat: B,
      type: 'text',
      content: 'given https://example.com/given',
      linkPreview: { url: 'https://example.com/given', title: 'Given title', description: 'given description', thumbnail: png.toString('base64') },
    });
    expect(r.status).toBe(200);
    expect(r.body['linkPreviewError']).toBeUndefined();
    const m = await atBaileys(r.body['messageId'] as string);
    expect(m.message?.extendedTextMessage).toMatchObject({ matchedText: 'https://example.com/given', title: 'Given title', description: 'given description', thumbnailWidth: 720 });
    expect((await sharp(await baileysThumbnail(m)).metadata()).width).toBe(720);
  }, 30_000);

  it('a preview that cannot be made: the text goes without it, and the answer says why', async () => {
    const sent = await client.sendLink('wad', B, `broken ${pages.base}/missing`, true);
    expect(sent.linkPreviewError).toMatch(/^HTTP_STATUS: .*404/);
    const m = await atBaileys(sent.messageId);
    expect(m.message?.conversation ?? m.message?.extendedTextMessage?.text).toBe(`broken ${pages.base}/missing`);
    expect(m.message?.extendedTextMessage?.title).toBeFalsy();
  }, 30_000);
});

/** Runs `wad send …` in this process on our socket, capturing what it prints. */
const wadSend = (args: string[]) => runCli(runSend, d.socketPath, args);

describe('wad send with a link preview', () => {
  it('--preview has the daemon make it; --preview-title and --preview-image give it; a failure is printed', async () => {
    const link = `${pages.base}/article`;
    const made = await wadSend(['wad', B, `cli ${link}`, '--preview', '--json']);
    expect(made.code).toBe(0);
    const { messageId } = JSON.parse(made.out) as { messageId: string };
    expect((await atBaileys(messageId)).message?.extendedTextMessage).toMatchObject({ title: 'Local "news"', matchedText: link, thumbnailWidth: 720 });

    const image = join(dir.path, 'cover.png');
    writeFileSync(image, png);
    const given = await wadSend(['wad', B, 'given by cli https://example.com/cli', '--preview-title', 'CLI title', '--preview-image', image]);
    expect(given.code).toBe(0);
    expect((await atBaileys(given.out.trim())).message?.extendedTextMessage).toMatchObject({ title: 'CLI title', matchedText: 'https://example.com/cli', thumbnailHeight: 360 });

    const failed = await wadSend(['wad', B, 'no link at all', '--preview']);
    expect(failed.code).toBe(0);
    expect(failed.err).toMatch(/^sent without its link preview: NO_LINK: /);
  }, 30_000);
});

describe('link previews Baileys sends', () => {
  it('decoded into message:new with title, description, link and thumbnails', async () => {
    const thumb = await sharp(png).resize(64).jpeg().toBuffer();
    const sent = await baileys.sock!.sendMessage(`${W}@s.whatsapp.net`, {
      text: 'from Baileys https://b.example/post',
      linkPreview: { 'canonical-url': 'https://b.example/post', 'matched-text': 'https://b.example/post', title: 'B post', description: 'by Baileys', jpegThumbnail: thumb },
    });
    const got = await waitUntil(() => events.find((e) => e.type === 'message:new' && e.data['id'] === sent!.key.id), 'message:new', 20_000);
    expect(got.data).toMatchObject({ type: 'text', content: 'from Baileys https://b.example/post', linkPreview: { matchedText: 'https://b.example/post', title: 'B post', description: 'by Baileys', jpegThumbnail: thumb.toString('base64') } });
  }, 30_000);

  it('a high-quality thumbnail Baileys uploads with the link-thumbnail keys: named in message:new, fetched by media:download', async () => {
    const { imageMessage } = await prepareWAMessageMedia({ image: png }, { upload: baileys.sock!.waUploadToServer, mediaTypeOverride: 'thumbnail-link' });
    const sent = await baileys.sock!.sendMessage(`${W}@s.whatsapp.net`, {
      text: 'hq https://b.example/hq',
      linkPreview: { 'canonical-url': 'https://b.example/hq', 'matched-text': 'https://b.example/hq', title: 'HQ', highQualityThumbnail: imageMessage! },
    });
    const got = await waitUntil(() => events.find((e) => e.type === 'message:new' && e.data['id'] === sent!.key.id), 'message:new', 20_000);
    expect(got.data).toMatchObject({ linkPreview: { title: 'HQ', thumbnail: { directPath: imageMessage!.directPath, mediaKey: Buffer.from(imageMessage!.mediaKey!).toString('base64') } } });
    const file = await client.downloadMedia('wad', B, sent!.key.id!);
    expect(file.type).toBe('image');
    expect(file.data!.equals(png)).toBe(true);
  }, 30_000);
});

describe('fields the schema does not know', () => {
  it('are refused, named, on the socket and over HTTP, nested ones too', async () => {
    const refusal = async (data: Record<string, unknown>) => {
      try {
        await client.send('wad', B, data as never);
      } catch (err) {
        expect(err).toBeInstanceOf(WadClientError);
        return { code: (err as WadClientError).code, field: (err as WadClientError).details?.['field'] };
      }
      throw new Error('sent');
    };
    expect(await refusal({ type: 'text', content: 'x', linkPreveiw: true })).toEqual({ code: 'INVALID_PAYLOAD', field: 'data.linkPreveiw' });
    expect(await refusal({ type: 'text', content: 'x', linkPreview: { url: 'https://a.example', title: 't', image: 'AA==' } })).toEqual({ code: 'INVALID_PAYLOAD', field: 'data.linkPreview.image' });
    const r = await http(d).post('/v1/message/send', { account: 'wad', chat: B, type: 'text', content: 'x', colour: 'red' });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: { code: 'INVALID_PAYLOAD', details: { field: 'colour' } } });
    expect((r.body as { error: { message: string } }).error.message).toMatch(/^colour is not a field this request takes \(the fields there are type, content, /);
    const other = await http(d).post('/v1/group/create', { account: 'wad', subject: 's', participants: [B], admins: [B] });
    expect(other.body).toMatchObject({ error: { code: 'INVALID_PAYLOAD', details: { field: 'admins' } } });
  }, 30_000);
});
