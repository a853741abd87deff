// The crypto pool with real worker threads (running the TypeScript sources
// through tsx) and inline: per-session order under concurrency when each
// session's jobs run under a per-key lock (as an account's locks do), typed
// errors across the thread boundary, bounds, closing.
import { afterAll, describe, expect, it } from 'vitest';
import { GroupCipherError } from '../../../src/protocol/signal/group/index.js';
import { CryptoPool, CryptoPoolError, type CryptoPoolOptions, type JobRunner } from '../../../src/runtime/crypto-pool/index.js';
import { KeyedSerialQueue } from '../../../src/protocol/util/keyed-queue.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const SESSIONS = 20;
const PER_SESSION = 50;

/** Each session: a sender chain and one receiver of it, as stored bytes. */
async function setup(pool: CryptoPool) {
  const senders: Uint8Array[] = [];
  const receivers: Uint8Array[] = [];
  for (let i = 0; i < SESSIONS; i++) {
    const d = await pool.run('group.distribution', { record: null });
    senders.push(d.record);
    receivers.push((await pool.run('group.process', { record: null, distribution: d.distribution })).record);
  }
  return { senders, receivers };
}

/**
 * 1,000 interleaved sections (2,000 jobs) over 20 sessions, all submitted at
 * once. Each section reads the session's stored state, encrypts, decrypts and
 * stores: any two sections of one session running at once would reuse an
 * iteration, and later decrypts would fail or the final states differ.
 */
async function interleaved(pool: CryptoPool, start: { senders: Uint8Array[]; receivers: Uint8Array[] }) {
  const senders = [...start.senders];
  const receivers = [...start.receivers];
  const received: string[][] = Array.from({ length: SESSIONS }, () => []);
  const sections: Array<Promise<void>> = [];
  const locks = new KeyedSerialQueue({ maxPerKey: 1000, maxTotal: 20_000 });
  const job: JobRunner = (kind, input) => pool.run(kind, input);
  for (let n = 0; n < PER_SESSION; n++) {
    for (let k = 0; k < SESSIONS; k++) {
      const i = (k * 7 + n) % SESSIONS; // a different interleaving per round
      sections.push(
        locks.run(`s${i}`, async () => {
          const e = await job('group.encrypt', { record: senders[i]!, plaintext: new TextEncoder().encode(`${i}:${n}`) });
          senders[i] = e.record;
          const d = await job('group.decrypt', { record: receivers[i]!, ciphertext: e.ciphertext });
          receivers[i] = d.record;
          received[i]!.push(new TextDecoder().decode(d.plaintext));
        }),
      );
    }
  }
  await Promise.all(sections);
  return { senders, receivers, received };
}

const modes: Array<[string, CryptoPoolOptions]> = [
  ['worker threads', { threads: 2 }],
  ['inline', { inline: 'all' }],
];

const pools: CryptoPool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

describe.each(modes)('crypto pool (%s)', (_, options) => {
  const pool = new CryptoPool(options);
  pools.push(pool);

  it('keeps per-session order: 1,000 interleaved sections give the states of running them in order', async () => {
    const start = await setup(pool);
    const out = await interleaved(pool, start);
    // The same operations one after another, in this thread, with no pool.
    const reference = new CryptoPool({ inline: 'all' });
    const senders = [...start.senders];
    const receivers = [...start.receivers];
    for (let i = 0; i < SESSIONS; i++) {
      for (let n = 0; n < PER_SESSION; n++) {
        const e = await reference.run('group.encrypt', { record: senders[i]!, plaintext: new TextEncoder().encode(`${i}:${n}`) });
        senders[i] = e.record;
        receivers[i] = (await reference.run('group.decrypt', { record: receivers[i]!, ciphertext: e.ciphertext })).record;
      }
      expect(out.received[i]).toEqual(Array.from({ length: PER_SESSION }, (_, n) => `${i}:${n}`));
    }
    expect(out.senders.map(hex)).toEqual(senders.map(hex));
    expect(out.receivers.map(hex)).toEqual(receivers.map(hex));
    await reference.close();
  });

  it('rejects with the job’s own typed error, and the stored state is still good', async () => {
    const d = await pool.run('group.distribution', { record: null });
    const r = (await pool.run('group.process', { record: null, distribution: d.distribution })).record;
    const e = await pool.run('group.encrypt', { record: d.record, plaintext: new Uint8Array([7]) });
    const noKey = pool.run('group.decrypt', { record: null, ciphertext: e.ciphertext });
    await expect(noKey).rejects.toBeInstanceOf(GroupCipherError);
    await expect(noKey).rejects.toMatchObject({ code: 'NO_SENDER_KEY' });
    const bad = new Uint8Array(e.ciphertext);
    bad[bad.length - 1]! ^= 1;
    await expect(pool.run('group.decrypt', { record: r, ciphertext: bad })).rejects.toMatchObject({ name: 'GroupCipherError', code: 'BAD_SIGNATURE' });
    await expect(pool.run('group.encrypt', { record: new Uint8Array([9, 9]), plaintext: new Uint8Array(1) })).rejects.toMatchObject({ code: 'BAD_RECORD' });
    expect([...(await pool.run('group.decrypt', { record: r, ciphertext: e.ciphertext })).plaintext]).toEqual([7]);
  });

  it('rejects malformed jobs with BAD_JOB at the boundary', async () => {
    const input = { record: 'not bytes', plaintext: new Uint8Array(1) } as unknown as { record: Uint8Array; plaintext: Uint8Array };
    const failure = pool.run('group.encrypt', input);
    await expect(failure).rejects.toBeInstanceOf(CryptoPoolError);
    await expect(failure).rejects.toMatchObject({ code: 'BAD_JOB' });
    const unknownKind = pool.run('no.such.kind' as 'group.encrypt', { record: new Uint8Array(0), plaintext: new Uint8Array(0) });
    await expect(unknownKind).rejects.toMatchObject({ name: 'CryptoPoolError', code: 'BAD_JOB' });
  });
});

describe('inline jobs and the event loop', () => {
  /** How many of a burst of 20 inline jobs on one key had finished when the event loop next turned. */
  async function finishedAtFirstTurn(inlineSliceMs: number): Promise<number> {
    const pool = new CryptoPool({ inline: 'all', inlineSliceMs });
    const { distribution } = await pool.run('group.distribution', { record: null });
    let done = 0;
    let seen = -1;
    const burst = Array.from({ length: 20 }, () => pool.run('group.process', { record: null, distribution }).then(() => done++));
    setImmediate(() => (seen = done));
    await Promise.all(burst);
    // Still -1: the whole burst ran before the loop turned.
    const result = seen === -1 ? done : seen;
    await pool.close();
    return result;
  }

  it('yield to the event loop once a turn has used its slice', async () => {
    expect(await finishedAtFirstTurn(0)).toBeLessThan(20);
  });

  it('run back to back within the slice (here: never used up)', async () => {
    expect(await finishedAtFirstTurn(1e9)).toBe(20);
  });
});

describe('crypto pool bounds and closing', () => {
  it('refuses jobs beyond the bound on jobs in flight with QUEUE_FULL, and takes them again once some finished', async () => {
    const pool = new CryptoPool({ threads: 1, maxPending: 3 });
    const held = [0, 1, 2].map(() => pool.run('group.distribution', { record: null }));
    expect(pool.pending).toBe(3);
    await expect(pool.run('group.distribution', { record: null })).rejects.toMatchObject({ code: 'QUEUE_FULL' });
    await Promise.all(held);
    expect(pool.pending).toBe(0);
    await expect(pool.run('group.distribution', { record: null })).resolves.toHaveProperty('distribution');
    await pool.close();
  });

  it('close() lets running jobs finish, then resolves; new jobs are refused with CLOSED from the moment it is called', async () => {
    const pool = new CryptoPool({ threads: 1 });
    const running = pool.run('group.distribution', { record: null });
    let closed = false;
    const closing = pool.close().then(() => (closed = true));
    await expect(pool.run('group.distribution', { record: null })).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(running).resolves.toHaveProperty('record');
    await closing;
    expect(closed).toBe(true);
    expect(pool.pending).toBe(0);
  });
});
