// Files named by path for a send: refused unless a regular file inside the
// allowed roots (judged on what was opened), bounded in size, and read
// through a gate that a hung file system cannot exhaust or stall.
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { IoGate, LocalFiles, MediaError, type LocalFileIo } from '../../../src/account/media/index.js';

let root: string;
let outside: string;
let files: LocalFiles;

beforeAll(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), 'wad-lf-root-')));
  outside = await realpath(await mkdtemp(join(tmpdir(), 'wad-lf-out-')));
  writeFileSync(join(root, 'photo.jpg'), Buffer.alloc(200_000, 7));
  writeFileSync(join(root, 'empty.txt'), '');
  writeFileSync(join(root, 'big.bin'), Buffer.alloc(5000));
  writeFileSync(join(outside, 'secret.txt'), 'secret');
  mkdirSync(join(root, 'data'));
  writeFileSync(join(root, 'data', 'keys'), 'keys');
  mkdirSync(join(root, 'dir'));
  execFileSync('mkfifo', [join(root, 'fifo')]);
  symlinkSync(join(outside, 'secret.txt'), join(root, 'link-out'));
  symlinkSync(join(root, 'photo.jpg'), join(root, 'link-in'));
  symlinkSync('/proc/self/environ', join(root, 'link-proc'));
  symlinkSync(outside, join(root, 'dir-out'));
  files = await LocalFiles.create({ allowedRoots: [root], deniedRoots: [join(root, 'data')], maxBytes: 300_000 });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

async function refusal(path: string, f = files): Promise<{ code: string; reason?: string }> {
  const err = await f.open(path).then(
    async (file) => {
      await file.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(err, path).toBeInstanceOf(MediaError);
  return { code: (err as MediaError).code, ...((err as MediaError).reason ? { reason: (err as MediaError).reason } : {}) };
}

describe('LocalFiles.open', () => {
  it('reads a regular file inside the roots, directly or through a symlink that stays inside', async () => {
    for (const p of [join(root, 'photo.jpg'), join(root, 'link-in')]) {
      const file = await files.open(p);
      expect(file.size).toBe(200_000);
      // Read twice: an image is read for its thumbnail, then to send.
      for (let i = 0; i < 2; i++) {
        const parts: Uint8Array[] = [];
        for await (const part of file.read()) parts.push(part);
        expect(Buffer.concat(parts).equals(Buffer.alloc(200_000, 7))).toBe(true);
      }
      await file.close();
    }
  });

  it.each([
    ['a FIFO (opening it must not wait for a writer)', () => join(root, 'fifo'), 'NOT_REGULAR'],
    ['/dev/zero', () => '/dev/zero', 'SYSTEM_PATH'],
    ['/proc/self/environ', () => '/proc/self/environ', 'SYSTEM_PATH'],
    ['a symlink inside the root to /proc', () => join(root, 'link-proc'), 'SYSTEM_PATH'],
    ['a file outside the roots', () => join(outside, 'secret.txt'), 'OUTSIDE_ROOTS'],
    ['a symlink inside the root to a file outside', () => join(root, 'link-out'), 'OUTSIDE_ROOTS'],
    ['a path through a symlinked directory that leads outside', () => join(root, 'dir-out', 'secret.txt'), 'OUTSIDE_ROOTS'],
    ['a denied dir inside the root (the data dir)', () => join(root, 'data', 'keys'), 'SYSTEM_PATH'],
    ['a dot-dot escape', () => join(root, '..', outside.split('/').pop()!, 'secret.txt'), 'OUTSIDE_ROOTS'],
    ['a directory', () => join(root, 'dir'), 'NOT_REGULAR'],
    ['an empty file', () => join(root, 'empty.txt'), 'EMPTY'],
    ['a missing file', () => join(root, 'nope'), 'NOT_FOUND'],
    ['a relative path', () => 'photo.jpg', 'NOT_ABSOLUTE'],
  ])('refuses %s', async (_what, path, reason) => {
    expect(await refusal(path())).toEqual({ code: 'PATH_REFUSED', reason });
  });

  it('refuses a file over the size bound on the descriptor, before reading', async () => {
    const small = await LocalFiles.create({ allowedRoots: [root], maxBytes: 4096 });
    expect(await refusal(join(root, 'big.bin'), small)).toEqual({ code: 'PATH_REFUSED', reason: 'TOO_LARGE' });
  });

  it('with no allowed roots, refuses every path', async () => {
    const none = await LocalFiles.create({ allowedRoots: [], maxBytes: 1 << 20 });
    expect(await refusal(join(root, 'photo.jpg'), none)).toEqual({ code: 'PATH_REFUSED', reason: 'OUTSIDE_ROOTS' });
  });
});

describe('a hung file system', () => {
  afterEach(() => void vi.useRealTimers());

  /** An fs whose open never returns, as on a dead network mount. */
  const hung: LocalFileIo = {
    realpath: async (p) => p,
    open: () => new Promise(() => {}),
    fdPath: async () => undefined,
  };

  it('times the caller out, keeps the hung calls in their slots, and refuses the rest without touching the file system', async () => {
    vi.useFakeTimers();
    const opens = vi.fn(hung.open);
    const f = await LocalFiles.create({ allowedRoots: ['/mnt'], maxBytes: 1 << 20 }, { io: { ...hung, realpath: async (p) => p, open: opens }, gate: { maxInFlight: 2, maxWaiting: 1, opTimeoutMs: 1000 } });
    const results = ['/mnt/a', '/mnt/b', '/mnt/c', '/mnt/d'].map((p) => f.open(p).then(() => 'opened', (e: MediaError) => e.code));
    await vi.advanceTimersByTimeAsync(1000);
    // a and b hang in their slots, c waits for one, d finds the queue full.
    expect(opens).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(await Promise.all(results)).toEqual(['TIMEOUT', 'TIMEOUT', 'TIMEOUT', 'TIMEOUT']);
    // The two hung opens still hold their threads: nothing more was started.
    expect(opens).toHaveBeenCalledTimes(2);
  });

  it('a root on a hung mount does not hang the start: it allows nothing and is reported', async () => {
    vi.useFakeTimers();
    const io: LocalFileIo = { ...hung, realpath: (p) => (p.startsWith('/mnt/dead') ? new Promise(() => {}) : Promise.resolve(p)) };
    const creating = LocalFiles.create({ allowedRoots: ['/mnt/dead', '/srv/media'], maxBytes: 1 << 20 }, { io, gate: { opTimeoutMs: 1000 } });
    await vi.advanceTimersByTimeAsync(1000);
    const f = await creating;
    expect(f.allowedRoots).toEqual(['/srv/media']);
    expect(f.unresolved).toEqual(['/mnt/dead']);
  });

  it('a read that hangs mid-file fails the send with TIMEOUT', async () => {
    vi.useFakeTimers();
    let reads = 0;
    const io: LocalFileIo = {
      realpath: async (p) => p,
      open: async () => ({
        fd: 3,
        stat: async () => ({ isFile: () => true, size: 200_000 }) as never,
        read: (async (buf: Buffer) => (++reads === 1 ? { bytesRead: buf.length, buffer: buf } : new Promise(() => {}))) as never,
        close: async () => {},
      }),
      fdPath: async () => undefined,
    };
    const f = await LocalFiles.create({ allowedRoots: ['/mnt'], maxBytes: 1 << 20 }, { io, gate: { opTimeoutMs: 500 } });
    const file = await f.open('/mnt/a');
    const read = (async () => {
      let n = 0;
      for await (const part of file.read()) n += part.length;
      return n;
    })().catch((e: MediaError) => e.code);
    await vi.advanceTimersByTimeAsync(500);
    expect(await read).toBe('TIMEOUT');
  });
});

describe('IoGate', () => {
  it('never runs more than maxInFlight calls, whatever order they return in', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.array(fc.nat(1000), { minLength: 1, maxLength: 30 }), async (max, order) => {
        const gate = new IoGate({ maxInFlight: max, maxWaiting: 100, opTimeoutMs: 60_000 });
        const finish: Array<() => void> = [];
        let running = 0;
        let peak = 0;
        const calls = order.map((_, i) =>
          gate.run(`op ${i}`, () => {
            running++;
            peak = Math.max(peak, running);
            return new Promise<number>((resolve) =>
              finish.push(() => {
                running--;
                resolve(i);
              }),
            );
          }),
        );
        // Return the started calls in the order the property picked until all are done.
        for (let done = 0; done < order.length; done++) {
          await new Promise((r) => setImmediate(r));
          const k = order[done]! % finish.length;
          finish.splice(k, 1)[0]!();
        }
        expect(await Promise.all(calls)).toEqual(order.map((_, i) => i));
        expect(peak).toBeLessThanOrEqual(max);
        expect(gate.inFlight).toBe(0);
      }),
      { numRuns: 100 },
    );
  });
});
