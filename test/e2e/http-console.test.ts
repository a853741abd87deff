// The web console in a real headless browser (Debian's chromium driven by
// puppeteer-core): log in with the token, add an account and link it by the
// QR drawn on the page (the simulated phone scans the QR string read from
// the page), see it online, send a text from the page and see it arrive at
// the phone, and see a message from the phone in the live events.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'puppeteer-core';
import type { Daemon } from '../../src/daemon/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { sim as startSim, tempDir } from './support/daemon.js';
import { admin, jidOf, until } from '../ipc/e2e-support.js';
import { daemonWithHttp, GLOBAL } from '../http/support.js';

const CHROMIUM = process.env['WAD_CHROMIUM'] ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const PHONE = '15550500001';
const PEER = '15550500002';

let s: SimHandle;
let dir: Awaited<ReturnType<typeof tempDir>>;
let d: Daemon;
let browser: Browser | undefined;
let page: Page;

if (!CHROMIUM) console.warn('http-console: no chromium found (apt-get install chromium, or set WAD_CHROMIUM): the browser test is skipped');

describe.skipIf(!CHROMIUM)('web console in headless chromium', () => {
  beforeAll(async () => {
    const { default: puppeteer } = await import('puppeteer-core');
    s = await startSim();
    dir = await tempDir('wad-e2e-console-');
    for (const p of [PHONE, PEER]) await admin(s, 'POST', '/phones', { phone: p, name: `P${p.slice(-1)}` });
    d = await daemonWithHttp(s, dir.path, []);
    browser = await puppeteer.launch({ executablePath: CHROMIUM!, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    page = await browser.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await d?.stop();
    await s?.close();
    await dir?.remove();
  });

  it('links an account by the QR on the page, sends a text from it, and shows live events', async () => {
    await page.goto(d.http!.url + '/');
    await page.type('#token', GLOBAL);
    await page.click('#login-form button');
    await page.waitForSelector('#app:not([hidden])');

    await page.type('#add-id', 'web');
    await page.click('#add-form button');
    await page.waitForSelector('#qr[data-qr]:not([hidden]) svg', { timeout: 20_000 });
    const qr = (await page.evaluate(`document.getElementById('qr').dataset.qr`)) as string;
    expect(qr.split(',').length).toBeGreaterThanOrEqual(4);
    await admin(s, 'POST', `/phones/${PHONE}/link`, { qr });
    await page.waitForFunction(`document.querySelector('tr[data-account="web"] .state')?.textContent === 'online'`, { timeout: 20_000 });
    await page.waitForSelector('#qr[hidden]');

    await page.select('#send-account', 'web');
    await page.type('#send-chat', PEER);
    await page.type('#send-text', 'hello from the console');
    await page.click('#send-form button');
    await page.waitForSelector('#send-form[data-last-sent]', { timeout: 20_000 });
    const messageId = (await page.evaluate(`document.getElementById('send-form').dataset.lastSent`)) as string;
    const got = await until('the phone got it', async () => {
      const msgs = await admin<Array<{ id: string; text: string }>>(s, 'GET', `/phones/${PEER}/messages`);
      return msgs.find((m) => m.id === messageId);
    });
    expect(got.text).toBe('hello from the console');

    await admin(s, 'POST', `/phones/${PEER}/messages`, { to: jidOf(PHONE), text: 'hello back to the page' });
    await page.waitForFunction(`document.getElementById('events').textContent.includes('hello back to the page')`, { timeout: 20_000 });
    // The table's counters follow (it refreshes on its own).
    await page.waitForFunction(`/\\bsent 1\\b/.test(document.querySelector('tr[data-account="web"] .counters')?.textContent ?? '')`, { timeout: 20_000 });
  }, 90_000);
});
