// `wad demo` as a user runs it: a process that links two accounts through
// simulated phones, has them exchange a text, a reply, a reaction and group
// messages over the control socket, prints it, and exits 0.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { wadArgs } from '../support/wad-process.js';

function demo(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, wadArgs('demo'), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, WAD_SOCKET: '', WAD_DATA_DIR: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('wad demo', () => {
  it('links two accounts, talks (text, reply, reaction, group), exits 0', async () => {
    const r = await demo();
    expect(r.stdout).toMatch(/✓ alice linked by QR code\s+as 15550000001:\d+@s\.whatsapp\.net/);
    expect(r.stdout).toMatch(/✓ bob linked by pairing code\s+[A-Z0-9]{4}-[A-Z0-9]{4} as 15550000002:\d+@s\.whatsapp\.net/);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/bob\s+⇐ alice\s+"Hi Bob! This message went through wad\."/);
    expect(r.stdout).toMatch(/alice ⇐ bob\s+↪ a reply to her message/);
    expect(r.stdout).toMatch(/bob\s+⇐ alice\s+👍 on his reply/);
    expect(r.stdout).toMatch(/bob\s+⇐ group\s+"Welcome to the group!"/);
    expect(r.stdout).toMatch(/alice ⇐ group\s+"Thanks, glad to be here\."/);
    expect(r.stdout).toMatch(/^Done:/m);
  }, 90_000);
});
