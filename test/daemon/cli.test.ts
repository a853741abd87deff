// `wad daemon` as a process (runDaemon): exactly one ready line on stdout,
// the control socket at <data-dir>/wad.sock, logs on stderr, a graceful
// SIGTERM within 10 s; bad arguments exit non-zero with a one-line error.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDaemonArgs } from '../../src/cli/daemon.js';

const root = join(import.meta.dirname, '..', '..');
const entry = `import { runDaemon } from ${JSON.stringify(join(root, 'src/cli/daemon.ts'))}; process.exitCode = await runDaemon(process.argv.slice(1));`;

function run(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', entry, '--', ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('wad daemon', () => {
  it('prints one ready line, serves the socket, stops on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wad-cli-'));
    dirs.push(dir);
    const p = run(['--data-dir', dir], { WAD_LOG_LEVEL: 'info' });
    const deadline = Date.now() + 20_000;
    while (!p.out().includes('\n')) {
      if (Date.now() > deadline || p.child.exitCode !== null) throw new Error(`no ready line: ${p.err()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const lines = p.out().trim().split('\n');
    expect(lines).toHaveLength(1);
    const ready = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(ready).toEqual({ event: 'ready', socket: join(dir, 'wad.sock'), pid: p.child.pid });
    expect(existsSync(join(dir, 'wad.sock'))).toBe(true);
    const t0 = Date.now();
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(existsSync(join(dir, 'wad.sock'))).toBe(false);
    // Logs are pino JSON on stderr.
    expect(p.err().split('\n').filter(Boolean).every((l) => l.startsWith('{'))).toBe(true);
    expect(p.out().trim().split('\n')).toHaveLength(1);
  }, 30_000);

  it('refuses bad arguments with one line on stderr', async () => {
    const p = run(['--bogus']);
    expect(await p.exited).toBe(2);
    expect(p.err().trim().split('\n')).toHaveLength(1);
    expect(p.err()).toContain('unknown option --bogus');
    expect(() => parseDaemonArgs(['--config'])).toThrow('--config needs a value');
    expect(parseDaemonArgs(['--config=a.json', '--data-dir', 'd'])).toEqual({ help: false, config: 'a.json', dataDir: 'd' });
  }, 30_000);

  it('reports a config error as one line and exit 1', async () => {
    const p = run(['--config', '/nonexistent/wad.json']);
    expect(await p.exited).toBe(1);
    expect(p.err().trim().split('\n')).toHaveLength(1);
    expect(p.err()).toMatch(/cannot start: config file not found/);
  }, 30_000);
});
