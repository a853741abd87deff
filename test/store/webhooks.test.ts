// The daemon's webhook records: they round-trip, sit beside the accounts
// without `wad store check` calling them unknown, and one damaged record is
// reported by id while the others still load.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkStore, Store, type WebhookRecord } from '../../src/store/index.js';
import { key } from '../../src/store/keys.js';
import { WEBHOOKS_PREFIX } from '../../src/store/webhooks.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wad-webhooks-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const hook = (id: string, over: Partial<WebhookRecord> = {}): WebhookRecord => ({
  id,
  url: `http://127.0.0.1:9/${id}`,
  events: ['message:new'],
  accounts: undefined,
  secret: 'secret-0123456789abcdef',
  createdAt: 1_700_000_000_000,
  pausedReason: undefined,
  ...over,
});

describe('webhook records', () => {
  it('round-trip, are known to the store check, and a damaged one is named while the rest load', async () => {
    const store = await Store.open(dir);
    await store.webhooks.put(hook('one'));
    await store.webhooks.put(hook('two', { events: undefined, accounts: ['a', 'b'], pausedReason: 'gave up after 12 attempts' }));
    expect((await store.webhooks.list()).webhooks).toEqual([hook('one'), hook('two', { events: undefined, accounts: ['a', 'b'], pausedReason: 'gave up after 12 attempts' })]);
    await store.close();
    expect(await checkStore(dir)).toMatchObject({ ok: true, unknownKeys: [] });

    const again = await Store.open(dir);
    await again.backend.batch([{ type: 'put', key: key(WEBHOOKS_PREFIX, 'bad'), value: new Uint8Array([1, 2, 3]) }]);
    await again.webhooks.delete('one');
    const { webhooks, damaged } = await again.webhooks.list();
    expect(webhooks.map((w) => w.id)).toEqual(['two']);
    expect(damaged.map((d) => d.id)).toEqual(['bad']);
    await again.close();
    expect((await checkStore(dir)).unknownKeys).toEqual(['webhooks/bad']);
  });
});
