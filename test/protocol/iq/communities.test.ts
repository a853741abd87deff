// Community IQ specs (create, link, unlink, sub groups), the unlink
// notification and the group invite message: requests in the shapes whatsmeow
// and Baileys send, answers and notifications read as WhatsApp sends them.
import { describe, expect, it } from 'vitest';
import type { BinaryNode } from '../../../src/protocol/binary/index.js';
import { communitySubGroups, createCommunity, leaveCommunity, linkSubGroup, unlinkSubGroup } from '../../../src/protocol/iq/communities.js';
import { parseGroup } from '../../../src/protocol/iq/groups.js';
import { decodeContent } from '../../../src/protocol/message/decode.js';
import { parseGroupNotification } from '../../../src/protocol/stanza/group-notification.js';
import { node } from '../../../src/protocol/stanza/nodes.js';

const result = (content: BinaryNode[]): BinaryNode => node('iq', { type: 'result' }, content);
const kids = (n: BinaryNode | undefined): BinaryNode[] => (n?.content as BinaryNode[] | undefined) ?? [];
const text = (n: BinaryNode | undefined): string => new TextDecoder().decode(n?.content as Uint8Array);

describe('community IQs', () => {
  it('create: a <create> to @g.us with the description and <parent>, read back as a community', () => {
    const spec = createCommunity('Town', 'news', 'K1', 'D1');
    const req = spec.build();
    expect(req.attrs).toMatchObject({ to: '@g.us', type: 'set', xmlns: 'w:g2' });
    const create = kids(req)[0]!;
    expect(create.attrs).toEqual({ subject: 'Town', key: 'K1' });
    const [description, parent] = kids(create);
    expect(description!.attrs).toEqual({ id: 'D1' });
    expect(text(kids(description)[0])).toBe('news');
    expect(parent).toEqual(node('parent', { default_membership_approval_mode: 'request_required' }));
    expect(kids(createCommunity('Town', undefined, 'K', 'D').build())[0]!.content).toEqual([parent]);

    const meta = spec.parse(result([node('group', { id: '120363000000000001', subject: 'Town', creation: '1' }, [node('parent', { default_membership_approval_mode: 'request_required' })])]));
    expect(meta).toMatchObject({ jid: '120363000000000001@g.us', subject: 'Town', isCommunity: true, isCommunityAnnouncements: false, parent: undefined });
    expect(() => spec.parse(result([]))).toThrow();
  });

  it('link and unlink name the group under the community, as whatsmeow sends them', () => {
    const link = linkSubGroup('1@g.us', '2@g.us').build();
    expect(link.attrs).toMatchObject({ to: '1@g.us', type: 'set', xmlns: 'w:g2' });
    expect(kids(link)[0]).toEqual(node('links', {}, [node('link', { link_type: 'sub_group' }, [node('group', { jid: '2@g.us' })])]));
    const unlink = unlinkSubGroup('1@g.us', '2@g.us').build();
    expect(kids(unlink)[0]).toEqual(node('unlink', { unlink_type: 'sub_group' }, [node('group', { jid: '2@g.us' })]));
  });

  it('leave names the community under <leave>, to @g.us, as Baileys sends it', () => {
    const leave = leaveCommunity('1@g.us').build();
    expect(leave.attrs).toMatchObject({ to: '@g.us', type: 'set', xmlns: 'w:g2' });
    expect(kids(leave)).toEqual([node('leave', {}, [node('community', { id: '1@g.us' })])]);
  });

  it('sub groups: ids or jids, the announcements group marked', () => {
    const spec = communitySubGroups('1@g.us');
    expect(kids(spec.build())[0]).toEqual(node('sub_groups'));
    const groups = spec.parse(
      result([node('sub_groups', {}, [node('group', { id: '3', subject: 'Town' }, [node('default_sub_group')]), node('group', { jid: '4@g.us', subject: 'street' }), node('group', {})])]),
    );
    expect(groups).toEqual([
      { jid: '3@g.us', subject: 'Town', isAnnouncements: true },
      { jid: '4@g.us', subject: 'street', isAnnouncements: false },
    ]);
    expect(() => spec.parse(result([]))).toThrow();
  });

  it('a linked group and an announcements group say so in their metadata', () => {
    const g = parseGroup(node('group', { id: '3', subject: 'Town' }, [node('linked_parent', { jid: '1@g.us' }), node('default_sub_group'), node('announcement')]));
    expect(g).toMatchObject({ parent: '1@g.us', isCommunityAnnouncements: true, announce: true, isCommunity: false });
  });
});

describe('group notifications', () => {
  it('unlink keeps its kind (unlink_type) and the group', () => {
    const n = parseGroupNotification(
      node('notification', { from: '1@g.us', type: 'w:gp2', id: 'n3', t: '7', participant: '1555@s.whatsapp.net' }, [node('unlink', { unlink_type: 'sub_group', unlink_reason: 'unlink_group' }, [node('group', { jid: '2@g.us', subject: 'street' })])]),
    );
    expect(n?.changes[0]).toMatchObject({ action: 'unlink', linkType: 'sub_group', groups: [{ jid: '2@g.us', subject: 'street' }] });
  });
});

describe('group invite message', () => {
  it('decodes to group-invite with what group:join needs', () => {
    const d = decodeContent({ groupInviteMessage: { groupJid: '3@g.us', inviteCode: 'AbCdEf123456', inviteExpiration: 1_800_000_000, groupName: 'club', caption: 'join us' } });
    expect(d).toMatchObject({ type: 'group-invite', content: 'join us', groupInvite: { group: '3@g.us', code: 'AbCdEf123456', expiration: 1_800_000_000, name: 'club' } });
    expect(d.raw).toBeUndefined();
  });
});
