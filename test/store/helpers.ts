import { afterAll, beforeAll } from 'vitest';
import { MemoryBackend } from '../../src/store/backend/memory.js';
import { PostgresBackend } from '../../src/store/backend/postgres.js';
import type { KVBackend } from '../../src/store/backend/types.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import type { Creds } from '../../src/store/records/creds.js';

export function bytes(n: number, fill: number): Uint8Array {
  return new Uint8Array(n).fill(fill & 0xff);
}

export function makeCreds(seed = 1): Creds {
  const pair = (f: number) => ({ public: bytes(32, seed + f), private: bytes(32, seed + f + 1) });
  return {
    noiseKey: pair(1),
    pairingEphemeralKeyPair: pair(3),
    identityKey: pair(5),
    signedPreKey: { keyId: 1, keyPair: pair(7), signature: bytes(64, seed + 9) },
    registrationId: 1000 + seed,
    advSecretKey: bytes(32, seed + 10),
    nextPreKeyId: 1,
    firstUnuploadedPreKeyId: 1,
    accountSyncCounter: 0,
    registered: false,
  };
}

/** Every entry of a backend as hex pairs, to compare whole databases. */
export async function dump(backend: KVBackend): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = [];
  for await (const [k, v] of backend.iterate({})) out.push([Buffer.from(k).toString('latin1'), Buffer.from(v).toString('hex')]);
  return out;
}

/**
 * A backend whose reads wait until released: lets a test commit while a read
 * is in flight. With `readFirst` a held read sees the data at call time and
 * only its answer is late (a slow disk read).
 */
export class GatedBackend implements KVBackend {
  #gate: Promise<void> | undefined;
  #open: (() => void) | undefined;
  constructor(
    readonly inner: KVBackend,
    readonly readFirst = false,
  ) {}

  hold(): void {
    this.#gate = new Promise((r) => (this.#open = r));
  }
  release(): void {
    this.#open?.();
    this.#gate = undefined;
  }
  async get(k: Uint8Array) {
    const gate = this.#gate;
    if (this.readFirst) {
      const v = await this.inner.get(k);
      await gate;
      return v;
    }
    await gate;
    return this.inner.get(k);
  }
  async getMany(ks: readonly Uint8Array[]) {
    const gate = this.#gate;
    if (this.readFirst) {
      const v = await this.inner.getMany(ks);
      await gate;
      return v;
    }
    await gate;
    return this.inner.getMany(ks);
  }
  batch(ops: Parameters<KVBackend['batch']>[0]) {
    return this.inner.batch(ops);
  }
  iterate(r: Parameters<KVBackend['iterate']>[0]) {
    return this.inner.iterate(r);
  }
  close() {
    return this.inner.close();
  }
}

/**
 * The store backends the model-based tests run on: memory, and PostgreSQL on
 * the file's own server. A property test opens hundreds of stores, so the
 * PostgreSQL one is one backend emptied before each run (a fresh schema per
 * run would cost its migrations every time); its close() leaves it open for
 * the next run. Call at the top level of a test file.
 */
export function modelBackends(): Array<[name: string, fresh: () => Promise<KVBackend>]> {
  let server: TestPostgres | undefined;
  let shared: PostgresBackend | undefined;
  beforeAll(async () => {
    server = await startPostgres();
    shared = await PostgresBackend.open({ url: server.url, maxConnections: 4 });
  });
  afterAll(async () => {
    await shared?.close();
    await server?.stop();
  });
  return [
    ['memory', async () => new MemoryBackend()],
    [
      'postgres',
      async () => {
        await shared!.pool.query('TRUNCATE kv');
        return new KeptOpen(shared!);
      },
    ],
  ];
}

/** A backend whose close() does nothing: the next run reuses it. */
class KeptOpen implements KVBackend {
  constructor(readonly inner: KVBackend) {}
  get(k: Uint8Array) {
    return this.inner.get(k);
  }
  getMany(ks: readonly Uint8Array[]) {
    return this.inner.getMany(ks);
  }
  batch(ops: Parameters<KVBackend['batch']>[0]) {
    return this.inner.batch(ops);
  }
  iterate(r: Parameters<KVBackend['iterate']>[0]) {
    return this.inner.iterate(r);
  }
  async close() {}
}
