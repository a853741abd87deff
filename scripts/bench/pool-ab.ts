// 1:1 round trips through the crypto pool's worker threads: this checkout
// against another one (an older commit) in the same process, in alternating
// slices, so both see the same machine. Records cross as bytes on both sides.
//
//   git worktree add --detach /tmp/wad-base <commit> && ln -s "$PWD/node_modules" /tmp/wad-base/
//   npx tsx scripts/bench/pool-ab.ts /tmp/wad-base [--lanes 8] [--threads 2] [--inline]
//
// The baseline may be from before the pool became stateless: its `run` then
// takes a key first, which is passed as a per-side key.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as signal from '../../src/protocol/signal/index.js';
import { CryptoPool } from '../../src/runtime/crypto-pool/index.js';

interface KeyPair { public: Uint8Array; private: Uint8Array }
interface SignalModule {
  generateIdentityKeyPair(): KeyPair;
  generateRegistrationId(): number;
  generateSignedPreKey(identity: KeyPair, keyId: number): { keyPair: KeyPair; signature: Uint8Array };
  generatePreKeys(start: number, count: number): Array<{ keyPair: KeyPair }>;
}
interface JobOut { record: Uint8Array | null; type?: string; ciphertext?: Uint8Array }
type Runner = (key: string, kind: string, input: Record<string, unknown>) => Promise<JobOut>;
interface PoolLike { run(...args: unknown[]): Promise<JobOut>; close(): Promise<void> }
type Op = () => Promise<void>;

const args = process.argv.slice(2);
const baseDir = args.find((a) => !a.startsWith('--'));
if (!baseDir) throw new Error('usage: pool-ab.ts <baseline checkout> [--lanes N] [--threads N] [--inline]');
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const LANES = flag('--lanes', 8);
const THREADS = flag('--threads', 2);
const SLICES = flag('--slices', 12);
const options = { threads: THREADS, ...(args.includes('--inline') ? { inline: 'all' as const } : {}) };
const PLAINTEXT = new Uint8Array(120).fill(0x61);

function device(s: SignalModule) {
  const local = { identityKey: s.generateIdentityKeyPair(), registrationId: s.generateRegistrationId() };
  const signed = s.generateSignedPreKey(local.identityKey, 1);
  const pre = s.generatePreKeys(1, 1)[0]!;
  const bundle = {
    registrationId: local.registrationId,
    identityKey: local.identityKey.public,
    signedPreKey: { keyId: 1, publicKey: signed.keyPair.public, signature: signed.signature },
    preKey: { keyId: 1, publicKey: pre.keyPair.public },
  };
  return { local, signed, pre, bundle };
}

/** Two devices talking through `run`; one round trip is 4 jobs. */
async function pair(run: Runner, s: SignalModule, tag: string): Promise<Op> {
  const [a, b] = [device(s), device(s)];
  const init = await run(`${tag}a`, 'signal.init', { record: null, local: a.local, bundle: b.bundle, trusted: null });
  const sides = [{ local: a.local, record: init.record }, { local: b.local, record: null as Uint8Array | null }];
  const send = async (from: 0 | 1): Promise<void> => {
    const [me, peer] = [sides[from]!, sides[1 - from]!];
    const e = await run(`${tag}${from}`, 'signal.encrypt', { record: me.record, local: me.local, plaintext: PLAINTEXT, trusted: null });
    me.record = e.record;
    const keys = e.type === 'pkmsg' ? { preKey: b.pre.keyPair, signedPreKey: b.signed.keyPair } : { preKey: null, signedPreKey: null };
    const d = await run(`${tag}${1 - from}`, 'signal.decrypt', { record: peer.record, local: peer.local, type: e.type, ciphertext: e.ciphertext, ...keys, trusted: null });
    peer.record = d.record;
  };
  return async () => {
    await send(0);
    await send(1);
  };
}

async function lanes(ms: number, ops: Op[]): Promise<number> {
  let n = 0;
  const start = performance.now();
  await Promise.all(ops.map(async (op) => {
    while (performance.now() - start < ms) {
      await op();
      n++;
    }
  }));
  return (n * 1000) / (performance.now() - start);
}

const median = (xs: number[]): number => xs.slice().sort((x, y) => x - y)[xs.length >> 1]!;

async function main(): Promise<void> {
  const base = resolve(baseDir!);
  const baseSignal = (await import(pathToFileURL(`${base}/src/protocol/signal/index.ts`).href)) as SignalModule;
  const basePoolModule = (await import(pathToFileURL(`${base}/src/runtime/crypto-pool/index.ts`).href)) as { CryptoPool: new (o: object) => PoolLike };
  const ours = new CryptoPool(options);
  const theirs = new basePoolModule.CryptoPool(options);
  const keyed = theirs.run.length >= 3;
  const runOurs: Runner = (_key, kind, input) => ours.run(kind as 'signal.encrypt', input as never) as Promise<JobOut>;
  const runTheirs: Runner = (key, kind, input) => (keyed ? theirs.run(key, kind, input) : theirs.run(kind, input));
  const oursOps = await Promise.all(Array.from({ length: LANES }, (_, i) => pair(runOurs, signal as SignalModule, `o${i}`)));
  const theirOps = await Promise.all(Array.from({ length: LANES }, (_, i) => pair(runTheirs, baseSignal, `b${i}`)));
  await lanes(500, oursOps);
  await lanes(500, theirOps);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < SLICES; i++) {
    a.push(await lanes(300, oursOps));
    b.push(await lanes(300, theirOps));
  }
  console.log(`1:1 round trips/s, ${LANES} sessions in flight, ${options.inline ? 'all inline' : `${THREADS} worker threads`}, ${SLICES} slices of 300 ms:`);
  console.log(`this checkout ${median(a).toFixed(0)}, baseline ${median(b).toFixed(0)}, ratio ${(median(a) / median(b)).toFixed(2)}`);
  await ours.close();
  await theirs.close();
}

await main();
