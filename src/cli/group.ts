/**
 * `wad group <command> <id> …`: the group requests of the control socket,
 * one each (list, create, info, update, add/remove/promote/demote, invite,
 * join, requests, approve/reject, leave), with one line per result a person
 * can read, or --json.
 */
import type { GroupInviteMessageRef, GroupParticipantResult, GroupUpdate } from '../contract/api.js';
import { groupVerbs } from '../client/group-verbs.js';
import { normalizeJid } from '../ipc/jid.js';
import { COMMON_HELP, UsageError, connect, jsonLine, parse, run } from './common.js';

const USAGE = `usage: wad group <command> <id> [arguments] [options]

commands (<id> is the account, <group> a group jid or id, <member> a jid or phone number):
  list <id>                          the groups the account is in
  create <id> <subject> <member>...  create a group, print its jid
  info <id> <group>                  subject, settings and members
  update <id> <group> [--subject T] [--description T] [--announce on|off]
         [--locked on|off] [--ephemeral SECONDS|off] [--join-approval on|off]
         [--add-mode admin|all]      change the group (each option one change)
  add|remove|promote|demote <id> <group> <member>...
                                     change members; one line per member with the
                                     server's answer (403 means an invite was sent)
  invite <id> <group> [--revoke]     the invite link (--revoke: a new one)
  join <id> <code-or-link> [--group G --admin A [--expiration S]]
                                     join by invite code or link; with --group and
                                     --admin (the sender), by a group invite message
  requests <id> <group>              pending join requests
  approve|reject <id> <group> <member>...
                                     answer join requests
  leave <id> <group>                 leave the group

options:
${COMMON_HELP}`;

const OPTIONS = {
  subject: { type: 'string' },
  description: { type: 'string' },
  announce: { type: 'string' },
  locked: { type: 'string' },
  ephemeral: { type: 'string' },
  'join-approval': { type: 'string' },
  'add-mode': { type: 'string' },
  revoke: { type: 'boolean', default: false },
  group: { type: 'string' },
  admin: { type: 'string' },
  expiration: { type: 'string' },
} as const;

const MEMBER_ACTIONS = new Set(['add', 'remove', 'promote', 'demote']);

/** What the server's code means for one member. */
const STATUS: Record<number, string> = {
  200: 'done',
  401: 'not allowed (not an admin)',
  403: 'not allowed by their privacy',
  404: 'not on WhatsApp',
  408: 'left recently: cannot be added back yet',
  409: 'already in the group',
};

export async function runGroup(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(USAGE + '\n');
    return sub === undefined ? 2 : 0;
  }
  return run(`group ${sub}`, async () => {
    const { values, positionals } = parse(rest, OPTIONS);
    if (values.help) {
      process.stdout.write(USAGE + '\n');
      return 0;
    }
    const [account, ...args] = positionals;
    if (account === undefined) throw new UsageError(`usage: wad group ${sub} <id> … (see wad group --help)`);
    const chat = (s: string | undefined): string => {
      const j = s === undefined ? undefined : normalizeJid(s);
      if (j === undefined) throw new UsageError(`'${s ?? ''}' is not a jid, a phone number or a group id`);
      return j;
    };
    const out = (json: unknown, text: string): void => (values.json ? jsonLine(json) : void process.stdout.write(text + '\n'));
    const link = await connect(values);
    const client = groupVerbs(link);
    try {
      switch (sub) {
        case 'list': {
          const groups = await client.listGroups(account);
          if (values.json) groups.forEach(jsonLine);
          else for (const g of groups) process.stdout.write(`${g.jid.padEnd(32)} ${String(g.participants).padStart(4)} members  ${g.subject}${g.isCommunity ? '  (community)' : ''}${g.parent ? `  (in ${g.parent})` : ''}\n`);
          return 0;
        }
        case 'create': {
          const [subject, ...members] = args;
          if (subject === undefined || members.length === 0) throw new UsageError('usage: wad group create <id> <subject> <member>...');
          const jid = await client.createGroup(account, subject, members.map(chat));
          out({ jid }, jid);
          return 0;
        }
        case 'info': {
          const g = await client.groupMetadata(account, chat(args[0]));
          if (values.json) jsonLine(g);
          else {
            const { participants, ...fields } = g;
            for (const [k, v] of Object.entries(fields)) process.stdout.write(`${k.padEnd(14)} ${String(v)}\n`);
            process.stdout.write(`members (${participants.length})\n${participants.map((p) => `  ${p.jid}${p.admin ? `  ${p.admin}` : ''}\n`).join('')}`);
          }
          return 0;
        }
        case 'update': {
          const update = updateOf(values);
          await client.updateGroup(account, chat(args[0]), update);
          out({ updated: Object.keys(update) }, `updated: ${Object.keys(update).join(', ')}`);
          return 0;
        }
        case 'invite': {
          const invite = await client.groupInvite(account, chat(args[0]), values.revoke ? 'revoke' : 'get');
          out(invite, invite.link);
          return 0;
        }
        case 'join': {
          if (args[0] === undefined) throw new UsageError('usage: wad group join <id> <code-or-link>');
          const r = await client.joinGroup(account, args[0], inviteOf(values, chat));
          out(r, r.pending ? `asked to join ${r.jid}: an admin must approve` : `joined ${r.jid}`);
          return 0;
        }
        case 'requests': {
          const requests = await client.groupRequests(account, chat(args[0]));
          if (values.json) requests.forEach(jsonLine);
          else if (requests.length === 0) process.stdout.write('no pending requests\n');
          else for (const r of requests) process.stdout.write(`${r.jid.padEnd(32)} ${r.method ?? ''}${r.t ? `  ${new Date(r.t * 1000).toISOString()}` : ''}\n`);
          return 0;
        }
        case 'approve':
        case 'reject': {
          const [group, ...members] = args;
          if (members.length === 0) throw new UsageError(`usage: wad group ${sub} <id> <group> <member>...`);
          printResults(await client.answerGroupRequests(account, chat(group), sub, members.map(chat)), values.json);
          return 0;
        }
        case 'leave': {
          const group = chat(args[0]);
          await client.leaveGroup(account, group);
          out({ left: group }, `left ${group}`);
          return 0;
        }
        default: {
          if (!MEMBER_ACTIONS.has(sub)) throw new UsageError(`unknown command 'group ${sub}' (see wad group --help)`);
          const [group, ...members] = args;
          if (members.length === 0) throw new UsageError(`usage: wad group ${sub} <id> <group> <member>...`);
          const results = await client.groupParticipants(account, chat(group), sub as 'add', members.map(chat));
          printResults(results, values.json);
          return results.every((r) => r.status === 200) ? 0 : 1;
        }
      }
    } finally {
      await link.close();
    }
  }, { account: rest[0] });
}

function printResults(results: readonly GroupParticipantResult[], json: boolean): void {
  for (const r of results) {
    if (json) jsonLine(r);
    else process.stdout.write(`${r.jid.padEnd(32)} ${r.status} ${STATUS[r.status] ?? 'refused'}${r.inviteSent ? ': invite sent' : ''}\n`);
  }
}

/** An invite message's group, sender and expiry, when --group is given. */
function inviteOf(v: { group?: string | undefined; admin?: string | undefined; expiration?: string | undefined }, chat: (s: string | undefined) => string): GroupInviteMessageRef | undefined {
  if (v.group === undefined && v.admin === undefined) return undefined;
  if (v.group === undefined || v.admin === undefined) throw new UsageError('an invite message join takes both --group and --admin');
  const expiration = v.expiration === undefined ? 0 : Number(v.expiration);
  if (!Number.isSafeInteger(expiration) || expiration < 0) throw new UsageError('--expiration takes unix seconds');
  return { group: chat(v.group), admin: chat(v.admin), expiration };
}

function onOff(name: string, v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  if (v === 'on') return true;
  if (v === 'off') return false;
  throw new UsageError(`--${name} takes on or off`);
}

function updateOf(v: { subject?: string | undefined; description?: string | undefined; announce?: string | undefined; locked?: string | undefined; ephemeral?: string | undefined; 'join-approval'?: string | undefined; 'add-mode'?: string | undefined }): GroupUpdate {
  const u: GroupUpdate = {};
  if (v.subject !== undefined) u.subject = v.subject;
  if (v.description !== undefined) u.description = v.description;
  const announce = onOff('announce', v.announce);
  if (announce !== undefined) u.announce = announce;
  const locked = onOff('locked', v.locked);
  if (locked !== undefined) u.locked = locked;
  const approval = onOff('join-approval', v['join-approval']);
  if (approval !== undefined) u.joinApproval = approval;
  if (v.ephemeral !== undefined) {
    const s = v.ephemeral === 'off' ? 0 : Number(v.ephemeral);
    if (!Number.isSafeInteger(s) || s < 0) throw new UsageError('--ephemeral takes seconds (86400, 604800, 7776000) or off');
    u.ephemeral = s;
  }
  if (v['add-mode'] !== undefined) {
    if (v['add-mode'] !== 'admin' && v['add-mode'] !== 'all') throw new UsageError('--add-mode takes admin or all');
    u.memberAddMode = v['add-mode'];
  }
  if (Object.keys(u).length === 0) throw new UsageError('nothing to change: give --subject, --description, --announce, --locked, --ephemeral, --join-approval or --add-mode');
  return u;
}
