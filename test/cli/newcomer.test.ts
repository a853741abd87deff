/**
 * What a newcomer meets in their first hour, as processes against an IPC
 * server on a fake daemon: an empty text is refused (by the command and by
 * the daemon), `wad events` piped into `head` ends quietly, an unknown
 * --account is named instead of hanging, a named dump saves its position,
 * and sendFile of a missing file is a WadClientError.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WadClient, WadClientError } from '../../src/client/index.js';
import { loadConfig } from '../../src/config/index.js';
import { publishedWebVersion } from '../../src/protocol/pairing/version.js';
import { startHttpServer, type HttpServer } from '../../src/http/index.js';
import { startIpcServer, type IpcServer } from '../../src/ipc/index.js';
import { FakeDaemon } from '../ipc/fake-daemon.js';
import { tempSocket } from '../ipc/raw.js';
import { wadArgs } from '../support/wad-process.js';

let fake: FakeDaemon;
let server: IpcServer;
let dir: string;
let socket: string;

type Run = { code: number | null; stdout: string; stderr: string };

function collect(child: ReturnType<typeof spawn>): Promise<Run> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

function wad(args: string[]): Promise<Run> {
  return collect(spawn(process.execPath, wadArgs(...args), { env: { ...process.env, WAD_SOCKET: socket }, stdio: ['ignore', 'pipe', 'pipe'] }));
}

beforeAll(async () => {
  ({ dir, socket } = tempSocket());
  fake = new FakeDaemon();
  fake.seed('alice', '15550001111:2@s.whatsapp.net');
  server = await startIpcServer(fake, { socketPath: socket });
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('sending nothing', () => {
  it('an empty or blank text is a usage error, and the daemon refuses an empty text from any client', async () => {
    const before = fake.calls.filter((c) => c.method === 'sendMessage').length;
    const [empty, blank] = await Promise.all([wad(['send', 'alice', '15550002222', '']), wad(['send', 'alice', '15550002222', ' ', ''])]);
    for (const r of [empty, blank]) expect(r).toMatchObject({ code: 2, stderr: 'wad send: nothing to send: give a text (not empty) or --file PATH\n' });
    const client = await WadClient.connect({ socket, reconnect: false });
    try {
      const err = await client.sendText('alice', '15550002222', '').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WadClientError);
      expect(err).toMatchObject({ code: 'INVALID_PAYLOAD', details: { field: 'data.content' } });
      expect(fake.calls.filter((c) => c.method === 'sendMessage').length).toBe(before);
    } finally {
      await client.close();
    }
  }, 120_000);

  it('sendFile of a missing file or a directory is a WadClientError naming the path, before anything is uploaded', async () => {
    const client = await WadClient.connect({ socket, reconnect: false });
    try {
      const missing = join(dir, 'nope.jpg');
      const err = await client.sendFile('alice', '15550002222', missing).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WadClientError);
      expect(err).toMatchObject({ code: 'INVALID_PAYLOAD', message: `cannot send ${missing}: no such file`, details: { field: 'file', errno: 'ENOENT' } });
      const dirErr = await client.sendFile('alice', '15550002222', dir).catch((e: unknown) => e);
      expect(dirErr).toMatchObject({ code: 'INVALID_PAYLOAD', message: `cannot send ${dir}: not a regular file` });
      // The connection is still good for the next call.
      expect((await client.listAccounts()).map((a) => a.id)).toContain('alice');
    } finally {
      await client.close();
    }
  }, 120_000);
});

describe('wad events', () => {
  it('piped into head: no stack trace, exit 0', async () => {
    for (let i = 0; i < 3000; i++) fake.emit('alice', 'message:new', { id: `H${i}`, content: 'x'.repeat(100) }, 'x@s.whatsapp.net');
    const sh = spawn('sh', ['-c', `${[process.execPath, ...wadArgs('events', '--account', 'alice')].map((a) => `"${a}"`).join(' ')} | head -n 2`], {
      env: { ...process.env, WAD_SOCKET: socket },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const r = await collect(sh);
    expect(r.stdout.split('\n').slice(0, 2).map((l) => JSON.parse(l).type)).toEqual(['message:new', 'message:new']);
    expect(r.stderr).toBe('');
  }, 120_000);

  it('an unknown --account is named (exit 1) instead of printing nothing or waiting for ever', async () => {
    const r = await wad(['events', '--account', 'alcie']);
    expect(r).toMatchObject({ code: 1, stdout: '', stderr: "wad events: unknown account 'alcie' (see `wad account list`)\n" });
  }, 120_000);

  it('--name without --follow prints what its subscriber has not acked, and acks it: the next run prints only what came since', async () => {
    const first = await wad(['events', '--account', 'alice', '--name', 'dumper', '--types', 'message:new']);
    expect(first.code, first.stderr).toBe(0);
    const last = fake.accounts.get('alice')!.lastSeq;
    expect(JSON.parse(first.stdout.trim().split('\n').at(-1)!).seq).toBe(last);
    expect(fake.cursors.get('dumper\u0000alice')).toBe(last);
    fake.emit('alice', 'message:new', { id: 'AFTER', content: 'new' }, 'x@s.whatsapp.net');
    const second = await wad(['events', '--account', 'alice', '--name', 'dumper', '--types', 'message:new']);
    expect(second.stdout.trim().split('\n').map((l) => JSON.parse(l).data.id)).toEqual(['AFTER']);
  }, 120_000);
});

describe('wad sim --print-env', () => {
  it('prints shell lines that, sourced, point a daemon at the simulator: its endpoints, root key, media CA and Web build', async () => {
    const child = spawn(process.execPath, wadArgs('sim', '--print-env'), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    try {
      for (let i = 0; i < 1200 && !out.includes('# the simulator'); i++) await new Promise((r) => setTimeout(r, 100));
      const file = join(dir, 'sim.env');
      writeFileSync(file, out);
      // What a shell makes of them (quoting included), not what a regex thinks.
      const env = Object.fromEntries(
        execFileSync('sh', ['-c', `. "${file}" && env`], { env: { PATH: process.env['PATH'] ?? '' }, encoding: 'utf8' })
          .split('\n')
          .filter((l) => l.startsWith('WAD_'))
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      expect(Object.keys(env).sort()).toEqual(['WAD_SERVER_MEDIA_CA', 'WAD_SERVER_ROOT_KEY', 'WAD_SERVER_WEB_VERSION_URL', 'WAD_SERVER_WS_URL']);
      const config = loadConfig({ env });
      expect(config.server.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/ws\/chat$/);
      expect(config.server.rootPublicKey).toMatch(/^[0-9a-f]{64}$/);
      expect(readFileSync(config.server.mediaCaPath!, 'utf8')).toMatch(/BEGIN CERTIFICATE/);
      const sw = await fetch(config.server.webVersionUrl!);
      expect(sw.status).toBe(200);
      expect(publishedWebVersion(await sw.text())).toBeDefined();
    } finally {
      child.kill('SIGTERM');
    }
  }, 120_000);
});

describe('wad media download', () => {
  it('writes the verified file (0600), over the socket and over --url; an existing file or an unknown message is a one-line error', async () => {
    const bytes = randomBytes(300_000);
    fake.files.set('IMG1', {
      type: 'image',
      mimeType: 'image/jpeg',
      fileLength: bytes.length,
      fileName: 'cat.jpg',
      async *[Symbol.asyncIterator]() {
        for (let at = 0; at < bytes.length; at += 70_000) yield bytes.subarray(at, at + 70_000);
      },
    });
    const TOKEN = 'media-token-0123456789';
    const http: HttpServer = await startHttpServer(fake, { listen: { host: '127.0.0.1', port: 0 }, tokens: [{ token: TOKEN }] });
    try {
      const a = join(dir, 'a.jpg');
      const b = join(dir, 'b.jpg');
      const [sock, web, missing] = await Promise.all([
        wad(['media', 'download', 'alice', '15550002222', 'IMG1', '--to', a]),
        wad(['media', 'download', 'alice', '15550002222', 'IMG1', '--to', b, '--url', http.url, '--token', TOKEN, '--json']),
        wad(['media', 'download', 'alice', '15550002222', 'NOPE', '--to', join(dir, 'c.jpg')]),
      ]);
      expect(sock.code, sock.stderr).toBe(0);
      expect(sock.stdout).toBe(`${a} (image, image/jpeg, ${bytes.length} bytes, cat.jpg)\n`);
      expect(readFileSync(a).equals(bytes)).toBe(true);
      expect(statSync(a).mode & 0o777).toBe(0o600);
      expect(web.code, web.stderr).toBe(0);
      expect(JSON.parse(web.stdout)).toMatchObject({ messageId: 'IMG1', path: b, mimeType: 'image/jpeg', fileLength: bytes.length, fileName: 'cat.jpg' });
      expect(readFileSync(b).equals(bytes)).toBe(true);
      expect(statSync(b).mode & 0o777).toBe(0o600);
      expect(missing).toMatchObject({ code: 1, stderr: 'wad media download: no media NOPE\n' });
      const again = await wad(['media', 'download', 'alice', '15550002222', 'IMG1', '--to', a]);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/^wad media download: .*EEXIST|already exists/);
      expect(readFileSync(a).equals(bytes)).toBe(true);
    } finally {
      await http.close();
    }
  }, 120_000);
});
