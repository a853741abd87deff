// The simulator's state behind communities and acks: a community's tree
// survives a snapshot, membership of a linked group makes a community member
// (of the parent and the announcements group), and one key sent twice (two
// members' retry receipts for one message) takes two acks.
import { describe, expect, it } from 'vitest';
import { announcementsOf, communityNodes, communityOf, joinCommunity, subGroupsOf } from '../../src/sim/community.js';
import { GroupStore } from '../../src/sim/groups.js';
import { node } from '../../src/sim/nodes.js';
import { DeliveryQueues, keyOf } from '../../src/sim/offline.js';

const A = '15550000001@s.whatsapp.net';
const B = '15550000002@s.whatsapp.net';
const C = '15550000003@s.whatsapp.net';

function town(store: GroupStore) {
  const parent = store.create(A, 'Town', [], 1);
  const ann = store.create(A, 'Town', [], 1);
  parent.community = { announcements: ann.id };
  ann.community = { parent: parent.id, isAnnouncements: true };
  const street = store.create(A, 'street', [B], 1);
  street.community = { parent: parent.id };
  return { parent, ann, street };
}

describe('community state', () => {
  it('members of a linked group join the parent and the announcements group once', () => {
    const store = new GroupStore(10, 10);
    const { parent, ann, street } = town(store);
    expect(communityOf(store, street)).toBe(parent);
    expect(communityOf(store, parent)).toBe(parent);
    expect(announcementsOf(store, parent)).toBe(ann);
    const joined = joinCommunity(store, street, [A, B]);
    expect(joined.map((j) => [j.group.id, j.added])).toEqual([
      [parent.id, [B]],
      [ann.id, [B]],
    ]);
    expect(joinCommunity(store, street, [A, B])).toEqual([]);
    expect([...ann.participants.keys()]).toEqual([A, B]);
    // A plain group brings no one anywhere.
    const plain = store.create(C, 'plain', [B], 1);
    expect(joinCommunity(store, plain, [C])).toEqual([]);
  });

  it('the tree survives a snapshot and reads as WhatsApp writes it', () => {
    const store = new GroupStore(10, 10);
    const { parent, ann, street } = town(store);
    const copy = new GroupStore(10, 10);
    copy.restore(JSON.parse(JSON.stringify(store.snapshot())));
    const p = copy.get(parent.id)!;
    expect(subGroupsOf(copy, p).map((g) => g.id)).toEqual([ann.id, street.id]);
    expect(communityNodes(p)).toEqual([node('parent', { default_membership_approval_mode: 'request_required' })]);
    expect(communityNodes(copy.get(ann.id)!)).toEqual([node('linked_parent', { jid: parent.jid }), node('default_sub_group')]);
    expect(communityNodes(copy.get(street.id)!)).toEqual([node('linked_parent', { jid: parent.jid })]);
  });
});

describe('delivery queues', () => {
  it('one key sent twice takes two acks; a third finds nothing', () => {
    const q = new DeliveryQueues(10, 10);
    const retry = (from: string) => node('receipt', { id: 'M1', type: 'retry', from: 'G@g.us', participant: from });
    q.sent('dev', { key: keyOf(retry(B)), node: retry(B) });
    q.sent('dev', { key: keyOf(retry(C)), node: retry(C) });
    expect(q.unackedCount('dev')).toBe(1);
    expect(q.ack('dev', keyOf(retry(B)))).toBeDefined();
    expect(q.ack('dev', keyOf(retry(C)))).toBeDefined();
    expect(q.ack('dev', keyOf(retry(C)))).toBeUndefined();
    expect(q.unackedCount('dev')).toBe(0);
  });
});
