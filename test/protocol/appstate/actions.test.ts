// Actions → mutations → (encrypt, decrypt) → changes: every action reads back
// as the change it means; indexes, versions and collections are what WhatsApp
// writes (checked against Baileys' chatModificationToAppPatch where Baileys
// builds the same action); REMOVEs and unknown mutations read as documented.
import { chatModificationToAppPatch } from 'baileys';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  actionMutations,
  AppStateError,
  buildPatch,
  byCollection,
  changeOf,
  decodePatch,
  emptyCollectionState,
  expandAppStateKeys,
  Keyring,
  servedPatch,
  type AppStateAction,
  type AppStateChange,
  type CollectionName,
  type MessageRef,
} from '../../../src/protocol/appstate/index.js';
import { proto } from '../../../src/protocol/proto/index.js';
import { PLAIN } from '../proto/helpers.js';
import { action, counterRandom, GROUP, KEY, PARTICIPANT, T_MS } from './arbitraries.js';

const signing = { keyId: KEY.keyId, keys: expandAppStateKeys(KEY.keyData) };
const lookup = new Keyring([KEY]).lookup;
const CHAT = '15550001111@s.whatsapp.net';

/** The model: what each action must read back as (independent of the builder's tables). */
function expectedChanges(a: AppStateAction): AppStateChange[] {
  const msg = (chat: string, m: MessageRef) => ({ chat, messageId: m.id, fromMe: m.fromMe, ...(m.participant ? { participant: m.participant } : {}) });
  const t = { timestamp: T_MS };
  switch (a.type) {
    case 'archive':
      return [
        { kind: 'chat.archived', chat: a.chat, archived: a.archived, ...t },
        ...(a.archived ? [{ kind: 'chat.pinned' as const, chat: a.chat, pinned: false, ...t }] : []),
      ];
    case 'pin':
      return [{ kind: 'chat.pinned', chat: a.chat, pinned: a.pinned, ...t }];
    case 'mute':
      return [{ kind: 'chat.muted', chat: a.chat, mutedUntil: a.until, ...t }];
    case 'markRead':
      return [{ kind: 'chat.read', chat: a.chat, read: a.read, ...t }];
    case 'star':
      return [{ kind: 'message.starred', ...msg(a.chat, a.message), starred: a.starred, ...t }];
    case 'deleteForMe':
      return [{ kind: 'message.deletedForMe', ...msg(a.chat, a.message), deleteMedia: a.deleteMedia, ...t }];
    case 'deleteChat':
      return [{ kind: 'chat.deleted', chat: a.chat, deleteMedia: a.deleteMedia, ...t }];
    case 'clearChat':
      return [{ kind: 'chat.cleared', chat: a.chat, keepStarred: a.keepStarred, deleteMedia: a.deleteMedia, ...t }];
    case 'contact': {
      const { type: _t, jid, saveOnPrimaryAddressbook: _s, ...names } = a;
      return [{ kind: 'contact.updated', jid, ...names, ...t }];
    }
    case 'removeContact':
      return [{ kind: 'contact.removed', jid: a.jid, ...t }];
    case 'pushName':
      return [{ kind: 'pushName', name: a.name, ...t }];
    case 'locale':
      return [{ kind: 'locale', locale: a.locale, ...t }];
    case 'labelEdit': {
      const { type: _t, ...label } = a;
      return [{ kind: 'label.edited', ...label, ...t }];
    }
    case 'labelChat':
      return [{ kind: 'chat.labelled', chat: a.chat, labelId: a.labelId, labelled: a.labelled, ...t }];
    case 'labelMessage':
      return [{ kind: 'message.labelled', chat: a.chat, messageId: a.messageId, labelId: a.labelId, labelled: a.labelled, ...t }];
    case 'unarchiveChats':
      return [{ kind: 'setting.unarchiveChats', enabled: a.enabled, ...t }];
  }
}

function roundTrip(a: AppStateAction): AppStateChange[] {
  const changes: AppStateChange[] = [];
  const random = counterRandom();
  for (const [collection, mutations] of byCollection(actionMutations(a, T_MS))) {
    const built = buildPatch(collection, emptyCollectionState(), signing, mutations, random);
    const wire = proto.SyncdPatch.decode(proto.SyncdPatch.encode(servedPatch(built.patch, 1)).finish());
    for (const m of decodePatch(collection, wire, emptyCollectionState(), lookup).mutations) {
      const change = changeOf(m);
      if (change) changes.push(change);
    }
  }
  return changes;
}

describe('actions read back as their changes', () => {
  it('for every kind, through encryption and decryption', () => {
    fc.assert(
      fc.property(action, (a) => {
        expect(roundTrip(a)).toEqual(expectedChanges(a));
      }),
      { numRuns: 400 },
    );
  });

  it('go in the collection WhatsApp keeps each in', () => {
    const expected: Record<AppStateAction['type'], CollectionName> = {
      pushName: 'critical_block',
      locale: 'critical_block',
      contact: 'critical_unblock_low',
      removeContact: 'critical_unblock_low',
      mute: 'regular_high',
      star: 'regular_high',
      deleteForMe: 'regular_high',
      deleteChat: 'regular_high',
      clearChat: 'regular_high',
      labelEdit: 'regular',
      labelChat: 'regular',
      labelMessage: 'regular',
      archive: 'regular_low',
      pin: 'regular_low',
      markRead: 'regular_low',
      unarchiveChats: 'regular_low',
    };
    fc.assert(
      fc.property(action, (a) => {
        expect(new Set(actionMutations(a, T_MS).map((m) => m.collection))).toEqual(new Set([expected[a.type]]));
      }),
      { numRuns: 300 },
    );
  });

  it('refuse a group message of someone else without its sender', () => {
    const message = { id: 'M1', fromMe: false };
    expect(() => actionMutations({ type: 'star', chat: GROUP, message, starred: true }, T_MS)).toThrow(AppStateError);
    expect(actionMutations({ type: 'star', chat: GROUP, message: { ...message, participant: PARTICIPANT }, starred: true }, T_MS)[0]!.index).toEqual([
      'star', GROUP, 'M1', '0', PARTICIPANT,
    ]);
    // In a 1:1 chat the id is enough and the sender is written as "0".
    expect(actionMutations({ type: 'star', chat: CHAT, message: { ...message, participant: CHAT }, starred: true }, T_MS)[0]!.index).toEqual([
      'star', CHAT, 'M1', '0', '0',
    ]);
  });
});

describe('actions as Baileys writes them', () => {
  const plain = (v: unknown) => proto.SyncActionValue.toObject(proto.SyncActionValue.fromObject(v as Record<string, unknown>), PLAIN);
  // [ours, Baileys' chat modification, chat]. Where we knowingly differ from Baileys, the case says how.
  const cases: Record<string, [AppStateAction, Record<string, unknown>]> = {
    mute: [{ type: 'mute', chat: CHAT, until: T_MS + 3_600_000 }, { mute: T_MS + 3_600_000 }],
    // (Baileys writes a message range's messages without their timestamps; ranges are left out here.)
    unarchive: [{ type: 'archive', chat: CHAT, archived: false }, { archive: false, lastMessages: undefined }],
    markRead: [{ type: 'markRead', chat: CHAT, read: true }, { markRead: true, lastMessages: undefined }],
    pin: [{ type: 'pin', chat: GROUP, pinned: true }, { pin: true }],
    deleteForMe: [
      { type: 'deleteForMe', chat: CHAT, message: { id: 'M2', fromMe: true }, deleteMedia: true, messageTimestamp: 1_700_000_000 },
      { deleteForMe: { key: { id: 'M2', fromMe: true }, timestamp: 1_700_000_000, deleteMedia: true } },
    ],
    clear: [{ type: 'clearChat', chat: CHAT, keepStarred: false, deleteMedia: false }, { clear: true, lastMessages: undefined }],
    deleteChat: [{ type: 'deleteChat', chat: CHAT, deleteMedia: true }, { delete: true, lastMessages: undefined }],
    contact: [{ type: 'contact', jid: CHAT, fullName: 'Bob Builder', firstName: 'Bob' }, { contact: { fullName: 'Bob Builder', firstName: 'Bob' } }],
    removeContact: [{ type: 'removeContact', jid: CHAT }, { contact: null }],
    pushName: [{ type: 'pushName', name: 'wad bot' }, { pushNameSetting: 'wad bot' }],
    labelEdit: [{ type: 'labelEdit', labelId: '5', name: 'Customers', color: 3, deleted: false }, { addLabel: { id: '5', name: 'Customers', color: 3, deleted: false } }],
    labelChat: [{ type: 'labelChat', chat: CHAT, labelId: '5', labelled: true }, { addChatLabel: { labelId: '5' } }],
    unlabelChat: [{ type: 'labelChat', chat: CHAT, labelId: '5', labelled: false }, { removeChatLabel: { labelId: '5' } }],
    labelMessage: [{ type: 'labelMessage', chat: CHAT, labelId: '5', messageId: 'M3', labelled: true }, { addMessageLabel: { labelId: '5', messageId: 'M3' } }],
  };

  it.each(Object.entries(cases))('%s: same index, version, operation and value', (_name, [ours, mod]) => {
    const [m] = actionMutations(ours, T_MS);
    const theirs = chatModificationToAppPatch(mod as never, 'chat' in ours ? ours.chat : CHAT);
    expect(m!.index).toEqual(theirs.index);
    expect(m!.version).toBe(theirs.apiVersion);
    expect(m!.operation).toBe(theirs.operation === proto.SyncdMutation.SyncdOperation.REMOVE ? 'remove' : 'set');
    expect(m!.collection).toBe(theirs.type);
    expect(plain({ ...m!.value, timestamp: 0 })).toEqual(plain({ ...(theirs.syncAction as object), timestamp: 0 }));
  });

  it('differs on purpose: star lives in regular_high, archiving unpins, unmuting writes end 0', () => {
    const star = chatModificationToAppPatch({ star: { messages: [{ id: 'M1', fromMe: true }], star: true } } as never, CHAT);
    const [ourStar] = actionMutations({ type: 'star', chat: CHAT, message: { id: 'M1', fromMe: true }, starred: true }, T_MS);
    // Same record (index, version, value); Baileys files it under regular_low, WhatsApp under regular_high.
    expect([ourStar!.index, ourStar!.version, ourStar!.collection, star.type]).toEqual([star.index, star.apiVersion, 'regular_high', 'regular_low']);
    expect(actionMutations({ type: 'archive', chat: CHAT, archived: true }, T_MS).map((m) => m.index)).toEqual([['archive', CHAT], ['pin_v1', CHAT]]);
    expect(actionMutations({ type: 'mute', chat: CHAT, until: null }, T_MS)[0]!.value.muteAction).toEqual({ muted: false, muteEndTimestamp: 0 });
  });
});

describe('changes of what wad does not write', () => {
  const change = (operation: 'set' | 'remove', index: string[], value: proto.ISyncActionValue) => changeOf({ operation, index, value: proto.SyncActionValue.fromObject(value as Record<string, unknown>) });

  it('a REMOVE resets a flag to its default, removes a contact, deletes a label', () => {
    expect(change('remove', ['pin_v1', CHAT], {})).toEqual({ kind: 'chat.pinned', chat: CHAT, pinned: false });
    expect(change('remove', ['archive', CHAT], {})).toEqual({ kind: 'chat.archived', chat: CHAT, archived: false });
    expect(change('remove', ['mute', CHAT], { timestamp: 5 })).toEqual({ kind: 'chat.muted', chat: CHAT, mutedUntil: null, timestamp: 5 });
    expect(change('remove', ['star', CHAT, 'M', '1', '0'], {})).toEqual({ kind: 'message.starred', chat: CHAT, messageId: 'M', fromMe: true, starred: false });
    expect(change('remove', ['label_jid', '3', CHAT], { labelAssociationAction: { labeled: true } })).toEqual({ kind: 'chat.labelled', chat: CHAT, labelId: '3', labelled: false });
    expect(change('remove', ['contact', CHAT], {})).toEqual({ kind: 'contact.removed', jid: CHAT });
    expect(change('remove', ['label_edit', '3'], { labelEditAction: { name: 'VIP' } })).toEqual({ kind: 'label.edited', labelId: '3', name: 'VIP', deleted: true });
    for (const index of [['markChatAsRead', CHAT], ['deleteChat', CHAT, '1'], ['setting_pushName'], ['deleteMessageForMe', CHAT, 'M', '0', '0']]) {
      expect(change('remove', index, {})).toBeUndefined();
    }
  });

  it('a mute without an end is for ever; an LID contact is a contact', () => {
    expect(change('set', ['mute', CHAT], { muteAction: { muted: true } })).toEqual({ kind: 'chat.muted', chat: CHAT, mutedUntil: -1 });
    expect(change('set', ['lid_contact', '204873165127721@lid'], { lidContactAction: { fullName: 'Dan', username: 'dan' } })).toEqual({
      kind: 'contact.updated', jid: '204873165127721@lid', fullName: 'Dan', username: 'dan',
    });
  });

  it('unknown or malformed mutations are not reported', () => {
    expect(change('set', ['quick_reply', '123'], { quickReplyAction: { shortcut: 'hi' } })).toBeUndefined();
    expect(change('set', ['pin_v1'], { pinAction: { pinned: true } })).toBeUndefined();
    expect(change('set', ['pin_v1', CHAT], { muteAction: { muted: true } })).toBeUndefined();
    expect(change('set', ['star', CHAT], { starAction: { starred: true } })).toBeUndefined();
    expect(change('set', ['setting_pushName'], { pushNameSetting: { name: '' } })).toBeUndefined();
  });
});
