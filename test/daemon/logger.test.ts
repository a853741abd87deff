/**
 * The daemon's log format: JSON lines unless a person is reading (stderr a
 * terminal, or format `pretty`), colour only on a terminal without NO_COLOR;
 * and `wad daemon` in a pseudo-terminal writes readable lines while the same
 * daemon into a pipe writes JSON.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { daemonLogger, logStyle } from '../../src/daemon/logger.js';

const ANSI = /\u001b\[[0-9;]*m/;

function written(format: 'auto' | 'json' | 'pretty', isTTY: boolean, env: NodeJS.ProcessEnv): string {
  const dir = mkdtempSync(join(tmpdir(), 'wad-log-'));
  try {
    const file = join(dir, 'log');
    const fd = openSync(file, 'w');
    const log = daemonLogger({ level: 'info', format }, { fd, sync: true, isTTY, env });
    log.child({ account: 'work' }).info({ state: 'online' }, 'connection state');
    log.flush?.();
    closeSync(fd);
    return readFileSync(file, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('log format', () => {
  it('pretty exactly when asked or auto on a terminal; colour only on a terminal without NO_COLOR', () => {
    fc.assert(
      fc.property(fc.constantFrom('auto', 'json', 'pretty', undefined), fc.boolean(), fc.option(fc.constantFrom('', '1', 'yes'), { nil: undefined }), (format, isTTY, noColor) => {
        const env = noColor === undefined ? {} : { NO_COLOR: noColor };
        const style = logStyle({ level: 'info', ...(format ? { format } : {}) }, { isTTY, env });
        const pretty = format === 'pretty' || ((format ?? 'auto') === 'auto' && isTTY);
        expect(style).toEqual({ pretty, colour: pretty && isTTY && !noColor });
      }),
    );
  });

  it('writes JSON lines into a file, readable lines (with the account) when pretty, ANSI colour only for a terminal', () => {
    const json = written('auto', false, {});
    expect(JSON.parse(json.trim())).toMatchObject({ level: 30, account: 'work', state: 'online', msg: 'connection state' });
    const plain = written('pretty', false, {});
    expect(plain).toMatch(/INFO.*connection state/);
    expect(plain).toContain('account: "work"');
    expect(plain).not.toMatch(ANSI);
    expect(written('auto', true, {})).toMatch(ANSI);
    expect(written('auto', true, { NO_COLOR: '1' })).not.toMatch(ANSI);
    expect(() => JSON.parse(written('json', true, {}).trim())).not.toThrow();
  });

  it('wad daemon in an 80x24 pseudo-terminal logs readable coloured lines; into a pipe, JSON', async () => {
    const bin = new URL('../../bin/wad.js', import.meta.url).pathname;
    const dir = mkdtempSync(join(tmpdir(), 'wad-logtty-'));
    try {
      const env = { ...process.env, WAD_DATA_DIR: dir, WAD_SOCKET: join(dir, 'wad.sock'), WAD_SERVER_WS_URL: 'ws://127.0.0.1:9/ws/chat' };
      delete (env as Record<string, string | undefined>)['NO_COLOR'];
      // `script` gives the daemon a terminal; once it is ready (its ready line names its pid) it is stopped.
      const tty = await new Promise<string>((resolve, reject) => {
        const child = spawn('script', ['-q', '-c', `stty cols 80 rows 24; ${process.execPath} ${bin} daemon`, '/dev/null'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let stopped = false;
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const pid = /"event":"ready"[^\n]*"pid":(\d+)/.exec(out)?.[1];
          if (pid && /daemon ready/.test(out) && !stopped) {
            stopped = true;
            process.kill(Number(pid), 'SIGTERM');
          }
        });
        child.on('error', reject);
        child.on('exit', () => resolve(out));
      });
      expect(tty).toMatch(/"event":"ready"/);
      expect(tty).toMatch(ANSI);
      expect(tty.replace(new RegExp(ANSI.source, 'g'), '')).toMatch(/INFO.*daemon ready/);
      expect(tty).not.toMatch(/\{"level":/);
      const piped = await new Promise<string>((resolve) => {
        const child = spawn(process.execPath, [bin, 'daemon'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
        let err = '';
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        child.stdout.once('data', () => setTimeout(() => child.kill('SIGTERM'), 200));
        child.on('exit', () => resolve(err));
      });
      const first = piped.split('\n').find((l) => l.startsWith('{'));
      expect(first).toBeDefined();
      expect(JSON.parse(first!)).toHaveProperty('level');
      expect(piped).not.toMatch(ANSI);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
