// The message store against a model: any sequence of batches of puts,
// updates and deletes leaves exactly the model's messages (the newest by
// time then id within the per-chat and the account bound), listed newest
// first, counted right, after a reopen too. Chats and contacts merge partial
// writes from several writers in order.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryBackend } from '../../src/store/backend/memory.js';
import { AccountStore, type StoredChatMessage } from '../../src/store/index.js';
import { modelBackends } from './helpers.js';

const backends = modelBackends();

const CHATS = ['a@s.whatsapp.net', 'b@s.whatsapp.net', 'g@g.us'];

type Op =
  | { kind: 'put'; chat: number; id: number; t: number }
  | { kind: 'react'; chat: number; id: number }
  | { kind: 'delete'; chat: number; id: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('put' as const), chat: fc.nat(2), id: fc.nat(40), t: fc.nat(30) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('react' as const), chat: fc.nat(2), id: fc.nat(40) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), chat: fc.nat(2), id: fc.nat(40) }) },
);

function msg(chat: string, id: string, t: number): StoredChatMessage {
  return { id, chat, t, type: 'text', content: `${id}@${t}`, fromMe: false, sender: chat };
}

type Model = Map<string, { chat: string; id: string; t: number; reactions: number }>;

function older(a: { t: number; chat: string; id: string }, b: { t: number; chat: string; id: string }): number {
  return a.t - b.t || (a.chat < b.chat ? -1 : a.chat > b.chat ? 1 : 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function applyModel(model: Model, batch: Op[], perChat: number, total: number): void {
  for (const o of batch) {
    const chat = CHATS[o.chat]!;
    const id = `m${o.id}`;
    const k = `${chat} ${id}`;
    if (o.kind === 'put') model.set(k, { chat, id, t: o.t, reactions: 0 });
    else if (o.kind === 'delete') model.delete(k);
    else if (model.has(k)) model.get(k)!.reactions++;
  }
  for (const chat of CHATS) {
    const mine = [...model.entries()].filter(([, m]) => m.chat === chat).sort(([, a], [, b]) => older(a, b));
    for (const [k] of mine.slice(0, Math.max(0, mine.length - perChat))) model.delete(k);
  }
  const all = [...model.entries()].sort(([, a], [, b]) => older(a, b));
  for (const [k] of all.slice(0, Math.max(0, all.length - total))) model.delete(k);
}

describe.each(backends)('the message store (%s)', (name, fresh) => {
  it('keeps what the model keeps, within both bounds, in order, across reopen', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(op, { maxLength: 25 }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 25 }), async (batches, perChat, total) => {
        const backend = await fresh();
        let store = await AccountStore.open(backend, 'acc', { chatMessagesPerChat: perChat, chatMessagesMax: total });
        const model: Model = new Map();
        for (const batch of batches) {
          await store.transaction((tx) => {
            for (const o of batch) {
              const chat = CHATS[o.chat]!;
              const id = `m${o.id}`;
              if (o.kind === 'put') tx.chatMessages.put(msg(chat, id, o.t));
              else if (o.kind === 'delete') tx.chatMessages.delete(chat, id);
              else tx.chatMessages.update(chat, id, (m) => ({ ...m, reactions: ((m.reactions as number | undefined) ?? 0) + 1 }));
            }
          });
          applyModel(model, batch, perChat, total);
        }
        await store.close();
        store = await AccountStore.open(backend, 'acc', { chatMessagesPerChat: perChat, chatMessagesMax: total });
        expect(await store.chatMessages.total()).toBe(model.size);
        for (const chat of CHATS) {
          const want = [...model.values()].filter((m) => m.chat === chat).sort(older).reverse();
          const got = await store.chatMessages.list(chat, { limit: 1000 });
          expect(got.map((m) => [m.id, m.t, (m.reactions as number | undefined) ?? 0])).toEqual(want.map((m) => [m.id, m.t, m.reactions]));
          expect(await store.chatMessages.count(chat)).toBe(want.length);
          // Paging with `before` walks the same list.
          const paged: string[] = [];
          let before: string | undefined;
          for (;;) {
            const page = await store.chatMessages.list(chat, { limit: 2, ...(before ? { before } : {}) });
            if (page.length === 0) break;
            paged.push(...page.map((m) => m.id));
            before = page.at(-1)!.id;
          }
          expect(paged).toEqual(want.map((m) => m.id));
          expect((await store.chatMessages.oldest(chat))?.id).toBe(want.at(-1)?.id);
          const newest = want[0];
          if (newest) expect((await store.chats.get(chat))?.lastMessageAt).toBeGreaterThanOrEqual(newest.t);
        }
      }),
      { numRuns: name === 'memory' ? 60 : 25 },
    );
  });
});

describe('the message store', () => {
  it('a batch bigger than the bound keeps its newest messages', async () => {
    const store = await AccountStore.open(new MemoryBackend(), 'acc', { chatMessagesPerChat: 100, chatMessagesMax: 150 });
    await store.transaction((tx) => {
      for (let i = 0; i < 500; i++) tx.chatMessages.put(msg(CHATS[i % 2]!, `x${i}`, 1000 + i));
    });
    expect(await store.chatMessages.total()).toBe(150);
    const a = await store.chatMessages.list(CHATS[0]!, { limit: 1000 });
    const b = await store.chatMessages.list(CHATS[1]!, { limit: 1000 });
    expect(a.length + b.length).toBe(150);
    expect(Math.min(...[...a, ...b].map((m) => m.t))).toBe(1350);
  });
});

describe('chats and contacts', () => {
  it('patches from several writers merge in order, inside and across transactions', async () => {
    const store = await AccountStore.open(new MemoryBackend(), 'acc');
    const jid = CHATS[0]!;
    await store.transaction((tx) => {
      tx.chats.patch(jid, { name: 'Ann', unreadCount: 3, lastMessageAt: 50 });
      tx.chats.patch(jid, { addUnread: 2, addLabels: ['1', '2'] });
      tx.chats.put(jid, { expiration: 86400 });
    });
    await store.transaction((tx) => {
      tx.chats.patch(jid, { archived: true, pinned: true, pinnedAt: 70, mutedUntil: -1, removeLabels: ['1'], lastMessageAt: 40 });
    });
    expect(await store.chats.get(jid)).toEqual({
      jid,
      name: 'Ann',
      unreadCount: 5,
      archived: true,
      pinned: true,
      pinnedAt: 70,
      mutedUntil: -1,
      lastMessageAt: 50,
      expiration: 86400,
      labels: ['2'],
    });
    await store.transaction((tx) => tx.chats.patch(jid, { pinned: false, mutedUntil: null, name: null, unreadCount: 0 }));
    expect(await store.chats.get(jid)).toEqual({ jid, unreadCount: 0, archived: true, pinned: false, lastMessageAt: 50, expiration: 86400, labels: ['2'] });
    await store.transaction((tx) => {
      tx.chats.patch(CHATS[1]!, { lastMessageAt: 90 });
      tx.chats.patch(CHATS[2]!, { lastMessageAt: 10 });
    });
    expect((await store.chats.list()).map((c) => c.jid)).toEqual([CHATS[1], jid, CHATS[2]]);
    expect((await store.chats.list({ archived: false, before: 90, limit: 5 })).map((c) => c.jid)).toEqual([CHATS[2]]);

    await store.transaction((tx) => {
      tx.contacts.patch(jid, { pushName: 'ann' });
      tx.contacts.patch(jid, { name: 'Ann Smith', lid: '77@lid' });
    });
    await store.transaction((tx) => tx.contacts.patch(jid, { pushName: null }));
    expect(await store.contacts.list()).toEqual([{ jid, name: 'Ann Smith', lid: '77@lid' }]);
  });
});
