/**
 * Communities end to end: our account (over the control socket with
 * WadClient) and Baileys 7 clients as members, through the simulator. A
 * community with two linked groups: an announcement reaches the members of
 * both; a Baileys community admin's changes reach us as group:update events;
 * a non-admin's message in an announcement group is refused (Baileys sees
 * the error ack, we get FORBIDDEN). Also: joining by a group invite message,
 * and `wad community`.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCommunity } from '../../src/cli/community.js';
import { WadClient } from '../../src/client/index.js';
import type { WadEvent } from '../../src/contract/api.js';
import type { Daemon } from '../../src/daemon/index.js';
import type { SimHandle } from '../../src/sim/index.js';
import { admin, BaileysClient, waitUntil } from '../sim/baileys-harness.js';
import { daemonWithSocket, linkOverSocket } from '../ipc/e2e-support.js';
import { sim as startSim, tempDir } from './support/daemon.js';

const W = '15550200001';
const PHONES = { b1: '15550200002', b2: '15550200003', b3: '15550200004', b4: '15550200005' } as const;
type Name = keyof typeof PHONES;
const WJID = `${W}@s.whatsapp.net`;

let sim: SimHandle;
let dir: Awaited<ReturnType<typeof tempDir>>;
let d: Daemon;
let client: WadClient;
const events: WadEvent[] = [];
const b = {} as Record<Name, BaileysClient>;
let community: { jid: string; announcementsJid: string };
let streetA: string;
let streetB: string;

beforeAll(async () => {
  sim = await startSim();
  dir = await tempDir('wad-e2e-communities-');
  await admin(sim, 'POST', '/phones', { phone: W, name: 'wad' });
  for (const [name, phone] of Object.entries(PHONES)) await admin(sim, 'POST', '/phones', { phone, name });
  d = await daemonWithSocket(sim, dir.path);
  d.onEvent((e) => events.push(e));
  client = await WadClient.connect({ socket: d.socketPath });
  await linkOverSocket(client, sim, 'w', W);
  for (const name of Object.keys(PHONES) as Name[]) b[name] = new BaileysClient(sim, name);
  await Promise.all((Object.entries(PHONES) as Array<[Name, string]>).map(([name, phone]) => b[name].linkByQr(phone)));
}, 120_000);

afterAll(async () => {
  for (const c of Object.values(b)) c.kill();
  await client?.close();
  await d?.stop();
  await sim?.close();
  await dir?.remove();
});

type Change = { action: string; participants: string[]; groups?: string[]; [k: string]: unknown };
const changed = (group: string, actor: string, pred: (c: Change) => boolean) =>
  events.find((e) => e.account === 'w' && e.type === 'group:update' && e.data['group'] === group && e.data['actor'] === actor && (e.data['changes'] as Change[]).some(pred));
const textIn = (c: BaileysClient, chat: string, text: string) => c.received.find((m) => m.key.remoteJid === chat && (m.message?.conversation ?? m.message?.extendedTextMessage?.text) === text);
const ourMessage = (chat: string, text: string) => events.find((e) => e.type === 'message:new' && e.data['chat'] === chat && e.data['content'] === text && !e.data['fromMe']);

describe('communities with Baileys members', () => {
  it('a community with two linked groups: an announcement reaches the members of both', async () => {
    community = await client.createCommunity('w', 'Town', 'news of the town');
    expect(community.announcementsJid).toMatch(/@g\.us$/);
    streetA = await client.createGroup('w', 'street A', [b.b1.userJid]);
    streetB = await client.createGroup('w', 'street B', [b.b2.userJid]);
    expect(await client.linkCommunityGroups('w', community.jid, [streetA, streetB])).toEqual([
      { jid: streetA, status: 200 },
      { jid: streetB, status: 200 },
    ]);
    // The tree, asked about a linked group: the community, its announcements group first, every member of both groups.
    const tree = await client.communityMetadata('w', streetA);
    expect(tree).toMatchObject({ jid: community.jid, subject: 'Town', description: 'news of the town', announcementsJid: community.announcementsJid });
    expect(tree.groups).toEqual([
      { jid: community.announcementsJid, subject: 'Town', isAnnouncements: true },
      { jid: streetA, subject: 'street A' },
      { jid: streetB, subject: 'street B' },
    ]);
    expect(tree.participants.map((p) => p.jid).sort()).toEqual([WJID, b.b1.userJid, b.b2.userJid].sort());
    expect(await client.groupMetadata('w', streetB)).toMatchObject({ parent: community.jid });

    const seen = await b.b1.sock!.groupMetadata(community.announcementsJid);
    expect(seen).toMatchObject({ isCommunityAnnounce: true, linkedParent: community.jid, announce: true });
    expect((await b.b2.sock!.groupMetadata(streetB)).linkedParent).toBe(community.jid);

    await client.sendText('w', community.announcementsJid, 'market on saturday');
    for (const c of [b.b1, b.b2]) await c.waitFor(() => textIn(c, community.announcementsJid, 'market on saturday'), `the announcement at ${c.name}`);
  });

  it('a member’s message in the announcements group is refused; ours as a non-admin of an announce group is FORBIDDEN', async () => {
    const refusedBefore = ((await admin(sim, 'GET', '/stats')) as { announceRefusals: number }).announceRefusals;
    // What Baileys is told on the wire (its messages.update for it waits in its event buffer).
    const acks: Array<{ id?: string; error?: string }> = [];
    b.b1.sock!.ws.on('CB:ack,class:message', (n: { attrs: { id?: string; error?: string } }) => acks.push(n.attrs));
    const sent = await b.b1.sock!.sendMessage(community.announcementsJid, { text: 'me too' });
    const ack = await b.b1.waitFor(() => acks.find((a) => a.id === sent!.key.id), 'the ack at b1');
    expect(ack.error).toBe('403');
    expect(((await admin(sim, 'GET', '/stats')) as { announceRefusals: number }).announceRefusals).toBe(refusedBefore + 1);

    const theirs = await b.b3.sock!.groupCreate('b3 news', [WJID]);
    await b.b3.sock!.groupSettingUpdate(theirs.id, 'announcement');
    await waitUntil(() => changed(theirs.id, b.b3.userJid, (c) => c.action === 'announcement'), 'announce on, at wad');
    await expect(client.sendText('w', theirs.id, 'may I?')).rejects.toMatchObject({ code: 'FORBIDDEN', details: { messaging: 'NOT_ADMIN', serverCode: 403 } });
    expect(b.b3.received.some((m) => m.key.remoteJid === theirs.id)).toBe(false);
    // Made an admin, we may.
    await b.b3.sock!.groupParticipantsUpdate(theirs.id, [WJID], 'promote');
    await waitUntil(() => changed(theirs.id, b.b3.userJid, (c) => c.action === 'promote'), 'promoted, at wad');
    await client.sendText('w', theirs.id, 'thanks');
    await b.b3.waitFor(() => textIn(b.b3, theirs.id, 'thanks'), 'our message at b3');
  });

  it('a Baileys community admin’s changes reach us as group:update events naming them', async () => {
    await client.groupParticipants('w', community.jid, 'promote', [b.b1.userJid]);
    const mine = await b.b1.sock!.groupCreate('street C', [b.b3.userJid]);
    await b.b1.sock!.communityLinkGroup(mine.id, community.jid);
    await waitUntil(() => changed(community.jid, b.b1.userJid, (c) => c.action === 'link' && c.linkType === 'sub_group' && (c.groups ?? []).includes(mine.id)), 'link by b1, at wad');
    // b3 came in with street C: a member of the announcements group now.
    await waitUntil(() => changed(community.announcementsJid, b.b1.userJid, (c) => c.action === 'add' && c.participants.includes(b.b3.userJid)), 'b3 in the announcements group, at wad');
    await b.b1.sock!.groupUpdateSubject(community.jid, 'Town hall');
    await waitUntil(() => changed(community.jid, b.b1.userJid, (c) => c.action === 'subject' && c.subject === 'Town hall'), 'subject by b1, at wad');
    await b.b1.sock!.communityUnlinkGroup(streetB, community.jid);
    await waitUntil(() => changed(community.jid, b.b1.userJid, (c) => c.action === 'unlink' && (c.groups ?? []).includes(streetB)), 'unlink by b1, at wad');
    // A community admin posts in the announcements group.
    await b.b1.sock!.sendMessage(community.announcementsJid, { text: 'from the hall' });
    await waitUntil(() => ourMessage(community.announcementsJid, 'from the hall'), 'b1’s announcement at wad');
    // The member's refused message reached nobody (it would have come before this one).
    await b.b2.waitFor(() => textIn(b.b2, community.announcementsJid, 'from the hall'), 'b1’s announcement at b2');
    expect(textIn(b.b2, community.announcementsJid, 'me too')).toBeUndefined();
    expect(ourMessage(community.announcementsJid, 'me too')).toBeUndefined();
    const tree = await client.communityMetadata('w', community.jid);
    expect(tree.subject).toBe('Town hall');
    expect(tree.groups.map((g) => g.jid)).toEqual([community.announcementsJid, streetA, mine.id]);
  });

  it('we join by a group invite message an admin sent us', async () => {
    await admin(sim, 'POST', `/phones/${W}/profile`, { privacy: { groupadd: 'contacts' } });
    const theirs = await b.b4.sock!.groupCreate('b4 club', [b.b2.userJid]);
    const [refused] = await b.b4.sock!.groupParticipantsUpdate(theirs.id, [WJID], 'add');
    expect(refused!.status).toBe('403');
    const request = refused!.content!.content as Array<{ tag: string; attrs: Record<string, string> }>;
    const { code, expiration } = request.find((n) => n.tag === 'add_request')!.attrs;
    // As WhatsApp's apps send it (Baileys' own groupInvite content would first fetch the group's picture, which it has none of).
    await b.b4.sock!.relayMessage(WJID, { groupInviteMessage: { groupJid: theirs.id, inviteCode: code!, inviteExpiration: Number(expiration), groupName: 'b4 club', caption: 'join us' } }, {});
    const invite = await waitUntil(() => events.find((e) => e.type === 'message:new' && e.data['type'] === 'group-invite'), 'the invite message at wad');
    const got = invite.data['groupInvite'] as { group: string; code: string; expiration: number; name: string };
    expect(got).toEqual({ group: theirs.id, code, expiration: Number(expiration), name: 'b4 club' });
    expect(invite.data['content']).toBe('join us');
    expect(await client.joinGroup('w', got.code, { group: got.group, admin: invite.data['sender'] as string, expiration: got.expiration })).toEqual({ jid: theirs.id });
    await b.b4.waitFor(() => b.b4.groupEvents.find((e) => e.name === 'group-participants.update' && (e.data as { id: string; action: string }).id === theirs.id && (e.data as { action: string }).action === 'add'), 'our join at b4');
    // The invite is spent.
    await expect(client.joinGroup('w', got.code, { group: got.group, admin: invite.data['sender'] as string, expiration: got.expiration })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('the CLI: `wad community` creates, links and shows the tree', async () => {
    const wad = async (...args: string[]): Promise<{ code: number; out: string }> => {
      const chunks: string[] = [];
      const spy = vi.spyOn(process.stdout, 'write').mockImplementation((c) => (chunks.push(String(c)), true));
      const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      try {
        const code = await runCommunity([...args, '--socket', d.socketPath]);
        return { code, out: chunks.join('') };
      } finally {
        spy.mockRestore();
        err.mockRestore();
      }
    };
    const created = await wad('create', 'w', 'Village', '--json');
    const c = JSON.parse(created.out) as { jid: string; announcementsJid: string };
    const linked = await wad('link', 'w', c.jid, streetB, streetA);
    expect(linked).toEqual({ code: 1, out: `${streetB.padEnd(32)} 200 done\n${streetA.padEnd(32)} 409 already in a community\n` });
    const info = await wad('info', 'w', streetB);
    expect(info.out).toBe(`${c.jid}  Village  (2 members)\n  ${c.announcementsJid.padEnd(32)} Village  (announcements)\n  ${streetB.padEnd(32)} street B\n`);
    expect((await wad('link', 'w', 'not-a-group', streetB)).code).toBe(2);
    // Leaving by the CLI: a community Baileys made, named by a group of it we joined.
    const theirs = await b.b3.sock!.communityCreate('Their town', 'b3 runs it');
    const square = await b.b3.sock!.groupCreate('their square', [b.b4.userJid]);
    await b.b3.sock!.communityLinkGroup(square.id, theirs!.id);
    await client.joinGroup('w', await b.b3.sock!.groupInviteCode(square.id) as string);
    await waitUntil(async () => (await client.communityMetadata('w', square.id)).participants.some((p) => p.jid === WJID || p.phoneNumber === WJID), 'we are in their community');
    const left = await wad('leave', 'w', square.id);
    expect(left).toEqual({ code: 0, out: `left ${theirs!.id} and its groups\n` });
    const leftAt = (c: BaileysClient, group: string) =>
      c.groupEvents.find((e) => {
        const u = e.data as { id: string; action: string; participants: Array<string | { id?: string; phoneNumber?: string }> };
        return e.name === 'group-participants.update' && u.id === group && u.action === 'remove' && u.participants.some((p) => (typeof p === 'string' ? p : (p.phoneNumber ?? p.id)) === WJID);
      });
    await b.b4.waitFor(() => leftAt(b.b4, square.id), 'our leaving the square, at b4');
    await b.b3.waitFor(() => leftAt(b.b3, theirs!.id), 'our leaving their community, at b3');
    expect((await client.listGroups('w')).map((g) => g.jid)).not.toContain(square.id);
    await expect(client.communityMetadata('w', theirs!.id)).rejects.toMatchObject({ code: 'NOT_MEMBER' });
  });

  it('a Baileys member who leaves our community leaves each group of it, told to us as group:update leave', async () => {
    const ours = await client.createCommunity('w', 'Short stay');
    const lane = await client.createGroup('w', 'lane', [b.b2.userJid, b.b4.userJid]);
    expect(await client.linkCommunityGroups('w', ours.jid, [lane])).toEqual([{ jid: lane, status: 200 }]);
    await waitUntil(async () => (await client.communityMetadata('w', ours.jid)).size === 3, 'b2 and b4 in the community');
    await b.b2.sock!.communityLeave(ours.jid);
    for (const g of [lane, ours.jid, ours.announcementsJid]) {
      await waitUntil(() => changed(g, b.b2.userJid, (c) => c.action === 'leave' && c.participants.includes(b.b2.userJid)), `b2 leaving ${g}, at wad`);
    }
    const tree = await client.communityMetadata('w', ours.jid);
    expect(tree.participants.map((p) => p.phoneNumber ?? p.jid)).not.toContain(b.b2.userJid);
    expect((await client.groupMetadata('w', lane)).participants.map((p) => p.phoneNumber ?? p.jid)).toEqual(expect.arrayContaining([b.b4.userJid]));
    expect((await client.groupMetadata('w', lane)).participants.map((p) => p.phoneNumber ?? p.jid)).not.toContain(b.b2.userJid);
  });
});
