/**
 * `wad community <command> <id> …`: communities over the control socket or
 * --url (create, info, link, unlink, leave), one line per result a person can read,
 * or --json.
 */
import { communityVerbs } from '../client/community-verbs.js';
import { normalizeJid } from '../ipc/jid.js';
import { COMMON_HELP, UsageError, connect, jsonLine, parse, run } from './common.js';

const USAGE = `usage: wad community <command> <id> [arguments] [options]

commands (<id> is the account, <community> and <group> group jids or ids):
  create <id> <subject> [--description T]
                                     create a community; prints it and its
                                     announcements group (only admins post there)
  info <id> <community-or-group>     the community (of a linked group too): members
                                     and linked groups, the announcements group first
  link|unlink <id> <community> <group>...
                                     link groups we administer to the community, or
                                     unlink them; one line per group with the server's answer
  leave <id> <community-or-group>    leave the community and every group of it

options:
  --description T  the community's description (create)
${COMMON_HELP}`;

const OPTIONS = { description: { type: 'string' } } as const;

/** What the server's code means for one group. */
const STATUS: Record<number, string> = {
  200: 'done',
  400: 'cannot be linked (a community, or its announcements group)',
  401: 'not allowed (not an admin of both)',
  404: 'no such group (or not in this community)',
  409: 'already in a community',
};

export async function runCommunity(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(USAGE + '\n');
    return sub === undefined ? 2 : 0;
  }
  return run(`community ${sub}`, async () => {
    const { values, positionals } = parse(rest, OPTIONS);
    if (values.help) {
      process.stdout.write(USAGE + '\n');
      return 0;
    }
    const [account, ...args] = positionals;
    if (account === undefined) throw new UsageError(`usage: wad community ${sub} <id> … (see wad community --help)`);
    const group = (s: string | undefined): string => {
      const j = s === undefined ? undefined : normalizeJid(s);
      if (j === undefined || !j.endsWith('@g.us')) throw new UsageError(`'${s ?? ''}' is not a group jid or id`);
      return j;
    };
    const link = await connect(values);
    const client = communityVerbs(link);
    try {
      switch (sub) {
        case 'create': {
          if (args[0] === undefined) throw new UsageError('usage: wad community create <id> <subject> [--description T]');
          const c = await client.createCommunity(account, args[0], values.description);
          if (values.json) jsonLine(c);
          else process.stdout.write(`${c.jid}\nannouncements ${c.announcementsJid}\n`);
          return 0;
        }
        case 'info': {
          const c = await client.communityMetadata(account, group(args[0]));
          if (values.json) jsonLine(c);
          else {
            process.stdout.write(`${c.jid}  ${c.subject}  (${c.size} members)\n${c.description ? `${c.description}\n` : ''}`);
            for (const g of c.groups) process.stdout.write(`  ${g.jid.padEnd(32)} ${g.subject}${g.isAnnouncements ? '  (announcements)' : ''}\n`);
          }
          return 0;
        }
        case 'link':
        case 'unlink': {
          const [community, ...groups] = args;
          if (groups.length === 0) throw new UsageError(`usage: wad community ${sub} <id> <community> <group>...`);
          const results = await client.linkCommunityGroups(account, group(community), groups.map(group), sub);
          for (const r of results) {
            if (values.json) jsonLine(r);
            else process.stdout.write(`${r.jid.padEnd(32)} ${r.status} ${STATUS[r.status] ?? 'refused'}\n`);
          }
          return results.every((r) => r.status === 200) ? 0 : 1;
        }
        case 'leave': {
          const community = await client.leaveCommunity(account, group(args[0]));
          if (values.json) jsonLine({ ok: true, community, action: 'leave' });
          else process.stdout.write(`left ${community} and its groups\n`);
          return 0;
        }
        default:
          throw new UsageError(`unknown command 'community ${sub}' (see wad community --help)`);
      }
    } finally {
      await link.close();
    }
  }, { account: rest[0] });
}
