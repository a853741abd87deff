// IQ specs of messaging (usync, prekey bundles, w:g2, privacy tokens): the
// requests match the wire formats of baileys-server-notes §5, §6, §8, and the
// parsers read answers in the shapes the simulator and WhatsApp send,
// including the per-user failures that must not fail the whole answer.
import { describe, expect, it } from 'vitest';
import type { BinaryNode } from '../../../src/protocol/binary/index.js';
import { changeParticipants, createGroup, groupMetadata, parseGroup } from '../../../src/protocol/iq/groups.js';
import { IqParseError } from '../../../src/protocol/iq/index.js';
import { fetchPreKeyBundles } from '../../../src/protocol/iq/prekey-bundle.js';
import { issuePrivacyTokens, shouldIssueToken, tcTokenCutoff, tcTokenExpiresAtMs } from '../../../src/protocol/iq/privacy-tokens.js';
import { usyncDevices } from '../../../src/protocol/iq/usync.js';
import { node, uintBytes } from '../../../src/protocol/stanza/nodes.js';

const result = (content: BinaryNode[]): BinaryNode => node('iq', { type: 'result' }, content);

describe('usync', () => {
  const spec = usyncDevices(['15550002222@s.whatsapp.net', '15550001111@s.whatsapp.net'], { sid: 's1' });
  it('asks for devices and LIDs of every user', () => {
    const req = spec.build();
    expect(req.attrs).toEqual({ to: '@s.whatsapp.net', type: 'get', xmlns: 'usync' });
    const usync = (req.content as BinaryNode[])[0]!;
    expect(usync.attrs).toEqual({ context: 'message', mode: 'query', sid: 's1', last: 'true', index: '0' });
    const [query, list] = usync.content as BinaryNode[];
    expect((query!.content as BinaryNode[]).map((q) => q.tag)).toEqual(['devices', 'lid']);
    expect((list!.content as BinaryNode[]).map((u) => u.attrs.jid)).toEqual(['15550002222@s.whatsapp.net', '15550001111@s.whatsapp.net']);
  });
  it('reads devices (dropping companions without key-index), LIDs and per-user errors', () => {
    const devices = (list: BinaryNode[]) => node('devices', {}, [node('device-list', {}, list)]);
    const users = spec.parse(
      result([
        node('usync', {}, [
          node('list', {}, [
            node('user', { jid: '15550002222@s.whatsapp.net' }, [
              devices([node('device', { id: '0' }), node('device', { id: '3', 'key-index': '1' }), node('device', { id: '4' })]),
              node('lid', { val: '88880002222@lid' }),
            ]),
            node('user', { jid: '15550001111@s.whatsapp.net' }, [node('devices', {}, [node('error', { code: '404', text: 'not-found' })])]),
          ]),
        ]),
      ]),
    );
    expect(users).toEqual([
      { jid: '15550002222@s.whatsapp.net', devices: [{ id: 0 }, { id: 3, keyIndex: 1 }], lid: '88880002222@lid', error: undefined },
      { jid: '15550001111@s.whatsapp.net', devices: [], lid: undefined, error: 'not-found' },
    ]);
  });
  it('an answer without a list is an IqParseError; an empty query is a RangeError', () => {
    expect(() => spec.parse(result([]))).toThrow(IqParseError);
    expect(() => usyncDevices([], { sid: 'x' })).toThrow(RangeError);
  });
});

describe('prekey bundles', () => {
  it('requests per device, each with reason="identity" (whatsmeow sends it on every fetch)', () => {
    const req = fetchPreKeyBundles(['2:1@s.whatsapp.net', '7@lid']).build();
    expect(req.attrs).toMatchObject({ xmlns: 'encrypt', type: 'get' });
    const users = (req.content as BinaryNode[])[0]!.content as BinaryNode[];
    expect(users.map((u) => u.attrs)).toEqual([
      { jid: '2:1@s.whatsapp.net', reason: 'identity' },
      { jid: '7@lid', reason: 'identity' },
    ]);
  });
  it('reads bundles; a failed or malformed device does not fail the others', () => {
    const spec = fetchPreKeyBundles(['a@s.whatsapp.net', 'b@s.whatsapp.net', 'c@s.whatsapp.net']);
    const skey = node('skey', {}, [node('id', {}, uintBytes(5, 3)), node('value', {}, new Uint8Array(32)), node('signature', {}, new Uint8Array(64))]);
    const out = spec.parse(
      result([
        node('list', {}, [
          node('user', { jid: 'a@s.whatsapp.net' }, [
            node('registration', {}, uintBytes(1234, 4)),
            node('type', {}, Uint8Array.of(5)),
            node('identity', {}, new Uint8Array(32).fill(1)),
            skey,
            node('key', {}, [node('id', {}, uintBytes(9, 3)), node('value', {}, new Uint8Array(32).fill(2))]),
          ]),
          node('user', { jid: 'b@s.whatsapp.net' }, [node('error', { code: '404', text: 'item-not-found' })]),
          node('user', { jid: 'c@s.whatsapp.net' }, [node('registration', {}, uintBytes(1, 4)), skey]),
        ]),
      ]),
    );
    expect(out[0]).toMatchObject({ jid: 'a@s.whatsapp.net', bundle: { registrationId: 1234, signedPreKey: { keyId: 5 }, preKey: { keyId: 9 } } });
    expect(out[1]).toEqual({ jid: 'b@s.whatsapp.net', error: '404 item-not-found' });
    expect(out[2]).toEqual({ jid: 'c@s.whatsapp.net', error: 'malformed bundle' });
  });
});

describe('groups', () => {
  const groupNode = node('group', { id: '1203630001', subject: 'S', creator: '1@s.whatsapp.net', creation: '17', addressing_mode: 'pn' }, [
    node('participant', { jid: '1@s.whatsapp.net', type: 'superadmin', lid: '91@lid' }),
    node('participant', { jid: '2@s.whatsapp.net' }),
    node('ephemeral', { expiration: '86400' }),
    node('announcement'),
  ]);
  it('create and metadata requests', () => {
    const c = createGroup('S', ['2@s.whatsapp.net'], 'K').build();
    expect(c.attrs).toEqual({ to: '@g.us', type: 'set', xmlns: 'w:g2' });
    expect((c.content as BinaryNode[])[0]).toEqual(node('create', { subject: 'S', key: 'K' }, [node('participant', { jid: '2@s.whatsapp.net' })]));
    expect(groupMetadata('1@g.us').build().attrs.to).toBe('1@g.us');
  });
  it('reads a group as extractGroupMetadata does', () => {
    expect(groupMetadata('x@g.us').parse(result([groupNode]))).toEqual({
      jid: '1203630001@g.us',
      subject: 'S',
      owner: '1@s.whatsapp.net',
      creation: 17,
      addressingMode: 'pn',
      participants: [
        { jid: '1@s.whatsapp.net', admin: 'superadmin', phoneNumber: undefined, lid: '91@lid' },
        { jid: '2@s.whatsapp.net', admin: undefined, phoneNumber: undefined, lid: undefined },
      ],
      description: undefined,
      descriptionId: undefined,
      ephemeral: 86400,
      announce: true,
      locked: false,
      joinApproval: false,
      memberAddMode: 'admin_add',
      size: 2,
      isCommunity: false,
      isCommunityAnnouncements: false,
      parent: undefined,
    });
    expect(parseGroup(node('group', { id: 'x@g.us' })).addressingMode).toBe('pn');
    expect(() => groupMetadata('x@g.us').parse(result([]))).toThrow(IqParseError);
  });
  it('participant changes report a status per member', () => {
    const spec = changeParticipants('1@g.us', 'remove', ['2@s.whatsapp.net', '3@s.whatsapp.net']);
    expect(spec.parse(result([node('remove', {}, [node('participant', { jid: '2@s.whatsapp.net' }), node('participant', { jid: '3@s.whatsapp.net', error: '404' })])]))).toEqual([
      { jid: '2@s.whatsapp.net', status: 200 },
      { jid: '3@s.whatsapp.net', status: 404 },
    ]);
  });
});

describe('privacy tokens', () => {
  it('issues one token node per contact and reads tokens back', () => {
    const spec = issuePrivacyTokens(['2:4@s.whatsapp.net'], 1_700_000_000.7);
    expect(((spec.build().content as BinaryNode[])[0]!.content as BinaryNode[])[0]!.attrs).toEqual({ jid: '2@s.whatsapp.net', t: '1700000000', type: 'trusted_contact' });
    const got = spec.parse(result([node('tokens', {}, [node('token', { jid: '2@s.whatsapp.net', t: '5', type: 'trusted_contact' }, Uint8Array.of(1)), node('token', { jid: 'x', type: 'trusted_contact' }, Uint8Array.of(1))])]));
    expect(got).toEqual([{ jid: '2@s.whatsapp.net', t: 5, token: Uint8Array.of(1) }]);
  });
  it('expiry follows 7-day buckets, 4 of them', () => {
    const week = 604_800;
    const now = 100 * week + 10;
    expect(tcTokenCutoff(now)).toBe(97 * week);
    expect(tcTokenExpiresAtMs(97 * week + 5)).toBe(101 * week * 1000);
    expect(shouldIssueToken(undefined, now)).toBe(true);
    expect(shouldIssueToken(100 * week, now)).toBe(false);
    expect(shouldIssueToken(99 * week, now)).toBe(true);
  });
});
