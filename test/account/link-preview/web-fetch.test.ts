/**
 * The bounds of link preview fetches, against a local server: private
 * addresses refused unless allowed (a literal address, and a name that
 * resolves to loopback at connect time), size caps with and without a
 * content-length, redirects bounded and followed, the deadline, and pages
 * that are not HTML. The address table itself on addresses alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LinkPreviewError, WebFetcher, isNonPublicAddress } from '../../../src/account/link-preview/index.js';
import { bytes, html, redirect, startPages, type Pages } from './pages.js';

let pages: Pages;
const open = new WebFetcher({ allowPrivateNetworks: true, maxPageBytes: 4096, maxImageBytes: 8192, maxRedirects: 2 });
const closed = new WebFetcher({ allowPrivateNetworks: false, maxPageBytes: 4096, maxImageBytes: 8192, maxRedirects: 2 });
const time = () => AbortSignal.timeout(5_000);

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    expect(err).toBeInstanceOf(LinkPreviewError);
    return (err as LinkPreviewError).code;
  }
}

beforeAll(async () => {
  pages = await startPages();
  pages.route('/page', html('<title>t</title>'));
  pages.route('/big', html(`<title>t</title>${'x'.repeat(10_000)}`));
  pages.route('/big-chunked', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    const chunk = 'y'.repeat(1000);
    for (let i = 0; i < 10; i++) res.write(chunk);
    res.end();
  });
  pages.route('/silent', () => {});
  pages.route('/image', bytes('image/png', new Uint8Array(100)));
  pages.route('/big-image', bytes('image/png', new Uint8Array(9000)));
  pages.route('/json', (_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  pages.route('/r1', redirect('/r2'));
  pages.route('/r2', redirect('/page'));
  pages.route('/r3', redirect('/r1'));
  pages.route('/to-file', redirect('file:///etc/passwd'));
  pages.route('/gone', (_req, res) => void res.writeHead(500).end());
});

afterAll(async () => {
  await pages?.close();
  await open.close();
  await closed.close();
});

describe('private networks', () => {
  it('refuses a loopback address named in the URL, and a name that resolves to one, unless allowed', async () => {
    expect(await codeOf(closed.page(`${pages.base}/page`, time()))).toBe('PRIVATE_ADDRESS');
    expect(await codeOf(closed.page(`http://localhost:${pages.port}/page`, time()))).toBe('PRIVATE_ADDRESS');
    expect(await codeOf(closed.page(`http://[::ffff:127.0.0.1]:${pages.port}/page`, time()))).toBe('PRIVATE_ADDRESS');
    // Nothing reached the server while refused.
    expect(pages.hits.filter((h) => h === '/page')).toHaveLength(0);
    const page = await open.page(`http://localhost:${pages.port}/page`, time());
    expect(new TextDecoder().decode(page.body)).toBe('<title>t</title>');
  });

  it('knows which addresses are not public', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255', '::1', '::', 'fd00::1', 'fc12::1', 'fe80::1', 'ff02::1', '::ffff:10.0.0.1', '::ffff:7f00:1', '64:ff9b::a00:1', '2002:c0a8:101::1', 'not-an-ip']) {
      expect(isNonPublicAddress(a), a).toBe(true);
    }
    for (const a of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '192.169.0.1', '2606:4700:4700::1111', '2a00:1450:4001::200e', '::ffff:8.8.8.8', '64:ff9b::808:808']) {
      expect(isNonPublicAddress(a), a).toBe(false);
    }
  });
});

describe('bounds', () => {
  it('refuses a page or an image past its cap, announced or not', async () => {
    expect(await codeOf(open.page(`${pages.base}/big`, time()))).toBe('TOO_LARGE');
    expect(await codeOf(open.page(`${pages.base}/big-chunked`, time()))).toBe('TOO_LARGE');
    expect(await codeOf(open.image(`${pages.base}/big-image`, time()))).toBe('TOO_LARGE');
    expect((await open.image(`${pages.base}/image`, time())).body).toHaveLength(100);
  });

  it('ends at the deadline when the server does not answer', async () => {
    expect(await codeOf(open.page(`${pages.base}/silent`, AbortSignal.timeout(300)))).toBe('TIMEOUT');
  });

  it('follows redirects up to the limit, never to another scheme', async () => {
    const page = await open.page(`${pages.base}/r1`, time());
    expect(page.url).toBe(`${pages.base}/page`);
    expect(await codeOf(open.page(`${pages.base}/r3`, time()))).toBe('REDIRECTS');
    expect(await codeOf(open.page(`${pages.base}/to-file`, time()))).toBe('REDIRECTS');
  });

  it('says what is wrong with an answer that is not a page', async () => {
    expect(await codeOf(open.page(`${pages.base}/json`, time()))).toBe('NOT_HTML');
    expect(await codeOf(open.image(`${pages.base}/page`, time()))).toBe('NOT_HTML');
    expect(await codeOf(open.page(`${pages.base}/gone`, time()))).toBe('HTTP_STATUS');
    expect(await codeOf(open.page(`http://127.0.0.1:1/page`, time()))).toBe('NETWORK');
  });
});
