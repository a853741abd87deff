/**
 * Link previews made from pages on a local server: the Open Graph facts
 * (and the fallbacks to <title> and the description meta), the inline JPEG
 * and the larger one handed to the upload, the first link of a text, and
 * failures that leave the text without a preview or the preview without
 * its image, each saying why.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebFetcher, createLinkPreviewMaker, firstLink, readOpenGraph, type LinkPreviewMaker } from '../../../src/account/link-preview/index.js';
import type { UploadedMedia } from '../../../src/account/media/index.js';
import { bytes, html, ogPage, startPages, type Pages } from './pages.js';

let pages: Pages;
let png: Uint8Array;
const uploads: Uint8Array[] = [];
const web = new WebFetcher({ allowPrivateNetworks: true, maxPageBytes: 64 << 10, maxImageBytes: 1 << 20, maxRedirects: 2 });
let make: LinkPreviewMaker;

beforeAll(async () => {
  png = new Uint8Array(await sharp({ create: { width: 1200, height: 630, channels: 3, background: '#1e6e4f' } }).png().toBuffer());
  pages = await startPages();
  pages.route('/article', html(ogPage({ title: 'Open &amp; Graph', description: 'All about it', image: '/img.png' })));
  pages.route('/plain', html('<html><head><title> Just   a title </title><meta name="description" content="from meta"></head></html>'));
  pages.route('/untitled', html('<html><body>nothing</body></html>'));
  pages.route('/broken-image', html(ogPage({ title: 'T', image: '/missing.png' })));
  pages.route('/not-image', html(ogPage({ title: 'T', image: '/garbage.png' })));
  pages.route('/img.png', bytes('image/png', png));
  pages.route('/garbage.png', bytes('image/png', new Uint8Array(64).fill(7)));
  make = createLinkPreviewMaker({
    web,
    timeoutMs: 5_000,
    now: () => 1_700_000_000_000,
    upload: async (jpeg): Promise<UploadedMedia> => {
      uploads.push(jpeg);
      return { type: 'thumbnail-link', mediaKey: new Uint8Array(32).fill(1), directPath: '/mms/image/x', fileSha256: new Uint8Array(32).fill(2), fileEncSha256: new Uint8Array(32).fill(3), fileLength: jpeg.length };
    },
  });
});

afterAll(async () => {
  await pages?.close();
  await web.close();
});

describe('generated previews', () => {
  it('takes the Open Graph facts and makes both thumbnails of the image', async () => {
    const link = `${pages.base}/article`;
    const made = await make(`look at ${link}.`, true);
    expect(made.error).toBeUndefined();
    expect(made.preview).toMatchObject({ matchedText: link, title: 'Open & Graph', description: 'All about it' });
    const inline = await sharp(Buffer.from(made.preview!.jpegThumbnail!)).metadata();
    expect(inline).toMatchObject({ format: 'jpeg', width: 192, height: 101 });
    const hq = made.preview!.thumbnail!;
    expect(hq).toMatchObject({ directPath: '/mms/image/x', width: 720, height: 378, mediaKeyTimestamp: 1_700_000_000 });
    expect(await sharp(Buffer.from(uploads.at(-1)!)).metadata()).toMatchObject({ format: 'jpeg', width: 720, height: 378 });
  });

  it('falls back to <title> and the description meta', async () => {
    const made = await make(`${pages.base}/plain`, true);
    expect(made).toEqual({ preview: { matchedText: `${pages.base}/plain`, title: 'Just a title', description: 'from meta' } });
  });

  it('sends no preview, and says why, when there is none to make', async () => {
    expect((await make('no link here', true)).error).toMatch(/^NO_LINK: /);
    expect(await make(`${pages.base}/untitled`, true)).toEqual({ error: expect.stringMatching(/^NO_TITLE: /) });
    expect(await make(`${pages.base}/nowhere`, true)).toEqual({ error: expect.stringMatching(/^HTTP_STATUS: .* 404/) });
  });

  it('keeps the preview without its image when the image cannot be had', async () => {
    const missing = await make(`${pages.base}/broken-image`, true);
    expect(missing.preview).toEqual({ matchedText: `${pages.base}/broken-image`, title: 'T' });
    expect(missing.error).toMatch(/^HTTP_STATUS: /);
    const garbage = await make(`${pages.base}/not-image`, true);
    expect(garbage.preview).toEqual({ matchedText: `${pages.base}/not-image`, title: 'T' });
    expect(garbage.error).toMatch(/^BAD_IMAGE: /);
  });
});

describe('given previews', () => {
  it('sends what the caller gave, the thumbnails made from its image, with no fetch', async () => {
    const before = pages.hits.length;
    const made = await make('see https://example.com/x', { url: 'https://example.com/x', title: 'Given', description: 'by the caller', thumbnail: png });
    expect(made.error).toBeUndefined();
    expect(made.preview).toMatchObject({ matchedText: 'https://example.com/x', title: 'Given', description: 'by the caller', thumbnail: { width: 720, height: 378 } });
    expect(made.preview!.jpegThumbnail!.length).toBeGreaterThan(100);
    expect(pages.hits.length).toBe(before);
  });
});

describe('reading pages', () => {
  it('takes the first of each tag, Twitter tags as a fallback, resolves the image against the page', () => {
    const facts = readOpenGraph(
      `<head><meta name="twitter:title" content="tw"><meta property="og:description" content="one"><meta property="og:description" content="two">
       <meta name="twitter:image" content="../pics/a.jpg"><svg><title>icon</title></svg></head>`,
      'https://site.example/blog/post',
    );
    expect(facts).toEqual({ title: 'tw', description: 'one', image: 'https://site.example/pics/a.jpg' });
    expect(readOpenGraph('<meta property="og:image" content="javascript:alert(1)"><title>x</title>', 'https://a.example/')).toEqual({ title: 'x' });
  });

  it('finds the first http(s) link of a text, without the punctuation around it', () => {
    expect(firstLink('see https://a.example/x?y=1.')).toBe('https://a.example/x?y=1');
    expect(firstLink('(at http://a.example/b)')).toBe('http://a.example/b');
    expect(firstLink('wiki https://en.wikipedia.org/wiki/Foo_(bar) ok')).toBe('https://en.wikipedia.org/wiki/Foo_(bar)');
    expect(firstLink('ftp://x.example and https://y.example')).toBe('https://y.example');
    expect(firstLink('no link')).toBeUndefined();
  });
});
