// Unread counts written by several writers of one chat: history chunks (the
// phone's count at linking, arriving over minutes), live messages, reads on
// our devices and app state read marks. Through the real writers (history's
// chunk staging, the receive path's message-store writes, app state effects)
// into a real store: a history chunk never lowers what live messages added,
// a chat that appears in several chunks is not counted again, and a read newer
// than a chunk's last message makes that chunk's count stale.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planEffects } from '../../src/account/app-state/effects.js';
import type { AccountEvent } from '../../src/account/events.js';
import { ChunkItems, stageChunk } from '../../src/account/history/chunk.js';
import { storeMessageEvents } from '../../src/account/messaging/message-store.js';
import type { HistoryChat } from '../../src/protocol/history/index.js';
import { MemoryBackend } from '../../src/store/backend/memory.js';
import { AccountStore, applyChatPatch, emptyChat, type ChatRecord } from '../../src/store/index.js';

const CHAT = '15550170001@s.whatsapp.net';
const ME = '15550170000@s.whatsapp.net';
const LINKED_AT = 1_800_000_000;

let n = 0;

/** A history chunk naming the chat with the phone's unread count as of its last message. */
function chunk(unreadCount: number, lastMessageAt: number, settings: Partial<Pick<HistoryChat, 'archived' | 'pinned' | 'pinnedAt' | 'mutedUntil'>> = {}): ChunkItems {
  const items = new ChunkItems();
  const chat: HistoryChat = { jid: CHAT, unreadCount, archived: false, pinned: false, messages: 0, lastMessageAt, ...settings };
  items.add({ kind: 'chat', chat, contact: { jid: CHAT } });
  return items;
}

/** A text the receive path stored (someone else's, or ours from another device). */
function live(t: number, fromMe = false): AccountEvent[] {
  const sender = fromMe ? ME : CHAT;
  return [{ type: 'message:new', conversationId: CHAT, data: { id: `LIVE${n++}`, chat: CHAT, sender, fromMe, t, type: 'text', content: 'x' } }];
}

async function harness() {
  const store = await AccountStore.open(new MemoryBackend(), 'acc');
  const unread = async () => (await store.chats.get(CHAT))?.unreadCount;
  return {
    store,
    unread,
    history: (count: number, lastMessageAt: number, settings: Parameters<typeof chunk>[2] = {}) =>
      store.transaction((tx) => void stageChunk(tx, chunk(count, lastMessageAt, settings))),
    receive: (t: number, fromMe = false) => store.transaction((tx) => storeMessageEvents(tx, live(t, fromMe), { unread: true })),
    // Another of our devices read the chat (its read receipt's time), or we marked it read here.
    read: (at: number) => store.transaction((tx) => tx.chats.patch(CHAT, { readAt: at, markedUnread: false })),
    appStateRead: async (timestampMs: number) => {
      const effects = await planEffects({ store, canonicalChat: async (j) => j, me: () => ({ jid: ME, lid: undefined }) }, [{ kind: 'chat.read', chat: CHAT, read: true, timestamp: timestampMs }]);
      await store.transaction((tx) => effects.stage(tx));
    },
    appState: async (changes: Parameters<typeof planEffects>[1]) => {
      const effects = await planEffects({ store, canonicalChat: async (j) => j, me: () => ({ jid: ME, lid: undefined }) }, changes);
      await store.transaction((tx) => effects.stage(tx));
    },
  };
}

describe('unread counts under history sync', () => {
  it('keeps what live messages added when history chunks name the chat again', async () => {
    const h = await harness();
    await h.receive(LINKED_AT + 5);
    // The phone's count at linking takes over from the one live message...
    await h.history(3, LINKED_AT - 60);
    expect(await h.unread()).toBe(3);
    await h.receive(LINKED_AT + 10);
    await h.receive(LINKED_AT + 11);
    expect(await h.unread()).toBe(5);
    // ...and a later chunk with the same chat (its count as of linking) takes nothing away.
    await h.history(3, LINKED_AT - 60);
    expect(await h.unread()).toBe(5);
    expect((await h.store.chats.get(CHAT))?.lastMessageAt).toBe(LINKED_AT + 11);
  });

  it('lets no chunk bring back what a read after its last message cleared', async () => {
    const h = await harness();
    await h.history(4, LINKED_AT - 60);
    await h.read(LINKED_AT + 1);
    expect(await h.unread()).toBe(0);
    await h.history(4, LINKED_AT - 60);
    expect(await h.unread()).toBe(0);
    await h.receive(LINKED_AT + 20);
    await h.history(4, LINKED_AT - 60);
    expect(await h.unread()).toBe(1);
    // Our own message from another device reads the chat too.
    await h.receive(LINKED_AT + 30, true);
    await h.history(4, LINKED_AT - 60);
    expect(await h.unread()).toBe(0);
  });

  it('takes an app state read mark older than the chat’s messages as saying nothing of them', async () => {
    const h = await harness();
    // The collection's snapshot at linking holds a read mark from before the chat's last messages.
    await h.appStateRead((LINKED_AT - 3600) * 1000);
    await h.history(2, LINKED_AT - 60);
    expect(await h.unread()).toBe(2);
    await h.appStateRead((LINKED_AT - 3600) * 1000);
    expect(await h.unread()).toBe(2);
    // A read on the phone now clears it, and stays cleared through later chunks.
    await h.appStateRead((LINKED_AT + 100) * 1000);
    expect(await h.unread()).toBe(0);
    await h.history(2, LINKED_AT - 60);
    expect(await h.unread()).toBe(0);
  });
});

describe('archived, pinned and muted under history sync and app state', () => {
  it('takes the history chunk’s copy only for settings app state has not given', async () => {
    const h = await harness();
    // Nothing from app state yet: the chunk seeds the settings.
    await h.history(0, LINKED_AT - 60, { archived: true, pinned: true, pinnedAt: LINKED_AT - 500, mutedUntil: -1 });
    expect(await h.store.chats.get(CHAT)).toMatchObject({ archived: true, pinned: true, pinnedAt: LINKED_AT - 500, mutedUntil: -1 });
    // The phone unarchives and unpins after linking: app state says so.
    await h.appState([
      { kind: 'chat.archived', chat: CHAT, archived: false, timestamp: (LINKED_AT + 10) * 1000 },
      { kind: 'chat.pinned', chat: CHAT, pinned: false, timestamp: (LINKED_AT + 10) * 1000 },
    ]);
    // A later chunk still carries the copy taken at linking: archive and pin stay as app state left them,
    // while mute (which app state has not spoken for) follows the chunk.
    await h.history(0, LINKED_AT - 60, { archived: true, pinned: true, pinnedAt: LINKED_AT - 500 });
    const chat = await h.store.chats.get(CHAT);
    expect(chat).toMatchObject({ archived: false, pinned: false, mutedUntil: -1 });
    expect(chat?.pinnedAt).toBeUndefined();
    await h.history(0, LINKED_AT - 60, { archived: true, pinned: false, mutedUntil: LINKED_AT + 3600 });
    expect((await h.store.chats.get(CHAT))?.mutedUntil).toBe(LINKED_AT + 3600);
    // Once app state mutes, history's copy no longer moves it either.
    await h.appState([{ kind: 'chat.muted', chat: CHAT, mutedUntil: null, timestamp: (LINKED_AT + 20) * 1000 }]);
    await h.history(0, LINKED_AT - 60, { mutedUntil: LINKED_AT + 7200 });
    expect((await h.store.chats.get(CHAT))?.mutedUntil).toBeUndefined();
    expect((await h.store.chats.get(CHAT))?.archived).toBe(false);
  });

  it('keeps app state’s settings through a restart of the store', async () => {
    const backend = new MemoryBackend();
    const first = await AccountStore.open(backend, 'acc');
    const effects = await planEffects({ store: first, canonicalChat: async (j) => j, me: () => ({ jid: ME, lid: undefined }) }, [
      { kind: 'chat.archived', chat: CHAT, archived: true, timestamp: LINKED_AT * 1000 },
    ]);
    await first.transaction((tx) => effects.stage(tx));
    await first.close();
    const second = await AccountStore.open(backend, 'acc');
    await second.transaction((tx) => void stageChunk(tx, chunk(0, LINKED_AT - 60, { archived: false })));
    expect((await second.chats.get(CHAT))?.archived).toBe(true);
  });
});

type Step =
  | { kind: 'history'; count: number; lastMessageAt: number }
  | { kind: 'live'; t: number }
  | { kind: 'read'; at: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('history' as const), count: fc.nat(50), lastMessageAt: fc.integer({ min: LINKED_AT - 1000, max: LINKED_AT }) }),
  fc.record({ kind: fc.constant('live' as const), t: fc.integer({ min: LINKED_AT - 1000, max: LINKED_AT + 1000 }) }),
  fc.record({ kind: fc.constant('read' as const), at: fc.integer({ min: LINKED_AT - 1000, max: LINKED_AT + 1000 }) }),
);

function apply(c: ChatRecord, s: Step): ChatRecord {
  if (s.kind === 'history') return applyChatPatch(c, { historyUnread: { count: s.count, lastMessageAt: s.lastMessageAt } });
  if (s.kind === 'live') return applyChatPatch(c, { addUnread: 1, lastMessageAt: s.t });
  return applyChatPatch(c, { readAt: s.at });
}

describe('unread count rules on any order of writes', () => {
  it('history never lowers the count, and a chunk seen twice changes nothing the second time', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), fc.nat(50), fc.integer({ min: LINKED_AT - 1000, max: LINKED_AT }), (steps, count, lastMessageAt) => {
        const before = steps.reduce(apply, emptyChat(CHAT));
        const h: Step = { kind: 'history', count, lastMessageAt };
        const once = apply(before, h);
        expect(once.unreadCount).toBeGreaterThanOrEqual(before.unreadCount);
        expect(apply(once, h)).toEqual(once);
      }),
    );
  });

  it('after a read at or after every message known, only messages received later count, whatever history comes', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), fc.array(step, { maxLength: 30 }), (before, after) => {
        const known = before.reduce(apply, emptyChat(CHAT));
        const readAt = Math.max(LINKED_AT, known.lastMessageAt ?? 0);
        const read = applyChatPatch(known, { readAt });
        expect(read.unreadCount).toBe(0);
        // History is a snapshot from before the read: its chunks are dated no later than linking.
        const end = after.filter((s) => s.kind !== 'read').reduce(apply, read);
        expect(end.unreadCount).toBe(after.filter((s) => s.kind === 'live').length);
      }),
    );
  });
});
