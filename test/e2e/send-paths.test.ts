// `message:send` with a local `path`, through the whole daemon and the
// simulator, driven as a consumer on the Unix socket: a FIFO, /dev/zero,
// /proc/self/environ, a symlink to it, and files outside media.allowedRoots
// are refused with INVALID_PAYLOAD naming the reason; four FIFO sends at once
// (as many as libuv has threads) stall no account: the other account's text
// and this account's own go through meanwhile; a regular file inside the
// roots is sent.
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WadClient, WadClientError } from '../../src/client/index.js';
import type { Daemon } from '../../src/daemon/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { daemonWithSocket, linkOverSocket } from '../ipc/e2e-support.js';
import { admin, sim as startSim, tempDir, until } from './support/daemon.js';

const A = '15550029001';
const B = '15550029002';
const R = '15550029003';
let s: SimHandle;
let dir: Awaited<ReturnType<typeof tempDir>>;
let allowed: string;
let d: Daemon;
let client: WadClient;

interface PhoneMessage {
  id: string;
  from: string;
  text: string;
  type: string;
  message: { documentMessage?: { fileName?: string; fileLength?: string | number } };
}

beforeAll(async () => {
  s = await startSim();
  dir = await tempDir('wad-e2e-paths-');
  allowed = join(await realpath(dir.path), 'allowed');
  mkdirSync(allowed);
  mkdirSync(join(dir.path, 'outside'));
  writeFileSync(join(allowed, 'report.pdf'), Buffer.alloc(30_000, 1));
  writeFileSync(join(dir.path, 'outside', 'secret.txt'), 'not for sending');
  execFileSync('mkfifo', [join(allowed, 'pipe')]);
  symlinkSync('/proc/self/environ', join(allowed, 'env'));
  symlinkSync(join(dir.path, 'outside', 'secret.txt'), join(allowed, 'secret-link'));
  for (const [phone, name] of [[A, 'A'], [B, 'B'], [R, 'R']] as const) await admin(s, 'POST', '/phones', { phone, name });
  d = await daemonWithSocket(s, join(dir.path, 'data'), [['media.allowedRoots', [allowed]]]);
  client = await WadClient.connect({ socket: d.socketPath, reconnect: false });
  await linkOverSocket(client, s, 'a', A);
  await linkOverSocket(client, s, 'b', B);
}, 60_000);

afterAll(async () => {
  await client?.close();
  await d?.stop();
  await s?.close();
  await dir?.remove();
});

async function refusal(p: Promise<unknown>): Promise<{ code: string; reason: unknown }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WadClientError);
  return { code: (err as WadClientError).code, reason: (err as WadClientError).details?.['reason'] };
}

const received = (): Promise<PhoneMessage[]> => admin<PhoneMessage[]>(s, 'GET', `/phones/${R}/messages`);
const sendPath = (path: string) => client.send('a', R, { type: 'document', path, fileName: 'x.bin' });

describe('message:send with a local path', () => {
  it('four FIFO sends are refused at once and stall no account: both accounts text meanwhile', async () => {
    const fifo = [1, 2, 3, 4].map(() => refusal(sendPath(join(allowed, 'pipe'))));
    const texts = [client.sendText('b', R, 'from b while a names a FIFO'), client.sendText('a', R, 'from a while it names a FIFO')];
    expect(await Promise.all(fifo)).toEqual(Array(4).fill({ code: 'INVALID_PAYLOAD', reason: 'NOT_REGULAR' }));
    const ids = await Promise.all(texts);
    await until('both texts at the phone', async () => (await received()).filter((m) => ids.includes(m.id)).length === 2);
    expect((await received()).filter((m) => ids.includes(m.id)).map((m) => m.text).sort()).toEqual(['from a while it names a FIFO', 'from b while a names a FIFO']);
  });

  it.each([
    ['/dev/zero', () => '/dev/zero', 'SYSTEM_PATH'],
    ['/proc/self/environ', () => '/proc/self/environ', 'SYSTEM_PATH'],
    ['a symlink inside the roots to /proc/self/environ', () => join(allowed, 'env'), 'SYSTEM_PATH'],
    ['a file outside the allowed roots', () => join(dir.path, 'outside', 'secret.txt'), 'OUTSIDE_ROOTS'],
    ['a symlink inside the roots to a file outside', () => join(allowed, 'secret-link'), 'OUTSIDE_ROOTS'],
    ["the daemon's own data dir", () => join(dir.path, 'data', 'wad.sock'), 'SYSTEM_PATH'],
  ])('refuses %s with INVALID_PAYLOAD', async (_what, path, reason) => {
    expect(await refusal(sendPath(path()))).toEqual({ code: 'INVALID_PAYLOAD', reason });
  });

  it('sends a regular file inside the allowed roots, named after it', async () => {
    const id = await client.send('a', R, { type: 'document', path: join(allowed, 'report.pdf') });
    const got = await until('the document at the phone', async () => (await received()).find((m) => m.id === id));
    expect(got.type).toBe('document');
    expect(got.message.documentMessage).toMatchObject({ fileName: 'report.pdf' });
    expect(Number(got.message.documentMessage?.fileLength)).toBe(30_000);
    // The daemon still answers every account.
    expect((await client.listAccounts()).map((x) => x.state)).toEqual(['online', 'online']);
  });
});
