/**
 * `wad account add` on a real terminal screen (tmux, 80×24, read back with
 * capture-pane), against an IPC server on a fake daemon that sends what the
 * real one sends while linking (a QR of WhatsApp's length every refresh, the
 * pairing code in each update with --phone): the pairing code stays
 * visible, the QR is drawn only whole (else the screen says where its PNG
 * is, and the QR appears once the window is tall enough), and the spinner
 * says why the daemon cannot reach WhatsApp. Skipped where tmux is missing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import QRCode from 'qrcode';
import { qrArt } from '../../src/cli/qr.js';
import { startIpcServer, type IpcServer } from '../../src/ipc/index.js';
import { FakeDaemon } from '../ipc/fake-daemon.js';
import { tempSocket } from '../ipc/raw.js';
import { wadArgs } from '../support/wad-process.js';

const HAVE_TMUX = spawnSync('tmux', ['-V']).status === 0;

// A QR string of the length WhatsApp's have: ref, noise key, identity key, ADV secret, platform.
const b64 = (n: number, fill: number) => Buffer.alloc(n, fill).toString('base64');
const QR = (n: number) => `2@${'R'.repeat(84)}${n},${b64(32, 1)},${b64(32, 2)},${b64(32, 3)},1`;

let fake: FakeDaemon;
let server: IpcServer;
let dir: string;
let socket: string;
let tmuxSocket: string;

const tmux = (...args: string[]): string => execFileSync('tmux', ['-S', tmuxSocket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
const screen = (name: string): string => tmux('capture-pane', '-p', '-t', name);

/** Polls the screen until `pred` holds (the command runs in its own pace). */
async function until(name: string, pred: (s: string) => boolean, what: string): Promise<string> {
  let s = '';
  for (let i = 0; i < 600; i++) {
    s = screen(name);
    if (pred(s)) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`screen never showed ${what}:\n${s}`);
}

function start(name: string, args: string[], size = { x: 80, y: 24 }): void {
  const cmd = [process.execPath, ...wadArgs(...args)].map((a) => `'${a}'`).join(' ');
  tmux('new-session', '-d', '-s', name, '-x', String(size.x), '-y', String(size.y), '-e', `WAD_SOCKET=${socket}`, `${cmd}; echo "exit=$?"; sleep 600`);
}

beforeAll(async () => {
  ({ dir, socket } = tempSocket());
  tmuxSocket = join(dir, 'tmux.sock');
  fake = new FakeDaemon();
  server = await startIpcServer(fake, { socketPath: socket });
});

afterAll(async () => {
  if (HAVE_TMUX) spawnSync('tmux', ['-S', tmuxSocket, 'kill-server']);
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * The command is waiting for the link: once its add was answered it subscribes to the
 * account's updates and, subscribed, asks for the state it starts from. From that
 * question on, every update the fake emits reaches the command.
 */
async function added(id: string): Promise<void> {
  const asked = () => fake.calls.some((c) => c.method === 'accountStatus' && c.args[0] === id);
  for (let i = 0; i < 600 && !asked(); i++) await new Promise((r) => setTimeout(r, 50));
  if (!asked()) throw new Error(`wad account add ${id} never subscribed to its updates`);
}

describe.skipIf(!HAVE_TMUX)('linking on an 80×24 screen', () => {
  it('--phone: the pairing code stays on screen through QR refreshes, and a new code replaces it visibly', async () => {
    start('phone', ['account', 'add', 'work', '--phone', '15551234567']);
    await added('work');
    // As the daemon does: every QR refresh carries the pairing code too.
    for (let n = 1; n <= 3; n++) fake.emit('work', 'connection:update', { state: 'qr', qr: QR(n), pairCode: 'ABCD1234' });
    const s = await until('phone', (s) => s.includes('ABCD-1234') && s.includes('waiting for the phone'), 'the pairing code');
    expect(s).toMatch(/^Pairing code for work:$/m);
    expect(s).toMatch(/^ {4}ABCD-1234$/m);
    expect(s).toMatch(/Link with phone number instead/);
    expect(s).not.toMatch(/[▀▄█]/);
    fake.emit('work', 'connection:update', { state: 'qr', qr: QR(4), pairCode: 'WXYZ5678' });
    const again = await until('phone', (s) => s.includes('WXYZ-5678'), 'the new code');
    expect(again).toMatch(/^ {4}WXYZ-5678$/m);
    fake.link('work');
    await until('phone', (s) => /account work linked/.test(s) && /exit=0/.test(s), 'the link');
  }, 180_000);

  it('the QR is drawn only whole: on 24 rows the screen names its PNG; grown to fit, the QR appears entire, and refreshes in place', async () => {
    const art = await qrArt(QR(1));
    const artRows = art.split('\n').length;
    expect(artRows + 2).toBeGreaterThan(24);
    start('qr', ['account', 'add', 'home']);
    await added('home');
    fake.emit('home', 'connection:update', { state: 'qr', qr: QR(1) });
    const small = await until('qr', (s) => s.includes('needs '), 'where the PNG is');
    expect(small).toMatch(new RegExp(`needs ${artRows + 2} rows × \\d+ columns; this terminal has 24 × 80`));
    expect(small).not.toMatch(/[▀▄█]/);
    const png = /open (\S+\.png),/.exec(small)?.[1];
    expect(png && existsSync(png)).toBe(true);
    expect(readFileSync(png!)).toEqual(await QRCode.toBuffer(QR(1), { type: 'png', errorCorrectionLevel: 'L', scale: 8, margin: 4 }));

    const drawn = (s: string) => s.split('\n').filter((l) => /[▀▄█]/.test(l));
    const qrNumber = (s: string) => Number(/\(QR #(\d+)\)$/m.exec(s)?.[1]);
    tmux('resize-window', '-t', 'qr', '-x', '80', '-y', String(artRows + 4));
    const big = await until('qr', (s) => drawn(s).length === artRows, 'the QR once it fits');
    // Every row of the QR is on screen under its header (the quiet border rows included), nothing of the notice left.
    expect(big.split('\n')[0]).toMatch(/^Scan with WhatsApp: .*\(QR #\d+\)$/);
    expect(big).not.toMatch(/needs \d+ rows/);
    const first = qrNumber(big);

    fake.emit('home', 'connection:update', { state: 'qr', qr: QR(2) });
    const refreshed = await until('qr', (s) => qrNumber(s) === first + 1, 'the refreshed QR');
    expect(refreshed.split('\n').filter((l) => l.startsWith('Scan with WhatsApp'))).toHaveLength(1);
    expect(drawn(refreshed)).toHaveLength(artRows);
    expect(refreshed.split('\n')[0]).toMatch(/^Scan with WhatsApp/);
    fake.link('home');
    await until('qr', (s) => /exit=0/.test(s), 'the link');
  }, 180_000);

  it('while WhatsApp cannot be reached, the spinner says why', async () => {
    start('down', ['account', 'add', 'away']);
    await added('away');
    fake.emit('away', 'connection:update', { state: 'reconnecting', reason: 'connection lost', cause: 'socket error: getaddrinfo ENOTFOUND web.whatsapp.com', delayMs: 3000, attempt: 2 });
    fake.emit('away', 'connection:update', { state: 'reconnecting', reason: 'connection lost', cause: 'socket error: connect ECONNREFUSED 127.0.0.1:9', delayMs: 3000, attempt: 2 });
    const s = await until('down', (s) => s.includes('ECONNREFUSED'), 'the cause');
    // One line, cut to the screen's width: a wrapped spinner line would leave its first part behind at each redraw.
    expect(s).toMatch(/^. cannot reach WhatsApp, retrying in 3 s: connect ECONNREFUSED 127\.0\.0\.1:9$/m);
    expect(s).not.toMatch(/ENOTFOUND/);
    fake.link('away');
    await until('down', (s) => /exit=0/.test(s), 'the link');
  }, 180_000);
});
