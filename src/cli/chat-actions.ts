/**
 * `wad chat <verb> <id> <chat> …` (archive, pin, mute, read, label, star…)
 * and `wad label list|add|edit|delete`: what a person does to chats on the
 * phone, done through the daemon so every device of the account sees it.
 * Each prints nothing on success (--json: one `{"ok":true}` or the answer).
 */
import { normalizeJid } from '../ipc/jid.js';
import type { ChatAction } from '../contract/api.js';
import { COMMON_HELP, UsageError, connect, jsonLine, parse, run } from './common.js';
import { chatVerbs } from '../client/chat-verbs.js';

export const CHAT_ACTIONS_USAGE = `       wad chat archive|unarchive|pin|unpin|unmute|read|unread|clear|delete <id> <chat>
       wad chat mute <id> <chat> [--until UNIX_S]      (no --until: for ever)
       wad chat label <id> <chat> <label id> [--remove]
       wad chat star <id> <chat> <message id> [--remove]
       wad chat delete-for-me <id> <chat> <message id>
       wad chat disappearing <id> <chat> <seconds>       (0: off; a group's is its setting)
       wad chat played <id> <chat> <message id>...       (voice notes heard: played receipts)

Acts on a chat of account <id> on every device of the account (its app state):
<chat> is a jid, a phone number or a group id.`;

const LABEL_USAGE = `usage: wad label list <id>
       wad label add <id> <name> [--color N]
       wad label edit <id> <label id> <name> [--color N]
       wad label delete <id> <label id>

The account's labels (WhatsApp Business), on every device of the account.
${COMMON_HELP}`;

const SIMPLE: Readonly<Record<string, ChatAction>> = {
  archive: 'archive',
  unarchive: 'unarchive',
  pin: 'pin',
  unpin: 'unpin',
  unmute: 'unmute',
  read: 'markRead',
  unread: 'markUnread',
  clear: 'clear',
  delete: 'delete',
};

/** The verbs runChatAction takes (all of `wad chat` but `list`). */
export const CHAT_ACTION_VERBS = [...Object.keys(SIMPLE), 'mute', 'label', 'star', 'delete-for-me', 'disappearing', 'played'];

function chatOf(arg: string | undefined): string {
  if (arg === undefined) throw new UsageError('missing <chat> (see wad chat --help)');
  const chat = normalizeJid(arg);
  if (chat === undefined) throw new UsageError(`'${arg}' is not a jid, a phone number or a group id`);
  return chat;
}

function needed(arg: string | undefined, what: string): string {
  if (arg === undefined || arg === '') throw new UsageError(`missing <${what}>`);
  return arg;
}

function colorOf(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 1000) throw new UsageError('--color must be a number 0-1000');
  return n;
}

export async function runChatAction(argv: readonly string[]): Promise<number> {
  return run(
    'chat',
    async () => {
      const { values, positionals } = parse(argv, { until: { type: 'string' }, remove: { type: 'boolean' } });
      const [verb, account, chatArg, arg, ...more] = positionals;
      const id = needed(account, 'id');
      const chat = chatOf(chatArg);
      const link = await connect(values);
      const client = chatVerbs(link);
      try {
        if (verb !== undefined && SIMPLE[verb]) await client.modifyChat(id, chat, SIMPLE[verb]);
        else if (verb === 'mute') {
          const until = values.until === undefined ? undefined : Number(values.until);
          if (until !== undefined && (!Number.isInteger(until) || until <= 0)) throw new UsageError('--until must be unix seconds');
          await client.modifyChat(id, chat, 'mute', until !== undefined ? { until } : {});
        } else if (verb === 'label') await client.labelChat(id, chat, needed(arg, 'label id'), !values.remove);
        else if (verb === 'star') await client.starMessage(id, chat, needed(arg, 'message id'), !values.remove);
        else if (verb === 'delete-for-me') await client.deleteMessageForMe(id, chat, needed(arg, 'message id'));
        else if (verb === 'disappearing') {
          const seconds = Number(needed(arg, 'seconds'));
          if (!Number.isInteger(seconds) || seconds < 0) throw new UsageError('<seconds> must be a whole number of seconds (0: off)');
          await client.setDisappearing(id, chat, seconds);
        } else if (verb === 'played') await client.markRead(id, chat, [needed(arg, 'message id'), ...more], { played: true });
        else throw new UsageError(`unknown chat action '${verb ?? ''}' (see wad chat --help)`);
        if (values.json) jsonLine({ ok: true });
        return 0;
      } finally {
        await link.close();
      }
    },
    { account: argv.filter((a) => !a.startsWith('-'))[1] ?? '' },
  );
}

export async function runLabel(argv: readonly string[]): Promise<number> {
  return run(
    'label',
    async () => {
      const { values, positionals } = parse(argv, { color: { type: 'string' } });
      if (values.help) {
        process.stdout.write(LABEL_USAGE + '\n');
        return 0;
      }
      const [verb, account, a, b] = positionals;
      const id = needed(account, 'id');
      const color = colorOf(values.color);
      const link = await connect(values);
      const client = chatVerbs(link);
      try {
        if (verb === 'list') {
          for (const l of await client.listLabels(id)) {
            if (values.json) jsonLine(l);
            else process.stdout.write(`${l.id}  color=${l.color}  ${l.name}\n`);
          }
          return 0;
        }
        let answer: string;
        if (verb === 'add') answer = await client.editLabel(id, { name: needed(a, 'name'), ...(color !== undefined ? { color } : {}) });
        else if (verb === 'edit') answer = await client.editLabel(id, { id: needed(a, 'label id'), name: needed(b, 'name'), ...(color !== undefined ? { color } : {}) });
        else if (verb === 'delete') {
          const labelId = needed(a, 'label id');
          const label = (await client.listLabels(id)).find((l) => l.id === labelId);
          if (!label) throw new Error(`no label ${labelId}`);
          answer = await client.editLabel(id, { id: labelId, name: label.name, deleted: true });
        } else throw new UsageError(`unknown label command '${verb ?? ''}' (see wad label --help)`);
        if (values.json) jsonLine({ id: answer });
        else process.stdout.write(answer + '\n');
        return 0;
      } finally {
        await link.close();
      }
    },
    { account: argv.filter((a) => !a.startsWith('-'))[1] ?? '' },
  );
}
