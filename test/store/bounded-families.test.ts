// The sent cache and the received-message records are bounded by count through
// an insertion index (src/store/families/insertion-index.ts). A model says
// exactly which records must be there after any sequence of transactions:
// those whose last write is within the newest `max` index entries, never one
// written by the same batch that evicts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryBackend } from '../../src/store/backend/memory.js';
import { AccountStore, type AccountStoreOptions } from '../../src/store/account-store.js';
import type { Transaction } from '../../src/store/transaction.js';
import type { KVBackend } from '../../src/store/backend/types.js';
import { bytes, modelBackends } from './helpers.js';

const encoder = new TextEncoder();

async function countPrefix(backend: KVBackend, prefix: string): Promise<number> {
  const p = encoder.encode(prefix);
  const end = p.slice();
  end[end.length - 1]!++;
  let n = 0;
  for await (const _ of backend.iterate({ gte: p, lt: end })) n++;
  return n;
}

type Op = { kind: 'put'; key: number } | { kind: 'reopen' };

/** What must be present: keys whose last write n is at or past the head. */
class Model {
  head = 0;
  next = 0;
  readonly lastN = new Map<number, number>();

  commit(keys: number[], max: number): void {
    const committedNext = this.next;
    for (const k of keys) this.lastN.set(k, this.next++);
    const count = Math.min(this.next - this.head - max, committedNext - this.head);
    if (count > 0) this.head += count;
  }

  present(): number[] {
    return [...this.lastN].filter(([, n]) => n >= this.head).map(([k]) => k).sort((a, b) => a - b);
  }
}

const txs = fc.array(
  fc.oneof(
    { weight: 9, arbitrary: fc.array(fc.integer({ min: 0, max: 15 }), { minLength: 1, maxLength: 4 }).map((keys) => ({ kind: 'put' as const, keys })) },
    { weight: 1, arbitrary: fc.constant({ kind: 'reopen' as const, keys: [] as number[] }) },
  ),
  { minLength: 1, maxLength: 40 },
);

/** Runs random transactions (and reopenings) against one family and compares what is left with the model. */
function modelCheck(fresh: () => Promise<KVBackend>, family: {
  options: (max: number) => AccountStoreOptions;
  put: (tx: Transaction, key: number, i: number) => void;
  has: (account: AccountStore, key: number) => Promise<boolean>;
  indexPrefix: string;
}) {
  return fc.asyncProperty(txs, fc.integer({ min: 1, max: 6 }), async (ops, max) => {
    const backend = await fresh();
    const open = () => AccountStore.open(backend, 'acc', family.options(max));
    let account = await open();
    const model = new Model();
    for (const op of ops) {
      if (op.kind === 'reopen') {
        account = await open();
        continue;
      }
      await account.transaction((tx) => op.keys.forEach((k, i) => family.put(tx, k, i)));
      model.commit(op.keys, max);
    }
    const present: number[] = [];
    for (let k = 0; k <= 15; k++) if (await family.has(account, k)) present.push(k);
    expect(present).toEqual(model.present());
    expect(await countPrefix(backend, family.indexPrefix)).toBe(model.next - model.head);
  });
}

const backends = modelBackends();

describe.each(backends)('bounded record families (%s)', (name, fresh) => {
  const numRuns = name === 'memory' ? 150 : 40;
  it('received messages: exactly the newest writes stay, within the bound, across reopening', async () => {
    await fc.assert(
      modelCheck(fresh, {
        options: (max) => ({ messagesMax: max }),
        put: (tx, k, i) => tx.messages.put('chat@s.whatsapp.net', `m${k}`, { k, i }),
        has: (account, k) => account.messages.has('chat@s.whatsapp.net', `m${k}`),
        indexPrefix: 'a/acc/msgn/',
      }),
      { numRuns },
    );
  });

  it('the sent cache follows the same model', async () => {
    await fc.assert(
      modelCheck(fresh, {
        options: (max) => ({ sentMessagesMax: max }),
        put: (tx, k) => tx.sent.put(`s${k}`, { to: 'x@lid', message: bytes(1, k), t: k }),
        has: async (account, k) => (await account.sent.get(`s${k}`)) !== undefined,
        indexPrefix: 'a/acc/smn/',
      }),
      { numRuns },
    );
  });
});

describe('bounded record families', () => {
  it('readers never see the index number stored in a message record', async () => {
    const { account } = { account: await AccountStore.open(new MemoryBackend(), 'acc') };
    await account.transaction((tx) => tx.messages.put('c@s.whatsapp.net', 'id1', { type: 'text', t: 5 }));
    expect(await account.messages.get('c@s.whatsapp.net', 'id1')).toEqual({ type: 'text', t: 5 });
  });
});
