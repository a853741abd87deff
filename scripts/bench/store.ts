// Store: persisting what one received pkmsg changes, wad vs Baileys 7 in the same run.
//   node --expose-gc --import tsx scripts/bench/store.ts [--n 2000] [--accounts 1000]
// wad: one atomic LevelDB batch (session, prekey use mark, event, message, creds counters).
// Baileys: useMultiFileAuthState (what its README starts with): session file written,
// prekey file deleted, creds.json saved (three separate, non-atomic writes).
// Also: heap per idle open account (wad's target: under 1 MiB).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useMultiFileAuthState } from 'baileys';
import { MemoryBackend, Store, type AccountStore, type Creds } from '../../src/store/index.js';
import { AccountStore as AccountStoreClass } from '../../src/store/account-store.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const N = arg('n', 2000);
const ACCOUNTS = arg('accounts', 1000);

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill & 0xff);
const pair = (f: number) => ({ public: bytes(32, f), private: bytes(32, f + 1) });
const creds: Creds = {
  noiseKey: pair(1),
  pairingEphemeralKeyPair: pair(3),
  identityKey: pair(5),
  signedPreKey: { keyId: 1, keyPair: pair(7), signature: bytes(64, 9) },
  registrationId: 1234,
  advSecretKey: bytes(32, 10),
  me: { id: '15550009999:7@s.whatsapp.net', lid: '99999:7@lid', name: 'bench' },
  account: { details: bytes(80, 1), accountSignatureKey: bytes(32, 2), accountSignature: bytes(64, 3), deviceSignature: bytes(64, 4) },
  nextPreKeyId: 1,
  firstUnuploadedPreKeyId: 1,
  accountSyncCounter: 0,
  registered: true,
};
const SESSION = bytes(1200, 7); // a typical serialized session record with a few chains

async function wadCommits(dir: string): Promise<number> {
  const store = await Store.open(dir);
  const account: AccountStore = await store.account('bench');
  await account.transaction((tx) => {
    tx.creds.set(creds);
    tx.preKeys.put(Array.from({ length: N }, (_, i) => ({ keyId: i + 1, keyPair: pair(i) })));
  });
  const addr = await account.signalAddress('15550001111:3@s.whatsapp.net');
  const start = performance.now();
  for (let i = 1; i <= N; i++) {
    await account.transaction((tx) => {
      tx.sessions.put(addr, SESSION);
      tx.preKeys.markUsed(i, Date.now());
      tx.messages.put('15550001111@s.whatsapp.net', `M${i}`, { t: i });
      tx.events.append([{ type: 'message:new', t: Date.now(), data: { id: `M${i}`, text: 'hello there' } }]);
      tx.creds.update({ accountSyncCounter: i });
    });
  }
  const seconds = (performance.now() - start) / 1000;
  await store.close();
  return N / seconds;
}

async function baileysCommits(dir: string): Promise<number> {
  const { state, saveCreds } = await useMultiFileAuthState(dir);
  await state.keys.set({ 'pre-key': Object.fromEntries(Array.from({ length: N }, (_, i) => [String(i + 1), pair(i)])) });
  const start = performance.now();
  for (let i = 1; i <= N; i++) {
    await state.keys.set({ session: { '15550001111.3': SESSION }, 'pre-key': { [String(i)]: null } });
    state.creds.accountSyncCounter = i;
    await saveCreds();
  }
  return N / ((performance.now() - start) / 1000);
}

async function heapPerAccount(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return NaN;
  const backend = new MemoryBackend();
  const store = new Store(backend);
  for (let i = 0; i < ACCOUNTS; i++) {
    const a = await store.account(`acc${i}`);
    await a.transaction((tx) => {
      tx.creds.set(creds);
      tx.events.append([{ type: 'connection:update', t: 0, data: { state: 'online' } }]);
      tx.events.ack('consumer', 1);
    });
  }
  // Open them again from the backend, as a restarted daemon would, and keep them.
  gc();
  const before = process.memoryUsage().heapUsed;
  const open: AccountStore[] = [];
  for (let i = 0; i < ACCOUNTS; i++) open.push(await AccountStoreClass.open(backend, `acc${i}`));
  gc();
  const after = process.memoryUsage().heapUsed;
  if (open.length !== ACCOUNTS) throw new Error('unreachable');
  return (after - before) / ACCOUNTS;
}

const root = await mkdtemp(join(tmpdir(), 'wad-bench-store-'));
try {
  const ours = await wadCommits(join(root, 'wad'));
  const theirs = await baileysCommits(join(root, 'baileys'));
  const perAccount = await heapPerAccount();
  console.log(`| store: persist one received pkmsg (${N} sequential) | ops/s |`);
  console.log('|---|---:|');
  console.log(`| wad (one atomic LevelDB batch: session, prekey mark, message, event, creds) | ${ours.toFixed(0)} |`);
  console.log(`| Baileys useMultiFileAuthState (session, prekey delete, creds.json; not atomic) | ${theirs.toFixed(0)} |`);
  console.log(`| ratio wad / Baileys | ${(ours / theirs).toFixed(2)}× |`);
  console.log('');
  console.log('| memory | heap |');
  console.log('|---|---:|');
  console.log(`| per idle open account store (${ACCOUNTS} accounts, creds loaded) | ${Number.isNaN(perAccount) ? 'run with --expose-gc' : `${(perAccount / 1024).toFixed(1)} KiB`} |`);
} finally {
  await rm(root, { recursive: true, force: true });
}
