// People notifications as WhatsApp sends them (and Baileys reads them): a user's or group's picture
// set or removed, an about changed, our privacy settings and blocklist changed on another device.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BinaryNode } from '../../../src/protocol/binary/index.js';
import { parsePeopleNotification } from '../../../src/protocol/stanza/index.js';

const n = (tag: string, attrs: Record<string, string>, content?: BinaryNode[] | string): BinaryNode => (content !== undefined ? { tag, attrs, content } : { tag, attrs });

describe('parsePeopleNotification', () => {
  it('reads a picture set by a user and a group picture removed by an admin', () => {
    expect(parsePeopleNotification(n('notification', { type: 'picture', from: '1555:3@s.whatsapp.net', t: '1766000000' }, [n('set', { jid: '1555@s.whatsapp.net', id: '1766000001' })]))).toEqual({
      kind: 'picture',
      jid: '1555@s.whatsapp.net',
      pictureId: '1766000001',
      removed: false,
      author: undefined,
      t: 1766000000,
    });
    expect(parsePeopleNotification(n('notification', { type: 'picture', from: '120363@g.us' }, [n('delete', { jid: '120363@g.us', author: '1666@s.whatsapp.net' })]))).toEqual({
      kind: 'picture',
      jid: '120363@g.us',
      pictureId: undefined,
      removed: true,
      author: '1666@s.whatsapp.net',
      t: undefined,
    });
  });

  it('reads an about, and an emptied one', () => {
    expect(parsePeopleNotification(n('notification', { type: 'status', from: '1555@s.whatsapp.net', t: '5' }, [n('set', {}, 'gone fishing')]))).toEqual({ kind: 'about', jid: '1555@s.whatsapp.net', about: 'gone fishing', t: 5 });
    expect(parsePeopleNotification(n('notification', { type: 'status', from: '1555@s.whatsapp.net' }, [n('set', {})]))).toMatchObject({ kind: 'about', about: '' });
  });

  it('reads our privacy categories and blocklist items from account_sync', () => {
    expect(parsePeopleNotification(n('notification', { type: 'account_sync', from: '1555@s.whatsapp.net' }, [n('privacy', {}, [n('category', { name: 'last', value: 'contacts' }), n('category', { name: 'readreceipts', value: 'none' })])]))).toEqual({
      kind: 'privacy',
      settings: { last: 'contacts', readreceipts: 'none' },
    });
    expect(
      parsePeopleNotification(
        n('notification', { type: 'account_sync', from: '1555@s.whatsapp.net' }, [
          n('blocklist', {}, [n('item', { jid: '9988@lid', action: 'block', pn_jid: '1666@s.whatsapp.net' }), n('item', { jid: '1777@s.whatsapp.net', action: 'unblock' }), n('item', { jid: '1888@s.whatsapp.net', action: 'mute' })]),
        ]),
      ),
    ).toEqual({
      kind: 'blocklist',
      changes: [
        { jid: '9988@lid', action: 'block', pn: '1666@s.whatsapp.net' },
        { jid: '1777@s.whatsapp.net', action: 'unblock', pn: undefined },
      ],
    });
  });

  it('is undefined for what is not a people change: other types, other account_sync children, empty ones', () => {
    for (const stanza of [
      n('notification', { type: 'devices', from: '1555@s.whatsapp.net' }, [n('add', {})]),
      n('notification', { type: 'account_sync', from: '1555@s.whatsapp.net' }, [n('disappearing_mode', { duration: '86400' })]),
      n('notification', { type: 'account_sync', from: '1555@s.whatsapp.net' }, [n('privacy', {})]),
      n('notification', { type: 'picture', from: '1555@s.whatsapp.net' }),
      n('notification', { type: 'status', from: '1555@s.whatsapp.net' }),
    ]) {
      expect(parsePeopleNotification(stanza)).toBeUndefined();
    }
  });

  it('never throws, whatever the attributes and children', () => {
    const text = fc.constantFrom('', 'x', '1555@s.whatsapp.net', '1:2@lid', '120363@g.us', 'block', 'unblock', 'last', 'all');
    const attrs = fc.dictionary(fc.constantFrom('jid', 'id', 'author', 'action', 'pn_jid', 'name', 'value', 'from', 't'), text);
    const leaf = fc.record({ tag: fc.constantFrom('set', 'delete', 'item', 'category', 'x'), attrs });
    const child = fc.record({ tag: fc.constantFrom('set', 'delete', 'privacy', 'blocklist', 'x'), attrs, content: fc.option(fc.array(leaf, { maxLength: 3 }), { nil: undefined }) });
    fc.assert(
      fc.property(fc.constantFrom('picture', 'status', 'account_sync', 'devices', ''), attrs, fc.array(child, { maxLength: 3 }), (type, a, content) => {
        parsePeopleNotification({ tag: 'notification', attrs: { ...a, type }, content: content as BinaryNode[] });
      }),
    );
  });
});
