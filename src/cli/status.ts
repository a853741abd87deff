/**
 * `wad status send <id> --to <contacts> <text> | --file PATH`: posts a
 * status that exactly the contacts named receive; `wad status read <id>
 * <message-id>...`: read receipts for contacts' statuses (their ids as
 * message:new on status@broadcast named them). Over the socket or --url.
 */
import { existsSync, statSync } from 'node:fs';
import { STATUS_CHAT, statusVerbs } from '../client/status-verbs.js';
import { normalizeJid } from '../ipc/jid.js';
import { COMMON_HELP, UsageError, connect, jsonLine, parse, run } from './common.js';

const USAGE = `usage: wad status send <id> --to <contact>[,<contact>...] <text> [--background RRGGBB] [--font N]
       wad status send <id> --to <contact>[,<contact>...] --file PATH [--caption TEXT]
       wad status read <id> <message-id>...

send      post a status that exactly these contacts (jids or phone numbers) receive, and our
          own devices; prints its message id once the server took it
read      tell the authors of these statuses that we saw them (read receipts)

Contacts' statuses arrive as message:new events with chat "status@broadcast".

options:
  --to LIST          the audience, comma-separated (repeatable)
  --file PATH        an image or video status
  --caption TEXT     its caption
  --background RGB   a text status's background colour (hex RRGGBB or AARRGGBB)
  --font N           a text status's typeface (0-9)
${COMMON_HELP}`;

const OPTIONS = {
  to: { type: 'string', multiple: true },
  file: { type: 'string' },
  caption: { type: 'string' },
  background: { type: 'string' },
  font: { type: 'string' },
} as const;

export async function runStatus(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(USAGE + '\n');
    return sub === undefined ? 2 : 0;
  }
  return run(
    `status ${sub}`,
    async () => {
      const { values, positionals } = parse(rest, OPTIONS);
      if (values.help) {
        process.stdout.write(USAGE + '\n');
        return 0;
      }
      const [account, ...args] = positionals;
      if (account === undefined) throw new UsageError(`usage: wad status ${sub} <id> … (see wad status --help)`);
      if (sub === 'read') {
        if (args.length === 0) throw new UsageError('give the message ids of the statuses read');
        const link = await connect(values);
        try {
          await statusVerbs(link).readStatuses(account, args);
          if (values.json) jsonLine({ read: args });
          return 0;
        } finally {
          await link.close();
        }
      }
      if (sub !== 'send') throw new UsageError(`unknown subcommand '${sub}' (see wad status --help)`);
      const audience = audienceOf(values.to ?? []);
      if (values.file === undefined && args.length === 0) throw new UsageError('nothing to post: give a text or --file PATH');
      if (values.file !== undefined && args.length > 0) throw new UsageError('give either a text or --file (use --caption for a text with the file)');
      if (values.file !== undefined && (!existsSync(values.file) || !statSync(values.file).isFile())) throw new UsageError(`no such file: ${values.file}`);
      const style = { ...(values.background !== undefined ? { backgroundArgb: colour(values.background) } : {}), ...(values.font !== undefined ? { font: font(values.font) } : {}) };
      const link = await connect(values);
      try {
        const id =
          values.file !== undefined
            ? await link.sendFile(account, STATUS_CHAT, values.file, { ...(values.caption !== undefined ? { caption: values.caption } : {}), audience })
            : await statusVerbs(link).sendStatus(account, audience, { type: 'text', content: args.join(' '), ...style });
        if (values.json) jsonLine({ messageId: id, account, audience });
        else process.stdout.write(id + '\n');
        return 0;
      } finally {
        await link.close();
      }
    },
    { account: rest.find((a) => !a.startsWith('-')) ?? '' },
  );
}

function audienceOf(lists: readonly string[]): string[] {
  const out = lists.flatMap((l) => l.split(',')).map((x) => x.trim()).filter((x) => x !== '');
  if (out.length === 0) throw new UsageError('name the audience: --to <contact>[,<contact>...]');
  return out.map((x) => {
    const j = normalizeJid(x);
    if (j === undefined || !(j.endsWith('@s.whatsapp.net') || j.endsWith('@lid'))) throw new UsageError(`'${x}' is not a contact's jid or phone number`);
    return j;
  });
}

/** RRGGBB (opaque) or AARRGGBB, with or without #. */
function colour(s: string): number {
  const hex = s.replace(/^#/, '');
  if (!/^([0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/.test(hex)) throw new UsageError(`--background must be RRGGBB or AARRGGBB in hex (got '${s}')`);
  return Number.parseInt(hex.length === 6 ? `ff${hex}` : hex, 16);
}

function font(s: string): number {
  if (!/^[0-9]$/.test(s)) throw new UsageError(`--font must be a digit from 0 to 9 (got '${s}')`);
  return Number(s);
}
