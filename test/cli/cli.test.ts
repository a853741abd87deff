/**
 * The `wad` commands as processes against an IPC server on a fake daemon:
 * --help everywhere, tables and --json lines, one-line errors with exit
 * codes (1 failed, 2 usage), account add with QR / pairing code until linked,
 * send (text and file), events as NDJSON.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startIpcServer, type IpcServer } from '../../src/ipc/index.js';
import { FakeDaemon } from '../ipc/fake-daemon.js';
import { tempSocket } from '../ipc/raw.js';
import { wadArgs } from '../support/wad-process.js';

// Each test starts `wad` processes (several at once): seconds alone, far more on a loaded 2-core machine.
const PROCESSES_MS = 120_000;

let fake: FakeDaemon;
let server: IpcServer;
let dir: string;
let socket: string;

function wad(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, wadArgs(...args), { env: { ...process.env, WAD_SOCKET: socket, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  ({ dir, socket } = tempSocket());
  fake = new FakeDaemon({ autoLinkMs: 300 });
  fake.seed('alice', '15550001111:2@s.whatsapp.net');
  fake.seed('bob', '15550002222:2@s.whatsapp.net');
  server = await startIpcServer(fake, { socketPath: socket });
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('help', () => {
  it('every command has --help, exit 0', async () => {
    const runs = await Promise.all([['--help'], ['account', '--help'], ['help', 'send']].map((a) => wad(a)));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    expect(runs[0]!.stdout).toMatch(/commands:[\s\S]*demo[\s\S]*account[\s\S]*events/);
    expect(runs[1]!.stdout).toMatch(/wad account <command>/);
    expect(runs[2]!.stdout).toMatch(/--file PATH/);
    // The rest in-process (a process each costs a second of transpiling).
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const { runDemo } = await import('../../src/cli/demo.js');
      const { runDaemon } = await import('../../src/cli/daemon.js');
      const { runEvents } = await import('../../src/cli/events.js');
      const { runSim } = await import('../../src/cli/sim.js');
      for (const run of [runDemo, runDaemon, runEvents, runSim]) expect(await run(['--help'])).toBe(0);
      expect(out.mock.calls.map((c) => String(c[0])).join('')).toMatch(/usage: wad demo[\s\S]*usage: wad daemon[\s\S]*usage: wad events[\s\S]*usage: wad sim/);
    } finally {
      out.mockRestore();
    }
  }, PROCESSES_MS);
});

describe('accounts', () => {
  it('list as a table and as JSON lines; status; restart', async () => {
    const [table, json, status, restart] = await Promise.all([wad(['account', 'list']), wad(['account', 'list', '--json']), wad(['account', 'status', 'bob', '--socket', socket]), wad(['account', 'restart', 'alice'])]);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+STATE\s+JID/);
    expect(table.stdout).toMatch(/alice\s+online\s+15550001111:2@s\.whatsapp\.net/);
    expect(json.stdout.trim().split('\n').map((l) => JSON.parse(l).id)).toEqual(['alice', 'bob']);
    expect(status.stdout).toMatch(/state\s+online/);
    expect(status.stdout).toMatch(/\ncounters\n {2}reconnects:connection lost\s+2\n {2}starts\s+1\n$/);
    expect(restart.stdout).toBe('account alice restarted\n');
    expect(fake.calls.some((c) => c.method === 'restartAccount' && c.args[0] === 'alice')).toBe(true);
  }, PROCESSES_MS);

  it('one-line errors: unknown account, no daemon, bad usage', async () => {
    const [unknown, none, usage, badCmd] = await Promise.all([
      wad(['account', 'status', 'ghost']),
      wad(['account', 'list', '--socket', join(dir, 'nothing.sock')]),
      wad(['account', 'stop']),
      wad(['account', 'frobnicate', 'x']),
    ]);
    expect(unknown).toMatchObject({ code: 1, stderr: "wad account status: unknown account 'ghost' (see `wad account list`)\n" });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^wad account list: no wad daemon is listening on .*nothing\.sock \(start one with `wad daemon`\)\n$/);
    expect(usage).toMatchObject({ code: 2, stderr: 'wad account stop: usage: wad account stop <id>\n' });
    expect(badCmd.code).toBe(2);
  }, PROCESSES_MS);

  it('add shows the QR and returns when linked (--json: one object per line)', async () => {
    const r = await wad(['account', 'add', 'carol', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.some((l) => l.event === 'connection:update' && typeof l.qr === 'string' && l.qr.startsWith('2@ref-carol'))).toBe(true);
    expect(lines.at(-1)).toMatchObject({ event: 'linked', account: 'carol' });
    const text = await wad(['account', 'add', 'erin']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/Scan with WhatsApp/);
    // Into a pipe: the QR's text, never a drawing in colour codes.
    expect(text.stdout).toMatch(/^2@ref-erin-\d,noise,identity,adv$/m);
    expect(text.stdout).not.toMatch(/\x1b\[|▄|█/);
    expect(text.stdout).toMatch(/account erin linked as /);
  }, PROCESSES_MS);

  it('add --phone prints the pairing code', async () => {
    const r = await wad(['account', 'add', 'dave', '--phone', '+15550004444']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Pairing code for dave:\n\n {4}ABCD-1234\n/m);
    expect(r.stdout).toMatch(/account dave linked/);
  }, PROCESSES_MS);
});

describe('chat actions and labels', () => {
  it('each verb makes its one call on the daemon; labels print their id; mistakes are usage errors', async () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const { runChat } = await import('../../src/cli/chat.js');
      const { runLabel } = await import('../../src/cli/chat-actions.js');
      const chat = '15550003333@s.whatsapp.net';
      const cmd = async (run: (a: string[]) => Promise<number>, args: string[]) => run([...args, '--socket', socket]);
      const from = fake.calls.length;
      for (const verb of ['archive', 'unarchive', 'pin', 'unpin', 'unmute', 'read', 'unread', 'clear', 'delete']) expect(await cmd(runChat, [verb, 'alice', '+15550003333'])).toBe(0);
      expect(await cmd(runChat, ['mute', 'alice', '15550003333', '--until', '2000000000'])).toBe(0);
      expect(await cmd(runChat, ['mute', 'alice', '15550003333'])).toBe(0);
      expect(await cmd(runChat, ['label', 'alice', '15550003333', '7', '--remove'])).toBe(0);
      expect(await cmd(runChat, ['star', 'alice', '15550003333', 'MSG1'])).toBe(0);
      expect(await cmd(runChat, ['delete-for-me', 'alice', '15550003333', 'MSG2'])).toBe(0);
      expect(await cmd(runLabel, ['add', 'alice', 'Leads', '--color', '2'])).toBe(0);
      expect(fake.calls.slice(from).map((c) => [c.method, ...c.args])).toEqual([
        ...['archive', 'unarchive', 'pin', 'unpin', 'unmute', 'markRead', 'markUnread', 'clear', 'delete'].map((a) => ['modifyChat', 'alice', chat, a]),
        ['modifyChat', 'alice', chat, 'mute', 2000000000],
        ['modifyChat', 'alice', chat, 'mute'],
        ['labelChat', 'alice', chat, '7', false],
        ['starMessage', 'alice', chat, 'MSG1', true],
        ['deleteMessageForMe', 'alice', chat, 'MSG2'],
        ['editLabel', 'alice', { name: 'Leads', color: 2 }],
      ]);
      expect(out.mock.calls.map((c) => String(c[0])).join('')).toBe('1\n');
      expect(await cmd(runChat, ['mute', 'alice', '15550003333', '--until', 'soon'])).toBe(2);
      expect(await cmd(runChat, ['star', 'alice', '15550003333'])).toBe(2);
      expect(await cmd(runChat, ['archive', 'alice', 'not a chat'])).toBe(2);
      expect(await cmd(runLabel, ['rename', 'alice'])).toBe(2);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });
});

describe('send and events', () => {
  it('sends text and files, prints the message id', async () => {
    const file = join(dir, 'pic.png');
    writeFileSync(file, Buffer.from('not really a png'));
    const [text, media, bad] = await Promise.all([
      wad(['send', 'alice', '15550002222', 'hello', 'there']),
      wad(['send', 'alice', '+15550002222', '--file', file, '--caption', 'look', '--json']),
      wad(['send', 'alice', 'nobody', 'x']),
    ]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^3EB0[0-9A-F]+\n$/);
    expect(JSON.parse(media.stdout)).toMatchObject({ messageId: expect.stringMatching(/^3EB0/), chat: '15550002222@s.whatsapp.net' });
    expect(fake.media.at(-1)!.content).toMatchObject({ type: 'image', mimeType: 'image/png', caption: 'look' });
    expect(bad).toMatchObject({ code: 2, stderr: "wad send: 'nobody' is not a jid, a phone number or a group id\n" });
    expect(fake.calls.find((c) => c.method === 'sendMessage' && (c.args[2] as { content?: string }).content === 'hello there')).toBeTruthy();
  }, PROCESSES_MS);

  it('events prints the retained log as NDJSON and exits; filters apply', async () => {
    for (let i = 1; i <= 3; i++) fake.emit('bob', 'message:new', { id: `E${i}`, content: `e${i}` }, '15550001111@s.whatsapp.net');
    fake.emit('bob', 'presence:update', { status: 'available' });
    const [all, filtered] = await Promise.all([wad(['events', '--account', 'bob']), wad(['events', '--account', 'bob', '--types', 'presence:update'])]);
    expect(all.code, all.stderr).toBe(0);
    const lines = all.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.type === 'message:new' && l.data.id.startsWith('E')).map((l) => l.data.id)).toEqual(['E1', 'E2', 'E3']);
    expect(lines.every((l, i) => i === 0 || l.seq > lines[i - 1].seq)).toBe(true);
    expect(lines[0]).toMatchObject({ account: 'bob', seq: expect.any(Number), type: expect.any(String), t: expect.any(Number) });
    expect(filtered.stdout.trim().split('\n').map((l) => JSON.parse(l).type)).toEqual(['presence:update']);
    const bad = await wad(['events', '--types', 'nope']);
    expect(bad.code).toBe(2);
  }, PROCESSES_MS);

  it('events --follow prints new events as they come and exits 0 on SIGINT', async () => {
    const child = spawn(process.execPath, wadArgs('events', '--follow', '--account', 'alice', '--types', 'message:new'), { env: { ...process.env, WAD_SOCKET: socket }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', r));
    // Live from the moment it subscribed: produce until the first one shows.
    for (let n = 0; !out.includes('LIVE'); n++) {
      fake.emit('alice', 'message:new', { id: `LIVE${n}`, content: 'now' }, 'x@s.whatsapp.net');
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(JSON.parse(out.trim().split('\n')[0]!)).toMatchObject({ account: 'alice', type: 'message:new', data: { id: expect.stringMatching(/^LIVE/), content: 'now' } });
  }, PROCESSES_MS);
});
