// Signal throughput, 1:1 and group: wad (pure functions, the crypto pool's
// jobs inline, the pool's worker threads) against libsignal-node 6.0.0 and
// Baileys' group cipher in the same run.
//
//   npx tsx scripts/bench/signal.ts [--quick]
//
// - 1:1 round trip: A→B then B→A, so both sides make a ratchet step per message.
// - group send to 100 devices, first message: what a sender does to send one
//   message to 100 devices with a new sender key: create the key and its
//   distribution message (SKDM), encrypt the skmsg once, and encrypt the padded
//   SKDM into each device's 1:1 session (sessions exist, not yet answered: pkmsg).
// - group send, later messages: one skmsg encrypt (devices hold the key).
// - group decrypt: one in-order skmsg from a known sender.
// - "N in flight": N independent sessions (or groups) with jobs queued at once.
// Baileys and libsignal keep live objects in memory (their fastest setting).
import { createRequire } from 'node:module';
import * as group from '../../src/protocol/signal/group/index.js';
import * as signal from '../../src/protocol/signal/index.js';
import { CryptoPool, type JobBundle, type JobIdentity } from '../../src/runtime/crypto-pool/index.js';
import { BaileysChain } from './baileys-group.js';
import { benchGroup } from './signal-group.js';
import { bench1to1, markdownTable, type BenchRow } from './signal-1to1.js';

const require = createRequire(import.meta.url);
const quick = process.argv.includes('--quick');
const RUNS = quick ? 3 : 5;
const MS = quick ? 300 : 600;
const DEVICES = 100;
const LANES = 8;
const THREADS = 2;
const PLAINTEXT = new Uint8Array(120).fill(0x61);
type Op = () => unknown;

/** Ops/s of `op` run back to back for `ms`. */
async function rate(ms: number, op: Op): Promise<number> {
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    for (let i = 0; i < 5; i++) await op();
    n += 5;
  }
  return (n * 1000) / (performance.now() - start);
}

/** Total ops/s of lanes that each run their op back to back, all at once. */
async function rateLanes(ms: number, lanes: Op[]): Promise<number> {
  let n = 0;
  const start = performance.now();
  await Promise.all(lanes.map(async (op) => {
    while (performance.now() - start < ms) {
      await op();
      n++;
    }
  }));
  return (n * 1000) / (performance.now() - start);
}

const median = (xs: number[]): number => xs.slice().sort((x, y) => x - y)[xs.length >> 1]!;

/** Alternating runs, so that ours and the reference see the same machine state. */
async function compare(name: string, referenceName: string, ours: () => Promise<number>, reference: () => Promise<number>): Promise<BenchRow> {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    a.push(await ours());
    b.push(await reference());
  }
  return { name, ours: median(a), reference: median(b), referenceName };
}

/** A row of ours against a reference measured earlier in this run. */
async function against(ref: BenchRow, name: string, measure: () => Promise<number>): Promise<BenchRow> {
  const xs: number[] = [];
  for (let i = 0; i < RUNS; i++) xs.push(await measure());
  return { ...ref, name, ours: median(xs) };
}

// ---- the references ---------------------------------------------------------

interface LibKeyPair {
  pubKey: Buffer;
  privKey: Buffer;
}
const lib = require('libsignal') as {
  keyhelper: {
    generateIdentityKeyPair(): LibKeyPair;
    generateSignedPreKey(identity: LibKeyPair, keyId: number): { keyPair: LibKeyPair; signature: Buffer };
    generatePreKey(keyId: number): { keyPair: LibKeyPair };
  };
  ProtocolAddress: new (id: string, deviceId: number) => object;
  SessionBuilder: new (storage: object, addr: object) => { initOutgoing(device: object): Promise<void> };
  SessionCipher: new (storage: object, addr: object) => { encrypt(data: Buffer): Promise<unknown> };
};

/** Baileys + libsignal sending a first group message to `n` devices. */
async function libFanout(n: number): Promise<Op> {
  const identity = lib.keyhelper.generateIdentityKeyPair();
  const sessions = new Map<string, unknown>();
  const storage = {
    loadSession: async (id: string) => sessions.get(id),
    storeSession: async (id: string, r: unknown) => void sessions.set(id, r),
    isTrustedIdentity: () => true,
    getOurRegistrationId: () => 1,
    getOurIdentity: () => identity,
  };
  const addrs: object[] = [];
  for (let i = 0; i < n; i++) {
    const peer = lib.keyhelper.generateIdentityKeyPair();
    const signed = lib.keyhelper.generateSignedPreKey(peer, 1);
    addrs.push(new lib.ProtocolAddress(`peer${i}`, 0));
    await new lib.SessionBuilder(storage, addrs[i]!).initOutgoing({
      registrationId: 1,
      identityKey: peer.pubKey,
      signedPreKey: { keyId: 1, publicKey: signed.keyPair.pubKey, signature: signed.signature },
      preKey: { keyId: 1, publicKey: lib.keyhelper.generatePreKey(1).keyPair.pubKey },
    });
  }
  return async () => {
    const sender = new BaileysChain();
    const payload = Buffer.from(signal.padMessage(await sender.distribution()));
    await sender.encrypt(PLAINTEXT);
    for (const addr of addrs) await new lib.SessionCipher(storage, addr).encrypt(payload);
  };
}

// ---- wad --------------------------------------------------------------------

function device() {
  const local: JobIdentity = { identityKey: signal.generateIdentityKeyPair(), registrationId: signal.generateRegistrationId() };
  const signed = signal.generateSignedPreKey(local.identityKey, 1);
  const pre = signal.generatePreKeys(1, 1)[0]!;
  const bundle: JobBundle = {
    registrationId: local.registrationId,
    identityKey: local.identityKey.public,
    signedPreKey: { keyId: 1, publicKey: signed.keyPair.public, signature: signed.signature },
    preKey: { keyId: 1, publicKey: pre.keyPair.public },
  };
  return { local, signed, pre, bundle, libBundle: { ...bundle, preKey: bundle.preKey ?? undefined } };
}

/** Our first group message to `n` devices: pure functions and live records, or pool jobs and bytes. */
function fanout(n: number, pool?: CryptoPool, tag = ''): Op {
  const me = device().local;
  const live = Array.from({ length: n }, () => signal.initSessionFromBundle(undefined, me, device().libBundle).record);
  const stored = live.map(signal.serializeSessionRecord);
  if (!pool) {
    return () => {
      const { record, distribution } = group.createSenderKeyDistribution(undefined);
      group.groupEncrypt(record, PLAINTEXT);
      const payload = signal.padMessage(distribution);
      for (let i = 0; i < n; i++) live[i] = signal.encryptMessage(live[i], me, payload).record;
    };
  }
  return async () => {
    const d = await pool.run('group.distribution', { record: null });
    const payload = signal.padMessage(d.distribution);
    await Promise.all([
      pool.run('group.encrypt', { record: d.record, plaintext: PLAINTEXT }),
      ...stored.map(async (record, i) => {
        stored[i] = (await pool.run('signal.encrypt', { record, local: me, plaintext: payload, trusted: null })).record;
      }),
    ]);
  };
}

/** Two devices talking through pool jobs; one round trip is 4 jobs. */
async function poolPair(pool: CryptoPool, tag: string): Promise<Op> {
  const [a, b] = [device(), device()];
  const sides = [
    { local: a.local, record: (await pool.run('signal.init', { record: null, local: a.local, bundle: b.bundle, trusted: null })).record as Uint8Array | null },
    { local: b.local, record: null as Uint8Array | null },
  ];
  const send = async (from: 0 | 1) => {
    const [s, r] = [sides[from]!, sides[1 - from]!];
    const e = await pool.run('signal.encrypt', { record: s.record, local: s.local, plaintext: PLAINTEXT, trusted: null });
    s.record = e.record;
    const keys = e.type === 'pkmsg' ? { preKey: b.pre.keyPair, signedPreKey: b.signed.keyPair } : { preKey: null, signedPreKey: null };
    r.record = (await pool.run('signal.decrypt', { record: r.record, local: r.local, type: e.type, ciphertext: e.ciphertext, ...keys, trusted: null })).record;
  };
  return async () => {
    await send(0);
    await send(1);
  };
}

/** `count` in-order skmsgs of one sender, and its distribution. */
function groupStream(count: number) {
  let { record, distribution } = group.createSenderKeyDistribution(undefined);
  const messages: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const out = group.groupEncrypt(record, PLAINTEXT);
    record = out.record;
    messages.push(out.ciphertext);
  }
  return { distribution, messages, receiver: () => group.processSenderKeyDistribution(undefined, distribution) };
}
type Stream = ReturnType<typeof groupStream>;

/** Decrypts of `stream` in order through the pool, restarting at its end. */
function poolDecrypts(pool: CryptoPool, stream: Stream, key: string): Op {
  const start = group.serializeSenderKeyRecord(stream.receiver());
  let [record, at] = [start, 0];
  return async () => {
    if (at === stream.messages.length) [record, at] = [start, 0];
    record = (await pool.run('group.decrypt', { record, ciphertext: stream.messages[at++]! })).record;
  };
}

// ---- the hop to a worker, per job ------------------------------------------

/** Per job, an op on one session that can run forever: pure jobs on a fixed record, or a stream restarted at its end. */
function hopCases(stream: Stream): Array<[string, (pool: CryptoPool) => Op]> {
  const [a, b] = [device(), device()];
  const bundle = { ...b.bundle, preKey: null };
  // A and B have both spoken; then A sends 600 messages on its next chain.
  const first = signal.encryptMessage(signal.initSessionFromBundle(undefined, a.local, { ...bundle, preKey: undefined }).record, a.local, PLAINTEXT);
  let rb = signal.decryptMessage(undefined, b.local, 'pkmsg', first.ciphertext, { signedPreKey: () => b.signed.keyPair }).record;
  const reply = signal.encryptMessage(rb, b.local, PLAINTEXT);
  rb = reply.record;
  let ra = signal.decryptMessage(first.record, a.local, 'msg', reply.ciphertext).record;
  const aStart = signal.serializeSessionRecord(ra);
  const msgs = Array.from({ length: 600 }, () => {
    const e = signal.encryptMessage(ra, a.local, PLAINTEXT);
    ra = e.record;
    return e.ciphertext;
  });
  // msgs[0] opens A's new chain: B's decrypt of it is a ratchet step; the rest are not.
  const bBefore = signal.serializeSessionRecord(rb);
  const bAfter = signal.serializeSessionRecord(signal.decryptMessage(rb, b.local, 'msg', msgs[0]!).record);
  const threaded = (start: Uint8Array, count: number, step: (record: Uint8Array, i: number) => Promise<Uint8Array>): Op => {
    let [record, i] = [start, 0];
    return async () => {
      if (i === count) [record, i] = [start, 0];
      record = await step(record, i++);
    };
  };
  const decrypt = (pool: CryptoPool, type: 'pkmsg' | 'msg', record: Uint8Array | null, ciphertext: Uint8Array) =>
    pool.run('signal.decrypt', { record, local: b.local, type, ciphertext, preKey: null, signedPreKey: b.signed.keyPair, trusted: null });
  const sender = group.serializeSenderKeyRecord(group.createSenderKeyDistribution(undefined).record);
  return [
    ['group.distribution (new key)', (p) => () => p.run('group.distribution', { record: null })],
    ['group.process', (p) => () => p.run('group.process', { record: null, distribution: stream.distribution })],
    ['group.encrypt', (p) => threaded(sender, 600, async (record) => (await p.run('group.encrypt', { record, plaintext: PLAINTEXT })).record)],
    ['group.decrypt', (p) => poolDecrypts(p, stream, 'h')],
    ['signal.init (X3DH from a bundle)', (p) => () => p.run('signal.init', { record: null, local: a.local, bundle, trusted: null })],
    ['signal.encrypt', (p) => threaded(aStart, 600, async (record) => (await p.run('signal.encrypt', { record, local: a.local, plaintext: PLAINTEXT, trusted: null })).record)],
    ['signal.decrypt, same chain', (p) => threaded(bAfter, 599, async (record, i) => (await decrypt(p, 'msg', record, msgs[i + 1]!)).record)],
    ['signal.decrypt, ratchet step', (p) => () => decrypt(p, 'msg', bBefore, msgs[0]!)],
    ['signal.decrypt, pkmsg (X3DH)', (p) => () => decrypt(p, 'pkmsg', null, first.ciphertext)],
  ];
}

async function hopTable(stream: Stream, inline: CryptoPool, workers: CryptoPool): Promise<string> {
  const lines = ['| job (one session, one job in flight) | inline µs/job | worker µs/job | hop µs | hop > work? |', '|---|---:|---:|---:|---|'];
  for (const [name, make] of hopCases(stream)) {
    const [i, w] = [[] as number[], [] as number[]];
    for (let r = 0; r < RUNS; r++) {
      i.push(1e6 / (await rate(MS, make(inline))));
      w.push(1e6 / (await rate(MS, make(workers))));
    }
    const [mi, mw] = [median(i), median(w)];
    lines.push(`| ${name} | ${mi.toFixed(0)} | ${mw.toFixed(0)} | ${(mw - mi).toFixed(0)} | ${mw - mi > mi ? 'yes' : 'no'} |`);
  }
  return lines.join('\n');
}

/** A burst of group decrypts from 20 senders: wall time, and the longest the event loop stood still. */
async function burstTable(stream: Stream, inline: CryptoPool, placed: CryptoPool): Promise<string> {
  const [senders, each] = [20, 100];
  const viaPool = (pool: CryptoPool) => () =>
    Promise.all(Array.from({ length: senders }, async (_, s) => {
      const op = poolDecrypts(pool, stream, `burst${s}`);
      for (let i = 0; i < each; i++) await op();
    }));
  const cases: Array<[string, () => Promise<unknown>]> = [
    ['pure functions in a loop', async () => {
      for (let s = 0; s < senders; s++) {
        let record = stream.receiver();
        for (let i = 0; i < each; i++) record = group.groupDecrypt(record, stream.messages[i]!).record;
      }
    }],
    ['pool, all inline (4 ms slices)', viaPool(inline)],
    ['pool, default placement (decrypts on workers)', viaPool(placed)],
  ];
  const lines = [`| ${senders * each} group decrypts, ${senders} senders | wall ms | longest event-loop stall ms |`, '|---|---:|---:|'];
  for (const [name, burst] of cases) {
    const [walls, stalls] = [[] as number[], [] as number[]];
    for (let r = 0; r < RUNS; r++) {
      let [last, stall] = [performance.now(), 0];
      const ticker = setInterval(() => {
        const now = performance.now();
        stall = Math.max(stall, now - last - 1);
        last = now;
      }, 1);
      const t0 = performance.now();
      await burst();
      walls.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 5));
      clearInterval(ticker);
      stalls.push(stall);
    }
    lines.push(`| ${name} | ${median(walls).toFixed(0)} | ${median(stalls).toFixed(1)} |`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  console.info = () => {}; // libsignal logs sessions it closes
  const inline = new CryptoPool({ inline: 'all' });
  const placed = new CryptoPool({ threads: THREADS }); // DEFAULT_INLINE_KINDS inline, the rest on workers
  const allWorkers = new CryptoPool({ threads: THREADS, inline: [] });
  const onWorkers = `pool, ${THREADS} worker threads`;
  let tag = 0;

  // 1:1: the session rows of signal-1to1.ts (pure functions), then through pool jobs.
  const rows: BenchRow[] = await bench1to1({ rounds: RUNS * 3, ms: MS / 3 });
  const libStored = rows[1]!;
  rows.push(await against(libStored, '1:1 round trip, pool jobs inline (records as bytes)', async () => rate(MS, await poolPair(inline, `p${tag++}`))));
  rows.push(
    await against(libStored, `1:1 round trip, ${onWorkers} (${LANES} sessions in flight)`, async () =>
      rateLanes(MS, await Promise.all(Array.from({ length: LANES }, () => poolPair(placed, `w${tag++}`)))),
    ),
  );

  const fanLib = await libFanout(DEVICES);
  const fan = await compare(`group send to ${DEVICES} devices, first message`, 'Baileys group cipher + libsignal', () => rate(MS * 2, fanout(DEVICES)), () => rate(MS * 2, fanLib));
  rows.push(fan);
  rows.push(await against(fan, `group send to ${DEVICES} devices, first message, pool jobs inline`, () => rate(MS * 2, fanout(DEVICES, inline, `fi${tag++}`))));
  rows.push(await against(fan, `group send to ${DEVICES} devices, first message, ${onWorkers}`, () => rate(MS * 2, fanout(DEVICES, placed, `fw${tag++}`))));

  let ourSender = group.createSenderKeyDistribution(undefined).record;
  const baileysSender = new BaileysChain();
  await baileysSender.distribution();
  const enc = await compare(
    'group send, later messages (one skmsg encrypt)',
    'Baileys GroupCipher.encrypt',
    () => rate(MS, () => void (ourSender = group.groupEncrypt(ourSender, PLAINTEXT).record)),
    () => rate(MS, () => baileysSender.encrypt(PLAINTEXT)),
  );
  rows.push(enc);
  const encryptLane = (): Op => {
    let record = group.serializeSenderKeyRecord(group.createSenderKeyDistribution(undefined).record);
    const key = `ge${tag++}`;
    return async () => void (record = (await placed.run('group.encrypt', { record, plaintext: PLAINTEXT })).record);
  };
  rows.push(await against(enc, `group encrypt, ${onWorkers} (${LANES} groups in flight)`, () => rateLanes(MS, Array.from({ length: LANES }, encryptLane))));

  // Group decrypt: the same in-order stream for both, restarted from the distribution when used up.
  const stream = groupStream(quick ? 1500 : 3000);
  let [ours, oursAt] = [stream.receiver(), 0];
  let [theirs, theirsAt] = [new BaileysChain(), 0];
  await theirs.process(stream.distribution);
  const ourDecrypt = () => {
    if (oursAt === stream.messages.length) [ours, oursAt] = [stream.receiver(), 0];
    ours = group.groupDecrypt(ours, stream.messages[oursAt++]!).record;
  };
  const theirDecrypt = async () => {
    if (theirsAt === stream.messages.length) {
      [theirs, theirsAt] = [new BaileysChain(), 0];
      await theirs.process(stream.distribution);
    }
    await theirs.decrypt(stream.messages[theirsAt++]!);
  };
  const dec = await compare('group decrypt (in-order skmsg)', 'Baileys GroupCipher.decrypt', () => rate(MS, ourDecrypt), () => rate(MS, theirDecrypt));
  rows.push(dec);
  rows.push(await against(dec, `group decrypt, ${onWorkers} (${LANES} senders in flight)`, () => rateLanes(MS, Array.from({ length: LANES }, () => poolDecrypts(placed, stream, `gd${tag++}`)))));

  console.log(markdownTable(rows));
  console.log();
  // Group messaging and key primitives, records as bytes, against Baileys and whatsapp-rust-bridge.
  console.log(markdownTable(await benchGroup({ rounds: RUNS * 3, ms: MS / 3 })));
  console.log();
  console.log(await hopTable(stream, inline, allWorkers));
  console.log();
  console.log(await burstTable(stream, inline, placed));
  await Promise.all([inline.close(), placed.close(), allWorkers.close()]);
}

await main();
