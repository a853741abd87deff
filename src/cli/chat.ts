/**
 * `wad chat list <id>` and `wad messages <id> <chat>`: what the account's
 * store holds (history sync and every message since), read through the
 * daemon. Text output is one line per chat or message; --json one object each.
 */
import { accountVerbs } from '../client/account-verbs.js';
import { normalizeJid } from '../ipc/jid.js';
import type { ChatInfo, StoredMessage } from '../contract/api.js';
import { CHAT_ACTION_VERBS, CHAT_ACTIONS_USAGE, runChatAction } from './chat-actions.js';
import { COMMON_HELP, UsageError, connect, jsonLine, parse, run } from './common.js';

const CHAT_USAGE = `usage: wad chat list <id> [--archived | --unarchived] [--limit N] [--before UNIX_S]

Lists the chats of account <id>, most recent first: jid, unread count, flags
(archived, pinned, muted), the last message's time and the name.

options:
  --archived       only archived chats
  --unarchived     only chats that are not archived
  --limit N        at most N chats (1-1000, default 1000)
  --before UNIX_S  chats whose last message is older than this (the next page)

${CHAT_ACTIONS_USAGE}
${COMMON_HELP}`;

const MESSAGES_USAGE = `usage: wad messages <id> <chat> [--limit N] [--before MSGID]

Prints the stored messages of a chat of account <id>, newest first: time, id,
who wrote it, its kind and text. <chat> is a jid, a phone number or a group id.

options:
  --limit N        at most N messages (1-1000, default 50)
  --before MSGID   messages older than this one (the next page)
${COMMON_HELP}`;

function limitOf(v: string | undefined, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`--limit must be 1-${max}`);
  return n;
}

function when(t: number | undefined): string {
  return t === undefined ? '-'.padEnd(20) : new Date(t * 1000).toISOString().slice(0, 19).replace('T', ' ') + ' ';
}

function chatLine(c: ChatInfo): string {
  const flags = [c.archived ? 'archived' : '', c.pinned ? 'pinned' : '', c.mutedUntil !== undefined ? 'muted' : ''].filter(Boolean).join(',');
  return `${when(c.lastMessageAt)}${c.jid}  unread=${c.unreadCount}${flags ? ` [${flags}]` : ''}${c.name ? `  ${c.name}` : ''}`;
}

function messageLine(m: StoredMessage): string {
  const who = m.fromMe === true ? 'me' : String(m.sender ?? '?');
  const text = typeof m.content === 'string' ? m.content.replace(/\s+/g, ' ') : '';
  const marks = [m.history === true ? 'history' : '', m.edited === true ? 'edited' : '', m.deleted === true ? 'deleted' : '', typeof m.status === 'string' ? m.status : ''].filter(Boolean).join(',');
  return `${when(m.t)}${m.id}  ${who}  ${String(m.type ?? '?')}${marks ? ` [${marks}]` : ''}${text ? `  ${text}` : ''}`;
}

export async function runChat(argv: readonly string[]): Promise<number> {
  if (argv[0] !== undefined && CHAT_ACTION_VERBS.includes(argv[0])) return runChatAction(argv);
  return run(
    'chat',
    async () => {
      const { values, positionals } = parse(argv, { archived: { type: 'boolean' }, unarchived: { type: 'boolean' }, limit: { type: 'string' }, before: { type: 'string' } });
      if (values.help) {
        process.stdout.write(CHAT_USAGE + '\n');
        return 0;
      }
      const [verb, account] = positionals;
      if (verb !== 'list' || account === undefined) throw new UsageError('usage: wad chat list|archive|pin|mute|read|label|star… <id> (see wad chat --help)');
      if (values.archived && values.unarchived) throw new UsageError('give --archived or --unarchived, not both');
      const before = values.before === undefined ? undefined : Number(values.before);
      if (before !== undefined && (!Number.isInteger(before) || before < 0)) throw new UsageError('--before must be unix seconds');
      const limit = limitOf(values.limit, 1000);
      const client = await connect(values);
      try {
        const chats = await accountVerbs(client).listChats(account, {
          ...(values.archived ? { archived: true } : values.unarchived ? { archived: false } : {}),
          ...(limit !== undefined ? { limit } : {}),
          ...(before !== undefined ? { before } : {}),
        });
        for (const c of chats) {
          if (values.json) jsonLine(c);
          else process.stdout.write(chatLine(c) + '\n');
        }
        return 0;
      } finally {
        await client.close();
      }
    },
    { account: argv.filter((a) => !a.startsWith('-'))[1] ?? '' },
  );
}

export async function runMessages(argv: readonly string[]): Promise<number> {
  return run(
    'messages',
    async () => {
      const { values, positionals } = parse(argv, { limit: { type: 'string' }, before: { type: 'string' } });
      if (values.help) {
        process.stdout.write(MESSAGES_USAGE + '\n');
        return 0;
      }
      const [account, chatArg] = positionals;
      if (account === undefined || chatArg === undefined) throw new UsageError('usage: wad messages <id> <chat> [--limit N] (see wad messages --help)');
      const chat = normalizeJid(chatArg);
      if (chat === undefined) throw new UsageError(`'${chatArg}' is not a jid, a phone number or a group id`);
      const limit = limitOf(values.limit, 1000);
      const client = await connect(values);
      try {
        const messages = await accountVerbs(client).listMessages(account, chat, { ...(limit !== undefined ? { limit } : {}), ...(values.before !== undefined ? { before: values.before } : {}) });
        for (const m of messages) {
          if (values.json) jsonLine(m);
          else process.stdout.write(messageLine(m) + '\n');
        }
        return 0;
      } finally {
        await client.close();
      }
    },
    { account: argv.find((a) => !a.startsWith('-')) ?? '' },
  );
}
