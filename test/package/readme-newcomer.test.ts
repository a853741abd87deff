/**
 * The README as a newcomer follows it, in a terminal of 80×24 and from a
 * directory outside the clone, with `wad` on the PATH: `wad demo`, then the
 * "use it with your phone" walk against `wad sim` (its env file sourced, a
 * daemon started, an account linked by pairing code, one by QR shown on a
 * screen too small for it, a text sent and one received, the account, chat,
 * message and event commands).
 *
 * `wad` is what `npm link` puts on the PATH: by default a link to this
 * checkout's bin/wad.js (which runs the built dist/); with
 * WAD_TEST_NEWCOMER_CLONE=1 a fresh clone of this checkout's HEAD installed
 * with the README's own `npm ci && npm link` (minutes: npm ci downloads and
 * builds everything).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLONE = process.env.WAD_TEST_NEWCOMER_CLONE === '1';
const PHONE = '15550190001';
const PEER = '15550190002';

let tmp: string;
let home: string;
let env: NodeJS.ProcessEnv;
const running: ChildProcess[] = [];

/** Output as a terminal shows it: escape sequences and carriage returns gone. */
function screenText(raw: string): string {
  return raw.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
}

/** A command line in a pseudo-terminal of 80×24 (`script`), from the newcomer's directory. */
function inTerminal(command: string): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn('script', ['-q', '-e', '-c', `stty cols 80 rows 24; ${command}`, '/dev/null'], { cwd: home, env, stdio: ['pipe', 'pipe', 'pipe'] });
  running.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, output: () => screenText(out), exited };
}

/** A command run to its end from the newcomer's directory (a shell line, as typed). */
function shell(line: string, timeoutMs = 60_000): { code: number; out: string } {
  try {
    const out = execFileSync('bash', ['-c', line], { cwd: home, env, timeout: timeoutMs, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: 0, out };
  } catch (err) {
    const e = err as { status?: number; stdout?: string; stderr?: string };
    return { code: e.status ?? -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function admin(url: string, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Where `wad` comes from: the directory npm link's bin went to. */
function installWad(): string {
  const bin = join(tmp, 'prefix', 'bin');
  if (!CLONE) {
    mkdirSync(bin, { recursive: true });
    symlinkSync(join(ROOT, 'bin', 'wad.js'), join(bin, 'wad'));
    return bin;
  }
  const clone = join(tmp, 'clone');
  execFileSync('git', ['clone', '-q', ROOT, clone], { stdio: 'ignore' });
  // The README's first command, word for word, with npm's global prefix in the temp dir.
  execFileSync('bash', ['-c', 'npm ci --no-audit --no-fund && npm link'], { cwd: clone, env: { ...process.env, npm_config_prefix: join(tmp, 'prefix') }, stdio: 'ignore', timeout: 900_000 });
  return bin;
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'wad-newcomer-'));
  home = join(tmp, 'home');
  mkdirSync(home, { recursive: true });
  const bin = installWad();
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('WAD_') && k !== 'XDG_DATA_HOME' && k !== 'NODE_OPTIONS'));
  env = { ...clean, HOME: home, PATH: `${bin}:${process.env.PATH ?? ''}`, TERM: 'xterm-256color' };
}, CLONE ? 900_000 : 30_000);

afterAll(async () => {
  for (const c of running) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  for (const c of running) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(!existsSync(join(ROOT, 'dist', 'cli', 'main.js')) && !CLONE)('the README, as a newcomer runs it (80×24, outside the clone)', () => {
  it('wad demo links two accounts and has them talk, and exits 0', async () => {
    const demo = inTerminal('wad demo');
    expect(await demo.exited).toBe(0);
    expect(demo.output()).toMatch(/Done: 2 accounts linked/);
  }, 180_000);

  it('with the simulator: pairing code on screen, QR too tall named as a PNG, then send, receive and read back', async () => {
    // Terminal 1: the simulator, its env lines into sim.env.
    const sim = spawn('bash', ['-c', 'exec wad sim --print-env > sim.env'], { cwd: home, env, stdio: ['ignore', 'ignore', 'pipe'] });
    running.push(sim);
    const envFile = join(home, 'sim.env');
    const adminUrl = await until('sim.env', () => existsSync(envFile) && /admin API: (\S+)/.exec(readFileSync(envFile, 'utf8'))?.[1], 60_000);

    // Terminal 2: a daemon pointed at it.
    const daemon = spawn('bash', ['-c', '. ./sim.env && exec wad daemon'], { cwd: home, env, stdio: ['ignore', 'pipe', 'pipe'] });
    running.push(daemon);
    let ready = '';
    daemon.stdout!.on('data', (d: Buffer) => (ready += d.toString()));
    await until('the daemon ready', () => ready.includes('"event":"ready"'), 60_000);

    await admin(adminUrl, '/phones', { phone: PHONE, name: 'Newcomer' });
    await admin(adminUrl, '/phones', { phone: PEER, name: 'Peer' });

    // By pairing code: the code is on the 80×24 screen, the phone types it, the command returns linked.
    const byCode = inTerminal(`wad account add work --phone ${PHONE}`);
    const code = await until('the pairing code on screen', () => /^ {4}([A-Z0-9]{4}-[A-Z0-9]{4})$/m.exec(byCode.output())?.[1], 60_000);
    expect(byCode.output().split('\n').length).toBeLessThan(24);
    await admin(adminUrl, `/phones/${PHONE}/link-code`, { code });
    expect(await byCode.exited).toBe(0);
    expect(byCode.output()).toMatch(/account work linked/);

    // By QR on 24 rows: the screen says where its PNG is instead of drawing half a QR.
    const byQr = inTerminal('wad account add spare');
    const png = await until('the QR named as a PNG', () => /open (\/\S+\.png),/.exec(byQr.output())?.[1], 60_000);
    expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
    expect(byQr.output()).not.toMatch(/[▀▄█]{10}/);
    byQr.child.kill('SIGINT');
    await byQr.exited;
    expect(shell('wad account remove spare').code).toBe(0);

    // The everyday commands, each from outside the clone.
    const sent = shell(`wad send work ${PEER} "hello from the README"`);
    expect(sent.code, sent.out).toBe(0);
    await admin(adminUrl, `/phones/${PEER}/messages`, { to: PHONE, text: 'hello back' });
    const messages = await until(
      'both messages stored',
      () => {
        const r = shell(`wad messages work ${PEER} --limit 10`);
        return r.code === 0 && r.out.includes('hello back') && r.out.includes('hello from the README') && r.out;
      },
      60_000,
    );
    expect(messages).toMatch(/hello back/);
    const list = shell('wad account list');
    expect(list.code, list.out).toBe(0);
    expect(list.out).toMatch(/work/);
    expect(shell('wad account status work').out).toMatch(/online/);
    const chats = shell('wad chat list work');
    expect(chats.code, chats.out).toBe(0);
    expect(chats.out).toContain(PEER);
    const events = shell('wad events');
    expect(events.code, events.out).toBe(0);
    expect(events.out).toContain('hello back');
  }, 240_000);
});
