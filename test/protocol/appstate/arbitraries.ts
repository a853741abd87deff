// fast-check arbitraries and fixtures shared by the app state suites.
import fc from 'fast-check';
import type { AppStateAction, MessageRange } from '../../../src/protocol/appstate/index.js';
import { bytes } from '../proto/helpers.js';

export const CHATS = ['15550001111@s.whatsapp.net', '15550002222@s.whatsapp.net', '120363025246125888@g.us', '204873165127721@lid'] as const;
export const GROUP = CHATS[2];
export const PARTICIPANT = '15550003333@s.whatsapp.net';
export const T_MS = 1_700_000_000_123;

export const KEY = { keyId: bytes(6, 'appstate/key-id'), keyData: bytes(32, 'appstate/key') };
export const OTHER_KEY = { keyId: bytes(6, 'appstate/other-key-id'), keyData: bytes(32, 'appstate/other-key') };

const chat = fc.constantFrom(...CHATS);
const messageId = fc.constantFrom('3EB0AAAA0001', '3EB0AAAA0002', 'ABCDEF012345');
const seconds = fc.integer({ min: 1_600_000_000, max: 1_800_000_000 });

const messageRange: fc.Arbitrary<MessageRange | undefined> = fc.option(
  fc.record({
    lastMessageTimestamp: seconds,
    messages: fc.array(
      fc.record({ key: fc.record({ remoteJid: chat, fromMe: fc.boolean(), id: messageId }), timestamp: seconds }),
      { maxLength: 2 },
    ),
  }),
  { nil: undefined },
);

/** A message of `c` that an index can name (group messages of others carry their sender). */
const messageOf = (c: string) =>
  fc.record({ id: messageId, fromMe: fc.boolean() }).map((m) => (c === GROUP && !m.fromMe ? { ...m, participant: PARTICIPANT } : m));

const name = fc.string({ minLength: 1, maxLength: 20 });

export const action: fc.Arbitrary<AppStateAction> = fc.oneof(
  fc.record({ type: fc.constant('archive' as const), chat, archived: fc.boolean(), messageRange }),
  fc.record({ type: fc.constant('pin' as const), chat, pinned: fc.boolean() }),
  fc.record({ type: fc.constant('mute' as const), chat, until: fc.oneof(fc.constant(null), fc.constant(-1), fc.integer({ min: 1, max: 2 ** 45 })) }),
  fc.record({ type: fc.constant('markRead' as const), chat, read: fc.boolean(), messageRange }),
  chat.chain((c) => fc.record({ type: fc.constant('star' as const), chat: fc.constant(c), message: messageOf(c), starred: fc.boolean() })),
  chat.chain((c) =>
    fc.record({ type: fc.constant('deleteForMe' as const), chat: fc.constant(c), message: messageOf(c), deleteMedia: fc.boolean(), messageTimestamp: seconds }),
  ),
  fc.record({ type: fc.constant('deleteChat' as const), chat, deleteMedia: fc.boolean(), messageRange }),
  fc.record({ type: fc.constant('clearChat' as const), chat, keepStarred: fc.boolean(), deleteMedia: fc.boolean(), messageRange }),
  fc.record(
    { type: fc.constant('contact' as const), jid: chat, fullName: name, firstName: name, lidJid: fc.constant('204873165127722@lid'), saveOnPrimaryAddressbook: fc.boolean() },
    { requiredKeys: ['type', 'jid', 'fullName'] },
  ),
  fc.record({ type: fc.constant('removeContact' as const), jid: chat }),
  fc.record({ type: fc.constant('pushName' as const), name }),
  fc.record({ type: fc.constant('locale' as const), locale: fc.constantFrom('en_US', 'pt_BR', 'de') }),
  fc.record(
    {
      type: fc.constant('labelEdit' as const),
      labelId: fc.constantFrom('1', '2', '17'),
      name,
      color: fc.integer({ min: 0, max: 19 }),
      deleted: fc.boolean(),
      predefinedId: fc.integer({ min: 1, max: 5 }),
      orderIndex: fc.integer({ min: 0, max: 20 }),
    },
    { requiredKeys: ['type', 'labelId', 'name', 'color', 'deleted'] },
  ),
  fc.record({ type: fc.constant('labelChat' as const), chat, labelId: fc.constantFrom('1', '2'), labelled: fc.boolean() }),
  fc.record({ type: fc.constant('labelMessage' as const), chat, labelId: fc.constantFrom('1', '2'), messageId, labelled: fc.boolean() }),
  fc.record({ type: fc.constant('unarchiveChats' as const), enabled: fc.boolean() }),
);

/** Deterministic IVs for builds whose bytes a test does not pin down. */
export function counterRandom(): (length: number) => Uint8Array {
  let n = 0;
  return (length) => bytes(length, `appstate/iv/${n++}`);
}
