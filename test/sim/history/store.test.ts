/**
 * The phone's history store: messages kept in time order per chat, once per
 * (chat, sender, id), the oldest of the whole phone pushed out past the
 * bound, and a snapshot that restores the same history.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PhoneError } from '../../../src/sim/phone/errors.js';
import { restoreHistory, snapshotHistory } from '../../../src/sim/phone/history/snapshot.js';
import { HistoryStore, type StoredMessage } from '../../../src/sim/phone/history/store.js';
import { DEFAULT_POLICY } from '../../../src/sim/phone/history/policy.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const msg = (id: string, t: number, fromMe = false, participant?: string): StoredMessage => ({ id, t, fromMe, content: text(id), ...(participant ? { participant } : {}) });

describe('HistoryStore', () => {
  it('keeps a chat in time order, a later arrival with an earlier time in its place', () => {
    const store = new HistoryStore();
    const chat = store.ensureChat('1@s.whatsapp.net');
    for (const [id, t] of [['a', 10], ['b', 30], ['c', 20], ['d', 30], ['e', 5]] as const) store.add(chat, msg(id, t));
    expect(chat.messages.map((m) => m.id)).toEqual(['e', 'a', 'c', 'b', 'd']);
  });

  it('holds a message once per sender and id: the same id from another sender is another message', () => {
    const store = new HistoryStore();
    const group = store.ensureChat('1-2@g.us');
    expect(store.add(group, msg('X', 1, false, 'a@s.whatsapp.net'))).toBe(true);
    expect(store.add(group, msg('X', 2, false, 'a@s.whatsapp.net'))).toBe(false);
    expect(store.add(group, msg('X', 3, false, 'b@s.whatsapp.net'))).toBe(true);
    expect(store.add(group, msg('X', 4, true))).toBe(true);
    expect(store.messageCount).toBe(3);
  });

  it('past its bound keeps the newest messages of the whole phone, whichever chats they are in', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 1_000 })), { maxLength: 200 }),
        (bound, adds) => {
          const store = new HistoryStore({ messages: bound, chats: 10, names: 10 });
          adds.forEach(([c, t], i) => store.add(store.ensureChat(`${c}@s.whatsapp.net`), msg(`m${i}`, t)));
          const kept = store.chats().flatMap((c) => c.messages);
          expect(kept.length).toBe(Math.min(bound, adds.length));
          expect(store.messageCount).toBe(kept.length);
          const keptIds = new Set(kept.map((m) => m.id));
          const gone = adds.map(([, t], i) => ({ id: `m${i}`, t })).filter((m) => !keptIds.has(m.id));
          // Nothing that went is newer than anything kept.
          const oldestKept = Math.min(...kept.map((m) => m.t));
          for (const m of gone) expect(m.t).toBeLessThanOrEqual(oldestKept);
          // The index follows the lists.
          for (const c of store.chats()) expect(c.byKey.size).toBe(c.messages.length);
        },
      ),
    );
  });

  it('refuses a chat, push name or mapping past its bound', () => {
    const store = new HistoryStore({ messages: 10, chats: 1, names: 1 });
    store.ensureChat('1@s.whatsapp.net');
    expect(() => store.ensureChat('2@s.whatsapp.net')).toThrow(PhoneError);
    store.setPushName('1@s.whatsapp.net', 'One');
    store.setPushName('1@s.whatsapp.net', 'Uno');
    expect(() => store.setPushName('2@s.whatsapp.net', 'Two')).toThrow(expect.objectContaining({ code: 'HISTORY_FULL' }));
    store.setMapping('1@lid', '1@s.whatsapp.net');
    expect(() => store.setMapping('2@lid', '2@s.whatsapp.net')).toThrow(expect.objectContaining({ code: 'HISTORY_FULL' }));
  });

  it('restores from its snapshot (through JSON) the same chats, messages, names, mappings and policy', () => {
    const store = new HistoryStore();
    const chat = store.ensureChat('1@s.whatsapp.net');
    store.updateChat(chat, { name: 'One', unreadCount: 2, archived: true, pinnedAt: 100, mutedUntil: -1 });
    store.add(chat, { ...msg('a', 1, true), status: 'read', pushName: 'Me', reactions: [{ id: 'r', fromMe: false, sender: '1@s.whatsapp.net', emoji: '👍', t: 1500 }] });
    store.add(chat, { id: 'b', t: 2, fromMe: false, content: new Uint8Array(0), stub: 1 });
    const group = store.ensureChat('1-2@g.us');
    store.add(group, msg('c', 3, false, 'x@s.whatsapp.net'));
    store.setPushName('x@s.whatsapp.net', 'Ex');
    store.setMapping('9@lid', '1@s.whatsapp.net');
    store.addStatus(msg('st', 4, false, 'x@s.whatsapp.net'));
    const policy = { ...DEFAULT_POLICY, chunkBytes: 4096 };

    const copy = new HistoryStore();
    const restoredPolicy = restoreHistory(copy, JSON.parse(JSON.stringify(snapshotHistory(store, policy))));
    expect(restoredPolicy).toEqual(policy);
    expect(snapshotHistory(copy, policy)).toEqual(snapshotHistory(store, policy));
    expect(copy.chat('1@s.whatsapp.net')!.byKey.get('me\u0000a')?.status).toBe('read');
    expect(copy.statuses().map((m) => [m.id, m.participant])).toEqual([['st', 'x@s.whatsapp.net']]);
    expect(copy.chat('1@s.whatsapp.net')!.byKey.get('me\u0000a')?.reactions).toEqual([{ id: 'r', fromMe: false, sender: '1@s.whatsapp.net', emoji: '👍', t: 1500 }]);
  });

  it('restores nothing from what is not its snapshot, and skips rows that are not messages', () => {
    const store = new HistoryStore();
    expect(restoreHistory(store, { version: 99 })).toBeUndefined();
    restoreHistory(store, { version: 1, chats: [{ jid: 'a@s.whatsapp.net', messages: [['x', 0, '', 1, '', '', '', 0], ['bad'], null] }], pushNames: [[1, 2]], mappings: [] });
    expect(store.chat('a@s.whatsapp.net')!.messages.map((m) => m.id)).toEqual(['x']);
    expect(store.pushNames()).toEqual([]);
  });
});
