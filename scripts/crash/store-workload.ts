/**
 * The workload of the store crash tests and what must hold after any crash.
 * Transaction n writes, in ONE batch: a session, a new prekey and the use mark
 * of an old one, an event, a received message, a sent message and the creds
 * counters. After a SIGKILL at any instant, for the last committed n = N:
 * everything of transactions ≤ N is there, nothing of N+1 is, and the store opens.
 */
import { Store, type AccountStore, type Creds } from '../../src/store/index.js';

export const ACCOUNT = 'crash';
export const INITIAL_PREKEYS = 50;
export const SENT_MAX = 20;
export const MESSAGES_MAX = 30;
const CONTACTS = 5;
const DEVICES = 3;

export function openStore(dataDir: string): Promise<Store> {
  return Store.open(dataDir, { sentMessagesMax: SENT_MAX, messagesMax: MESSAGES_MAX, cache: { maxEntries: 64, maxBytes: 32 * 1024 } });
}

function bytes(n: number, fill: number): Uint8Array {
  return new Uint8Array(n).fill(fill & 0xff);
}

export function initialCreds(): Creds {
  const pair = (f: number) => ({ public: bytes(32, f), private: bytes(32, f + 1) });
  return {
    noiseKey: pair(1),
    pairingEphemeralKeyPair: pair(3),
    identityKey: pair(5),
    signedPreKey: { keyId: 1, keyPair: pair(7), signature: bytes(64, 9) },
    registrationId: 1234,
    advSecretKey: bytes(32, 10),
    me: { id: '15550009999:7@s.whatsapp.net', lid: '99999:7@lid', name: 'crash' },
    nextPreKeyId: INITIAL_PREKEYS + 1,
    firstUnuploadedPreKeyId: INITIAL_PREKEYS + 1,
    accountSyncCounter: 0,
    registered: true,
  };
}

/** The contact device transaction n writes a session for. */
export function jidOf(n: number): string {
  const c = n % CONTACTS;
  const d = Math.floor(n / CONTACTS) % DEVICES;
  return `155500000${c}:${d}@s.whatsapp.net`;
}

function sessionRecord(n: number, filler: number): Uint8Array {
  const out = new Uint8Array(8 + filler).fill(n & 0xff);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
}

/** "Pairing": creds and the first prekeys together, as the real pairing commits them. */
export async function pair(account: AccountStore): Promise<void> {
  if (account.creds) return;
  await account.transaction((tx) => {
    tx.creds.set(initialCreds());
    tx.preKeys.put(Array.from({ length: INITIAL_PREKEYS }, (_, i) => ({ keyId: i + 1, keyPair: { public: bytes(32, i), private: bytes(32, i + 1) } })));
  });
}

/** Transaction n (n ≥ 1), plus the maintenance that runs between transactions. */
export async function step(account: AccountStore, n: number, random: () => number): Promise<void> {
  const addr = await account.signalAddress(jidOf(n));
  await account.transaction((tx) => {
    tx.sessions.put(addr, sessionRecord(n, Math.floor(random() * 400)));
    tx.preKeys.put([{ keyId: INITIAL_PREKEYS + n, keyPair: { public: bytes(32, n), private: bytes(32, n + 1) } }]);
    tx.preKeys.markUsed(n, n);
    tx.events.append([{ type: 'tick', t: n, data: { n, blob: bytes(Math.floor(random() * 2000), n) } }]);
    tx.messages.put('chat@s.whatsapp.net', `m${n}`, { n });
    tx.sent.put(`s${n}`, { to: 'chat@s.whatsapp.net', message: bytes(100, n), t: n });
    tx.creds.update({ nextPreKeyId: INITIAL_PREKEYS + n + 1, accountSyncCounter: n });
  });
  if (n % 25 === 0) {
    const c = (n / 25) % CONTACTS;
    await account.learnLidMappings([{ pn: `155500000${c}`, lid: `8000${c}` }]);
  }
  if (n % 40 === 0) await account.trimEvents(n - 30);
  if (n % 30 === 0) await account.purgeUsedPreKeys(n - 10);
}

export class InvariantError extends Error {
  override readonly name = 'InvariantError';
}

function check(cond: boolean, what: string): void {
  if (!cond) throw new InvariantError(what);
}

/**
 * Checks the store after a crash. `paired` and `reported` are what the writer
 * said it committed (`R`, `C n`): a resolved transaction must be durable. Returns N.
 * @throws InvariantError
 */
export async function checkInvariants(dataDir: string, paired: boolean, reported: number): Promise<number> {
  const store = await openStore(dataDir);
  try {
    const account = await store.account(ACCOUNT);
    const creds = account.creds;
    if (!creds) {
      check(!paired, `creds missing after pairing committed (reported ${reported})`);
      check((await account.preKeys.get(1)) === undefined, 'prekeys without creds: half a pairing');
      return 0;
    }
    const N = creds.accountSyncCounter;
    // Purges only remove prekeys used before the last purge point: every later one must be there.
    const kept = Math.max(1, Math.floor(N / 30) * 30 - 10);
    const ids = Array.from({ length: INITIAL_PREKEYS + N - kept + 1 }, (_, i) => kept + i);
    const preKeys = await account.preKeys.getMany(ids);
    preKeys.forEach((p, i) => check(p !== undefined, `prekey ${ids[i]} missing (N=${N})`));
    check(N >= reported, `committed transaction lost: store has ${N}, writer reported ${reported}`);
    check(creds.nextPreKeyId === INITIAL_PREKEYS + N + 1, `creds counters disagree: ${creds.nextPreKeyId} for N=${N}`);
    check(account.events.lastSeq === N, `event seq ${account.events.lastSeq} != N ${N}`);
    const first = (await account.events.firstSeq()) ?? N + 1;
    const events = await account.events.read(0, 10_000);
    check(events.length === N - first + 1, `event log not contiguous: ${events.length} events from ${first} to ${N}`);
    events.forEach((e, i) => check(e.seq === first + i && (e.data as { n: number }).n === e.seq, `event ${e.seq} wrong`));
    check((await account.messages.has('chat@s.whatsapp.net', `m${N + 1}`)) === false, `message of N+1 present`);
    if (N > 0) {
      check(await account.messages.has('chat@s.whatsapp.net', `m${N}`), `message ${N} missing`);
      check((await account.sent.get(`s${N}`)) !== undefined, `sent ${N} missing`);
      check((await account.preKeys.get(N))?.usedAt === N, `use mark of ${N} missing`);
    }
    check((await account.preKeys.get(INITIAL_PREKEYS + N + 1)) === undefined, 'prekey of N+1 present');
    const sentCount = await countPrefix(store, `a/${ACCOUNT}/sm/`);
    check(sentCount <= SENT_MAX, `sent cache over its bound: ${sentCount} > ${SENT_MAX}`);
    const messageCount = await countPrefix(store, `a/${ACCOUNT}/msg/`);
    check(messageCount <= MESSAGES_MAX, `message records over their bound: ${messageCount} > ${MESSAGES_MAX}`);
    if (N >= MESSAGES_MAX) check(messageCount === MESSAGES_MAX, `message records lost: ${messageCount} of the newest ${MESSAGES_MAX}`);
    // Each contact device's session holds the last n that wrote it, under its canonical address only.
    for (let n = N; n > Math.max(0, N - 15); n--) {
      const jid = jidOf(n);
      if ([...Array(N - n)].some((_, k) => jidOf(N - k) === jid)) continue;
      const addr = await account.signalAddress(jid);
      const record = await account.sessions.get(addr);
      check(record !== undefined, `session of ${jid} missing (N=${N}, n=${n})`);
      check(Number(new DataView(record!.buffer, record!.byteOffset).getBigUint64(0)) === n, `session of ${jid} is stale`);
      if (addr.server === 'lid') {
        const pnLeft = await account.sessions.ofUser({ user: jid.split(':')[0]!, server: 's.whatsapp.net' });
        check(pnLeft.length === 0, `sessions of ${jid} left under the PN after migration`);
      }
    }
    return N;
  } finally {
    await store.close();
  }
}

async function countPrefix(store: Store, prefix: string): Promise<number> {
  const p = new TextEncoder().encode(prefix);
  const end = p.slice();
  end[end.length - 1]!++;
  let n = 0;
  for await (const _ of store.backend.iterate({ gte: p, lt: end })) n++;
  return n;
}
