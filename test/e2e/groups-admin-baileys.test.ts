/**
 * Group administration end to end: our account (driven over the control
 * socket with WadClient) and Baileys 7 clients as the other members, through
 * the simulator. Every change we make is seen by the Baileys members
 * (groups.update, group-participants.update); every change a Baileys admin
 * makes reaches us as a group:update event naming who did it; per-participant
 * results (403 with an invite message sent, 408, 409); invite links, join
 * approval, leaving.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runGroup } from '../../src/cli/group.js';
import { WadClient } from '../../src/client/index.js';
import type { WadEvent } from '../../src/contract/api.js';
import type { Daemon } from '../../src/daemon/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { admin, BaileysClient, waitUntil } from '../sim/baileys-harness.js';
import { daemonWithSocket, linkOverSocket } from '../ipc/e2e-support.js';
import { sim as startSim, tempDir } from './support/daemon.js';

const W = '15550190001';
const PHONES = { b1: '15550190002', b2: '15550190003', b3: '15550190004', b4: '15550190005', b5: '15550190006' } as const;
type Name = keyof typeof PHONES;
const jidOf = (phone: string) => `${phone}@s.whatsapp.net`;
const WJID = jidOf(W);

let sim: SimHandle;
let dir: Awaited<ReturnType<typeof tempDir>>;
let d: Daemon;
let client: WadClient;
const events: WadEvent[] = [];
const b = {} as Record<Name, BaileysClient>;
let group: string;

beforeAll(async () => {
  sim = await startSim();
  dir = await tempDir('wad-e2e-group-admin-');
  await admin(sim, 'POST', '/phones', { phone: W, name: 'wad' });
  for (const [name, phone] of Object.entries(PHONES)) await admin(sim, 'POST', '/phones', { phone, name });
  d = await daemonWithSocket(sim, dir.path);
  d.onEvent((e) => events.push(e));
  client = await WadClient.connect({ socket: d.socketPath });
  await linkOverSocket(client, sim, 'w', W);
  for (const [name, phone] of Object.entries(PHONES) as Array<[Name, string]>) b[name] = new BaileysClient(sim, name);
  await Promise.all((Object.entries(PHONES) as Array<[Name, string]>).map(([name, phone]) => b[name].linkByQr(phone)));
}, 120_000);

afterAll(async () => {
  for (const c of Object.values(b)) c.kill();
  await client?.close();
  await d?.stop();
  await sim?.close();
  await dir?.remove();
});

type Change = { action: string; participants: string[]; [k: string]: unknown };
/** Our group:update events for the group, with their changes. */
const updates = () => events.filter((e) => e.account === 'w' && e.type === 'group:update' && e.data['group'] === group);
const changed = (actor: string, pred: (c: Change) => boolean) =>
  updates().find((e) => e.data['actor'] === actor && (e.data['changes'] as Change[]).some(pred));

/** A Baileys client's group event of one name whose data satisfies pred. */
function groupEvent<T>(c: BaileysClient, name: string, pred: (data: T) => boolean): Promise<T> {
  return c.waitFor(
    () => c.groupEvents.flatMap((e) => (e.name === name ? (Array.isArray(e.data) ? (e.data as T[]) : [e.data as T]) : [])).find(pred),
    `${name} at ${c.name}`,
  );
}

type GroupsUpdate = { id: string; author?: string; subject?: string; desc?: string; announce?: boolean; restrict?: boolean; memberAddMode?: boolean; joinApprovalMode?: boolean; inviteCode?: string };
type ParticipantsUpdate = { id: string; author: string; action: string; participants: Array<{ id: string }> };
const names = (u: ParticipantsUpdate) => u.participants.map((p) => p.id);

describe('group administration with Baileys members', () => {
  it('our settings changes reach every Baileys member, and read back', async () => {
    group = await client.createGroup('w', 'admin test', [b.b1.userJid, b.b2.userJid]);
    await client.updateGroup('w', group, { subject: 'renamed', description: 'about us', announce: true, locked: true, ephemeral: 86_400, memberAddMode: 'all' });
    for (const c of [b.b1, b.b2]) {
      await groupEvent<GroupsUpdate>(c, 'groups.update', (u) => u.id === group && u.subject === 'renamed' && u.author === WJID);
      await groupEvent<GroupsUpdate>(c, 'groups.update', (u) => u.id === group && u.desc === 'about us');
      await groupEvent<GroupsUpdate>(c, 'groups.update', (u) => u.id === group && u.announce === true);
      await groupEvent<GroupsUpdate>(c, 'groups.update', (u) => u.id === group && u.restrict === true);
      await groupEvent<GroupsUpdate>(c, 'groups.update', (u) => u.id === group && u.memberAddMode === true);
    }
    const seen = await b.b2.sock!.groupMetadata(group);
    expect(seen).toMatchObject({ subject: 'renamed', desc: 'about us', announce: true, restrict: true, memberAddMode: true, ephemeralDuration: 86_400 });
    const meta = await client.groupMetadata('w', group);
    expect(meta).toMatchObject({ subject: 'renamed', description: 'about us', announce: true, locked: true, ephemeral: 86_400, memberAddMode: 'all', joinApproval: false });
    const listed = await client.listGroups('w');
    expect(listed).toContainEqual({ jid: group, subject: 'renamed', participants: 3 });
  });

  it('participants: promote seen by members; 403 sends an invite the person accepts; 409 and 408 as the server says', async () => {
    expect(await client.groupParticipants('w', group, 'promote', [b.b1.userJid])).toEqual([{ jid: b.b1.userJid, status: 200 }]);
    const promoted = await groupEvent<ParticipantsUpdate>(b.b2, 'group-participants.update', (u) => u.id === group && u.action === 'promote');
    expect(names(promoted)).toEqual([b.b1.userJid]);
    expect(promoted.author).toBe(WJID);

    // b3 lets only contacts add them (we never talked): the server refuses with an invite code, which we send them as a message.
    await b.b3.sock!.updateGroupsAddPrivacy('contacts');
    const added = await client.groupParticipants('w', group, 'add', [b.b3.userJid, b.b2.userJid]);
    expect(added).toEqual([
      { jid: b.b3.userJid, status: 403, inviteSent: true },
      { jid: b.b2.userJid, status: 409 },
    ]);
    const invite = await b.b3.waitFor(() => b.b3.received.find((m) => m.message?.groupInviteMessage?.groupJid === group), 'group invite message');
    expect(invite.message!.groupInviteMessage!.groupName).toBe('renamed');
    await b.b3.sock!.groupAcceptInviteV4(invite.key, invite.message!.groupInviteMessage!);
    await waitUntil(() => updates().find((e) => (e.data['changes'] as Change[]).some((c) => c.action === 'add' && c.participants.includes(b.b3.userJid))), 'b3 joined, at wad');
    const joined = await groupEvent<ParticipantsUpdate>(b.b1, 'group-participants.update', (u) => u.id === group && u.action === 'add' && names(u).includes(b.b3.userJid));
    expect(joined.author).toBe(WJID);

    // b2 leaves; adding them straight back is refused as "recently left".
    await b.b2.sock!.groupLeave(group);
    await waitUntil(() => changed(b.b2.userJid, (c) => c.action === 'leave' && c.participants.includes(b.b2.userJid)), 'b2 left, at wad');
    expect(await client.groupParticipants('w', group, 'add', [b.b2.userJid])).toEqual([{ jid: b.b2.userJid, status: 408 }]);

    expect(await client.groupParticipants('w', group, 'remove', [b.b3.userJid])).toEqual([{ jid: b.b3.userJid, status: 200 }]);
    const removed = await groupEvent<ParticipantsUpdate>(b.b1, 'group-participants.update', (u) => u.id === group && u.action === 'remove' && names(u).includes(b.b3.userJid));
    expect(removed.author).toBe(WJID);
    const meta = await client.groupMetadata('w', group);
    expect(meta.participants.map((p) => p.jid).sort()).toEqual([WJID, b.b1.userJid].sort());
    expect(meta.participants.find((p) => p.jid === b.b1.userJid)?.admin).toBe('admin');
  });

  it('every change a Baileys admin makes reaches us as a group:update naming them', async () => {
    const by = b.b1.userJid;
    const sock = b.b1.sock!;
    await sock.groupUpdateSubject(group, 'by b1');
    await sock.groupUpdateDescription(group, 'b1 wrote this');
    await sock.groupSettingUpdate(group, 'not_announcement');
    await sock.groupSettingUpdate(group, 'unlocked');
    await sock.groupToggleEphemeral(group, 0);
    await sock.groupMemberAddMode(group, 'admin_add');
    await sock.groupJoinApprovalMode(group, 'on');
    const code = await sock.groupRevokeInvite(group);
    const expected: Array<[string, (c: Change) => boolean]> = [
      ['subject', (c) => c.action === 'subject' && c.subject === 'by b1'],
      ['description', (c) => c.action === 'description' && c.description === 'b1 wrote this'],
      ['not_announcement', (c) => c.action === 'not_announcement'],
      ['unlocked', (c) => c.action === 'unlocked'],
      ['not_ephemeral', (c) => c.action === 'not_ephemeral'],
      ['member_add_mode', (c) => c.action === 'member_add_mode' && c.memberAddMode === 'admin'],
      ['membership_approval_mode', (c) => c.action === 'membership_approval_mode' && c.joinApproval === true],
      ['invite', (c) => c.action === 'invite' && c.code === code],
    ];
    for (const [what, pred] of expected) await waitUntil(() => changed(by, pred), `${what} by b1, at wad`);
    const meta = await client.groupMetadata('w', group);
    expect(meta).toMatchObject({ subject: 'by b1', description: 'b1 wrote this', announce: false, locked: false, ephemeral: 0, memberAddMode: 'admin', joinApproval: true });
  });

  it('a Baileys user joins by our invite link; with approval on we see the request and approve it', async () => {
    await client.updateGroup('w', group, { joinApproval: false });
    const { code, link } = await client.groupInvite('w', group, 'get');
    expect(link).toBe(`https://chat.whatsapp.com/${code}`);
    expect(await b.b4.sock!.groupAcceptInvite(code)).toBe(group);
    await waitUntil(() => changed(b.b4.userJid, (c) => c.action === 'add' && c.participants.includes(b.b4.userJid)), 'b4 joined by link, at wad');
    await groupEvent<ParticipantsUpdate>(b.b1, 'group-participants.update', (u) => u.id === group && u.action === 'add' && names(u).includes(b.b4.userJid));

    await client.updateGroup('w', group, { joinApproval: true });
    await b.b5.sock!.groupAcceptInvite(code);
    const request = await waitUntil(
      () => changed(b.b5.userJid, (c) => c.action === 'created_membership_requests' && c.participants.includes(b.b5.userJid)),
      'b5 join request, at wad',
    );
    expect((request.data['changes'] as Change[])[0]).toMatchObject({ method: 'invite_link' });
    // Baileys admins hear of it too.
    await groupEvent<{ id: string; participant: string; action: string }>(b.b1, 'group.join-request', (r) => r.id === group && r.participant === b.b5.userJid && r.action === 'created');
    expect(await client.groupRequests('w', group)).toEqual([expect.objectContaining({ jid: b.b5.userJid, method: 'invite_link' })]);
    expect(await client.answerGroupRequests('w', group, 'approve', [b.b5.userJid])).toEqual([{ jid: b.b5.userJid, status: 200 }]);
    await groupEvent<ParticipantsUpdate>(b.b5, 'group-participants.update', (u) => u.id === group && u.action === 'add' && names(u).includes(b.b5.userJid));
    expect(await client.groupRequests('w', group)).toEqual([]);
    expect((await b.b5.sock!.groupMetadata(group)).participants.map((p) => p.id)).toContain(b.b5.userJid);

    // A revoked code no longer lets anyone in.
    const fresh = await client.groupInvite('w', group, 'revoke');
    expect(fresh.code).not.toBe(code);
    await expect(b.b2.sock!.groupAcceptInvite(code)).rejects.toThrow();
  });

  it('we join a Baileys group by its link, and leave it; its members see both', async () => {
    const theirs = await b.b1.sock!.groupCreate('b1 group', [b.b2.userJid]);
    const code = await b.b1.sock!.groupInviteCode(theirs.id);
    expect(await client.joinGroup('w', `https://chat.whatsapp.com/${code}`)).toEqual({ jid: theirs.id });
    const joined = await groupEvent<ParticipantsUpdate>(b.b2, 'group-participants.update', (u) => u.id === theirs.id && u.action === 'add');
    expect(names(joined)).toEqual([WJID]);
    expect((await client.listGroups('w')).map((g) => g.jid)).toContain(theirs.id);
    await client.leaveGroup('w', theirs.id);
    const left = await groupEvent<ParticipantsUpdate>(b.b1, 'group-participants.update', (u) => u.id === theirs.id && u.action === 'remove');
    expect(names(left)).toEqual([WJID]);
    expect((await client.listGroups('w')).map((g) => g.jid)).not.toContain(theirs.id);
    await expect(client.joinGroup('w', 'NoSuchCode123456')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('the CLI: `wad group` changes a group, lists it and reads the server’s answer per member', async () => {
    const wad = async (...args: string[]): Promise<{ code: number; out: string }> => {
      const chunks: string[] = [];
      const spy = vi.spyOn(process.stdout, 'write').mockImplementation((c) => (chunks.push(String(c)), true));
      const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      try {
        const code = await runGroup([...args, '--socket', d.socketPath]);
        return { code, out: chunks.join('') };
      } finally {
        spy.mockRestore();
        err.mockRestore();
      }
    };
    expect(await wad('update', 'w', group, '--announce', 'on', '--subject', 'from the cli')).toEqual({ code: 0, out: 'updated: subject, announce\n' });
    await groupEvent<GroupsUpdate>(b.b4, 'groups.update', (u) => u.id === group && u.subject === 'from the cli' && u.author === WJID);
    await groupEvent<GroupsUpdate>(b.b4, 'groups.update', (u) => u.id === group && u.announce === true && u.author === WJID);
    const list = await wad('list', 'w');
    expect(list.out).toMatch(new RegExp(`^${group}\\s+4 members  from the cli$`, 'm'));
    const add = await wad('add', 'w', group, PHONES.b2, PHONES.b4);
    expect(add.code).toBe(1);
    expect(add.out).toBe(`${b.b2.userJid.padEnd(32)} 408 left recently: cannot be added back yet\n${b.b4.userJid.padEnd(32)} 409 already in the group\n`);
    const invite = await wad('invite', 'w', group, '--json');
    expect(JSON.parse(invite.out)).toMatchObject({ link: expect.stringMatching(/^https:\/\/chat\.whatsapp\.com\/[A-Za-z0-9_-]{22}$/) });
    expect((await wad('update', 'w', group, '--announce', 'maybe')).code).toBe(2);
  });
});
