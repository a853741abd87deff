// Notifications, group notifications, presence and chat states: table tests
// over the wire shapes of baileys-server-notes §8.5 and the seed pages.
import { describe, expect, it } from 'vitest';
import type { BinaryNode } from '../../../src/protocol/binary/index.js';
import {
  buildChatState,
  buildPresence,
  buildPresenceSubscribe,
  membersGone,
  parseChatState,
  parseGroupNotification,
  parseNotification,
  parsePresence,
  StanzaError,
} from '../../../src/protocol/stanza/index.js';

const n = (tag: string, attrs: Record<string, string> = {}, content?: BinaryNode[] | Uint8Array): BinaryNode => (content === undefined ? { tag, attrs } : { tag, attrs, content });

describe('parseNotification', () => {
  it('devices: the user, the action and each device with its key index', () => {
    expect(parseNotification(n('notification', { from: '1555:0@s.whatsapp.net', type: 'devices' }, [n('add', {}, [n('device', { jid: '1555:3@s.whatsapp.net', 'key-index': '2' })])]))).toEqual({
      kind: 'devices',
      user: '1555@s.whatsapp.net',
      action: 'add',
      devices: [{ jid: '1555:3@s.whatsapp.net', device: 3, keyIndex: 2 }],
    });
    expect(parseNotification(n('notification', { from: '1555@s.whatsapp.net', type: 'devices' }, [n('weird')]))).toEqual({ kind: 'other', type: 'devices' });
  });
  it('encrypt: an identity change (offline flag kept) or the prekey count', () => {
    expect(parseNotification(n('notification', { from: '1555@s.whatsapp.net', type: 'encrypt', offline: '1' }, [n('identity')]))).toEqual({ kind: 'identity', user: '1555@s.whatsapp.net', device: 0, offline: true });
    expect(parseNotification(n('notification', { from: 's.whatsapp.net', type: 'encrypt' }, [n('count', { value: '3' })]))).toEqual({ kind: 'prekey-low', count: 3 });
  });
  it('privacy tokens: trusted_contact tokens with a timestamp only', () => {
    const got = parseNotification(
      n('notification', { from: '1555@s.whatsapp.net', type: 'privacy_token', sender_lid: '999@lid' }, [
        n('tokens', {}, [
          n('token', { jid: 'me@s.whatsapp.net', t: '100', type: 'trusted_contact' }, Uint8Array.of(1, 2)),
          n('token', { jid: 'me@s.whatsapp.net', type: 'trusted_contact' }, Uint8Array.of(3)),
          n('token', { jid: 'me@s.whatsapp.net', t: '5', type: 'other' }, Uint8Array.of(4)),
        ]),
      ]),
    );
    expect(got).toEqual({ kind: 'privacy-token', from: '1555@s.whatsapp.net', senderLid: '999@lid', tokens: [{ jid: 'me@s.whatsapp.net', t: 100, token: Uint8Array.of(1, 2) }] });
  });
  it('anything else is other', () => {
    expect(parseNotification(n('notification', { type: 'server_sync' }))).toEqual({ kind: 'other', type: 'server_sync' });
  });
});

describe('parseGroupNotification', () => {
  it('reads changes with their participants; removals and leaves are members gone', () => {
    const g = parseGroupNotification(
      n('notification', { from: '1@g.us', type: 'w:gp2', id: 'x', t: '9', participant: 'a@s.whatsapp.net' }, [
        n('remove', {}, [n('participant', { jid: 'b@s.whatsapp.net', lid: '2@lid' })]),
        n('leave', {}, [n('participant', { jid: 'c@s.whatsapp.net' })]),
        n('add', {}, [n('participant', { jid: 'd@s.whatsapp.net' })]),
        n('subject', { subject: 'new' }),
        n('ephemeral', { expiration: '86400' }),
        n('membership_approval_mode', {}, [n('group_join', { state: 'on' })]),
        n('description', { id: 'D1' }, [n('body', {}, new TextEncoder().encode('about'))]),
        n('member_add_mode', {}, new TextEncoder().encode('all_member_add')),
        n('invite', { code: 'C0DE' }),
        n('some_future_change'),
      ]),
    )!;
    expect(g).toMatchObject({ group: '1@g.us', actor: 'a@s.whatsapp.net', t: 9 });
    expect(g.changes.map((c) => c.action)).toEqual(['remove', 'leave', 'add', 'subject', 'ephemeral', 'membership_approval_mode', 'description', 'member_add_mode', 'invite', 'other']);
    expect(g.changes.slice(5, 9)).toMatchObject([{ joinApproval: true }, { description: 'about' }, { memberAddMode: 'all_member_add' }, { code: 'C0DE' }]);
    expect(g.changes[9]!.tag).toBe('some_future_change');
    expect(g.changes[0]!.participants).toEqual([{ jid: 'b@s.whatsapp.net', phoneNumber: undefined, lid: '2@lid' }]);
    expect(g.changes[3]!.subject).toBe('new');
    expect(g.changes[4]!.expiration).toBe(86400);
    expect(membersGone(g)).toEqual(['b@s.whatsapp.net', 'c@s.whatsapp.net']);
  });
  it('is undefined for other notifications', () => {
    expect(parseGroupNotification(n('notification', { from: '1@g.us', type: 'picture' }))).toBeUndefined();
  });
});

describe('presence and chat states', () => {
  it('presence needs a push name; subscribe carries the token when we have one', () => {
    expect(buildPresence('available', 'Al@ice')).toEqual(n('presence', { name: 'Alice', type: 'available' }));
    expect(() => buildPresence('available', undefined)).toThrow(StanzaError);
    expect(buildPresenceSubscribe('1@s.whatsapp.net')).toEqual(n('presence', { type: 'subscribe', to: '1@s.whatsapp.net' }));
    expect(buildPresenceSubscribe('1@s.whatsapp.net', Uint8Array.of(7)).content).toEqual([n('tctoken', {}, Uint8Array.of(7))]);
    expect(parsePresence(n('presence', { from: '1@s.whatsapp.net', type: 'unavailable', last: '1700' }))).toEqual({ jid: '1@s.whatsapp.net', participant: undefined, status: 'unavailable', lastSeen: 1700 });
    expect(parsePresence(n('presence', { from: '1@s.whatsapp.net', last: 'deny' })).lastSeen).toBeUndefined();
  });
  it('chat states both ways; recording is composing with media=audio', () => {
    expect(buildChatState('1@s.whatsapp.net', 'composing')).toEqual(n('chatstate', { to: '1@s.whatsapp.net' }, [n('composing')]));
    expect(buildChatState('1@s.whatsapp.net', 'recording')).toEqual(n('chatstate', { to: '1@s.whatsapp.net' }, [n('composing', { media: 'audio' })]));
    expect(buildChatState('1@s.whatsapp.net', 'paused')).toEqual(n('chatstate', { to: '1@s.whatsapp.net' }, [n('paused')]));
    for (const state of ['composing', 'recording', 'paused'] as const) {
      const wire = buildChatState('g@g.us', state);
      expect(parseChatState({ ...wire, attrs: { from: 'g@g.us', participant: '2@s.whatsapp.net' } })).toEqual({ chat: 'g@g.us', by: '2@s.whatsapp.net', state });
    }
    expect(() => parseChatState(n('chatstate', { from: '1@s.whatsapp.net' }, [n('typing')]))).toThrow(StanzaError);
  });
});
