/**
 * `wad sim` as a process (CONTRACTS §1): exactly one ready JSON line on
 * stdout, a working admin API behind it, a clean exit 0 on SIGTERM, and
 * one-line errors for bad arguments.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSimArgs } from '../../src/cli/sim.js';
import { wadArgs } from '../support/wad-process.js';

const NODE_ARGS = wadArgs('sim');

describe('parseSimArgs', () => {
  it('reads the documented options', () => {
    expect(parseSimArgs(['--host', '0.0.0.0', '--port=8080', '--data-dir', '/tmp/x'])).toMatchObject({ host: '0.0.0.0', port: 8080, dataDir: '/tmp/x' });
    expect(parseSimArgs([])).toMatchObject({ host: '127.0.0.1', port: 0 });
    expect(() => parseSimArgs(['--port', '70000'])).toThrow(/--port/);
    expect(() => parseSimArgs(['--bogus'])).toThrow(/unknown option/);
    expect(() => parseSimArgs(['--data-dir'])).toThrow(/needs a value/);
  });
});

describe('wad sim', () => {
  it('prints one ready line, serves the admin API, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, NODE_ARGS, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const ready = await new Promise<Record<string, string>>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no ready line')), 20_000);
      child.stdout.on('data', () => {
        if (out.includes('\n')) {
          clearTimeout(t);
          resolve(JSON.parse(out.split('\n')[0]!) as Record<string, string>);
        }
      });
      child.once('exit', () => reject(new Error('exited before ready')));
    });
    expect(Object.keys(ready).sort()).toEqual(['adminUrl', 'event', 'mediaCaPath', 'mediaUrl', 'rootPublicKey', 'wsUrl']);
    expect(ready.event).toBe('ready');
    expect(ready.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/ws\/chat$/);
    expect(ready.adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ready.mediaUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(ready.rootPublicKey).toMatch(/^[0-9a-f]{64}$/);
    expect(existsSync(ready.mediaCaPath!)).toBe(true);
    const res = await fetch(`${ready.adminUrl}/phones`, { method: 'POST', body: JSON.stringify({ phone: '15556660001' }) });
    expect(res.status).toBe(201);

    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', (c) => resolve(c));
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
    expect(out.trim().split('\n')).toHaveLength(1);
  }, 30_000);

  it('answers --help with exit 0 and a bad option with exit 2 and one line on stderr', () => {
    const help = spawnSync(process.execPath, [...NODE_ARGS, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('usage: wad sim');
    const bad = spawnSync(process.execPath, [...NODE_ARGS, '--nope'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stdout).toBe('');
  }, 30_000);
});
