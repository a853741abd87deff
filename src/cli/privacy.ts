/**
 * `wad privacy get|set`, `wad block list|add|remove` and `wad presence
 * subscribe`: our privacy settings and blocklist as WhatsApp holds them,
 * and following a contact's presence (its `presence:update` events then
 * show in `wad events`). Written over the shared verbs, so each works over
 * the socket and over --url alike.
 */
import { peopleVerbs } from '../client/people-verbs.js';
import { PRIVACY_SETTINGS, type PrivacySetting } from '../contract/people.js';
import { normalizeJid } from '../ipc/jid.js';
import { COMMON_HELP, UsageError, connect, jsonLine, parse, run, type DaemonLink } from './common.js';

const SETTINGS_HELP = Object.entries(PRIVACY_SETTINGS)
  .map(([k, v]) => `  ${k.padEnd(13)} ${v.join(' | ')}`)
  .join('\n');

const PRIVACY_USAGE = `usage: wad privacy get <id>
       wad privacy set <id> <setting> <value>

get       our privacy settings, one "setting  value" line each
set       changes one setting (other devices and the phone see the change)

settings and their values (contact_blacklist: my contacts except those excluded on the phone):
${SETTINGS_HELP}

options:
${COMMON_HELP}`;

const BLOCK_USAGE = `usage: wad block list <id>
       wad block add <id> <jid>
       wad block remove <id> <jid>

list      the users the account blocked, one jid a line
add       blocks a user: their messages no longer reach us, and they no longer
          see our presence, picture or about
remove    unblocks a user

options:
${COMMON_HELP}`;

const PRESENCE_USAGE = `usage: wad presence subscribe <id> <jid>

Follows a contact's presence: presence:update events (online, or away with last seen when the
contact shares it) follow in \`wad events\`. The daemon renews the subscription after reconnects
while the account runs.

options:
${COMMON_HELP}`;

async function withLink(values: Parameters<typeof connect>[0], body: (link: DaemonLink) => Promise<void>): Promise<number> {
  const link = await connect(values);
  try {
    await body(link);
    return 0;
  } finally {
    await link.close();
  }
}

function help(usage: string, sub: string | undefined, asked: boolean): number | undefined {
  if (!asked && sub !== undefined && sub !== '--help' && sub !== '-h') return undefined;
  process.stdout.write(usage + '\n');
  return sub === undefined ? 2 : 0;
}

function userJid(arg: string | undefined, usage: string): string {
  const jid = arg === undefined ? undefined : normalizeJid(arg);
  if (jid === undefined || jid.endsWith('@g.us')) throw new UsageError(`${usage} (a user's jid or phone number)`);
  return jid;
}

export async function runPrivacy(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  return run(
    'privacy',
    async () => {
      const { values, positionals } = parse(rest, {});
      const shown = help(PRIVACY_USAGE, sub, values.help);
      if (shown !== undefined) return shown;
      const [account, setting, value, ...extra] = positionals;
      if (account === undefined || extra.length > 0) throw new UsageError('usage: wad privacy get|set <id> … (see wad privacy --help)');
      if (sub === 'get') {
        return withLink(values, async (link) => {
          const settings = await peopleVerbs(link).getPrivacy(account);
          if (values.json) jsonLine(settings);
          else for (const [k, v] of Object.entries(settings)) process.stdout.write(`${k.padEnd(13)} ${v}\n`);
        });
      }
      if (sub === 'set') {
        if (setting === undefined || value === undefined) throw new UsageError('usage: wad privacy set <id> <setting> <value>');
        const allowed: readonly string[] | undefined = (PRIVACY_SETTINGS as Record<string, readonly string[]>)[setting];
        if (!allowed) throw new UsageError(`unknown setting '${setting}' (one of ${Object.keys(PRIVACY_SETTINGS).join(', ')})`);
        if (!allowed.includes(value)) throw new UsageError(`${setting} takes ${allowed.join(', ')}`);
        return withLink(values, async (link) => {
          await peopleVerbs(link).setPrivacy(account, setting as PrivacySetting, value);
          if (values.json) jsonLine({ [setting]: value });
        });
      }
      throw new UsageError(`unknown subcommand '${sub}' (see wad privacy --help)`);
    },
    { account: rest.find((a) => !a.startsWith('-')) ?? '' },
  );
}

export async function runBlock(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  return run(
    'block',
    async () => {
      const { values, positionals } = parse(rest, {});
      const shown = help(BLOCK_USAGE, sub, values.help);
      if (shown !== undefined) return shown;
      const [account, who, ...extra] = positionals;
      if (account === undefined || extra.length > 0) throw new UsageError('usage: wad block list|add|remove <id> … (see wad block --help)');
      if (sub === 'list') {
        return withLink(values, async (link) => {
          const jids = await peopleVerbs(link).blocklist(account);
          if (values.json) jsonLine({ jids });
          else for (const j of jids) process.stdout.write(`${j}\n`);
        });
      }
      if (sub === 'add' || sub === 'remove') {
        const jid = userJid(who, `usage: wad block ${sub} <id> <jid>`);
        return withLink(values, async (link) => {
          const verbs = peopleVerbs(link);
          await (sub === 'add' ? verbs.block(account, jid) : verbs.unblock(account, jid));
          if (values.json) jsonLine({ jid, blocked: sub === 'add' });
        });
      }
      throw new UsageError(`unknown subcommand '${sub}' (see wad block --help)`);
    },
    { account: rest.find((a) => !a.startsWith('-')) ?? '' },
  );
}

export async function runPresence(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  return run(
    'presence',
    async () => {
      const { values, positionals } = parse(rest, {});
      const shown = help(PRESENCE_USAGE, sub, values.help);
      if (shown !== undefined) return shown;
      if (sub !== 'subscribe') throw new UsageError(`unknown subcommand '${sub}' (see wad presence --help)`);
      const [account, who, ...extra] = positionals;
      if (account === undefined || extra.length > 0) throw new UsageError('usage: wad presence subscribe <id> <jid>');
      const jid = userJid(who, 'usage: wad presence subscribe <id> <jid>');
      return withLink(values, async (link) => {
        await peopleVerbs(link).subscribePresence(account, jid);
        if (values.json) jsonLine({ jid, subscribed: true });
      });
    },
    { account: rest.find((a) => !a.startsWith('-')) ?? '' },
  );
}
