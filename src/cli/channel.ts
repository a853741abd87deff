/**
 * `wad channel <command> <id> …`: channels (newsletters) over the control
 * socket or --url — create, info (by jid or invite link), follow, unfollow,
 * mute, unmute, list, post (text or a file) and react — one line per result
 * a person can read, or --json.
 */
import { existsSync, statSync } from 'node:fs';
import { channelVerbs, isChannelJid } from '../client/channel-verbs.js';
import type { NewsletterInfo } from '../contract/newsletters.js';
import { COMMON_HELP, UsageError, connect, jsonLine, parse, run } from './common.js';
import { Spinner } from './progress.js';

const USAGE = `usage: wad channel <command> <id> [arguments] [options]

commands (<id> is the account, <channel> a channel jid: digits@newsletter):
  create <id> <name> [--description T]   create a channel we own; prints it with its invite link
  info <id> <channel-or-invite>          a channel by jid, invite code or
                                         https://whatsapp.com/channel/ link
  follow|unfollow|mute|unmute <id> <channel>
                                         its posts arrive as message:new while followed
  list <id>                              the channels we own or follow, with our role
  post <id> <channel> <text>             post a text (channel posts are not end-to-end
  post <id> <channel> --file PATH [--caption T]
                                         encrypted; a file is uploaded unencrypted, as
                                         WhatsApp does for channels); prints the post's id
  react <id> <channel> <post-id> <emoji> react to a post (--remove takes ours back)

options:
  --description T  the channel's description (create)
  --file PATH      post this file (image, video, audio or document by its type)
  --caption T      the file's caption
  --mime TYPE      its mime type (default: from the file name)
  --remove         react: remove our reaction
${COMMON_HELP}`;

const OPTIONS = {
  description: { type: 'string' },
  file: { type: 'string' },
  caption: { type: 'string' },
  mime: { type: 'string' },
  remove: { type: 'boolean', default: false },
} as const;

const FOLLOW = ['follow', 'unfollow', 'mute', 'unmute'] as const;

/** One channel as a person reads it. */
function describe(c: NewsletterInfo): string {
  const facts = [`${c.subscribers} followers`, ...(c.role ? [c.role] : []), ...(c.muted ? ['muted'] : []), ...(c.verified ? ['verified'] : [])];
  return `${c.jid}  ${c.name}  (${facts.join(', ')})\n${c.invite ? `https://whatsapp.com/channel/${c.invite}\n` : ''}${c.description ? `${c.description}\n` : ''}`;
}

export async function runChannel(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(USAGE + '\n');
    return sub === undefined ? 2 : 0;
  }
  return run(`channel ${sub}`, async () => {
    const { values, positionals } = parse(rest, OPTIONS);
    if (values.help) {
      process.stdout.write(USAGE + '\n');
      return 0;
    }
    const [account, ...args] = positionals;
    if (account === undefined) throw new UsageError(`usage: wad channel ${sub} <id> … (see wad channel --help)`);
    const channel = (s: string | undefined): string => {
      if (s === undefined || !isChannelJid(s.trim())) throw new UsageError(`'${s ?? ''}' is not a channel jid (digits@newsletter)`);
      return s.trim();
    };
    // Checked before connecting, so a mistake is a usage error even with no daemon.
    if (sub === 'post') {
      channel(args[0]);
      const text = args.slice(1).join(' ');
      if (values.file === undefined && text.trim() === '') throw new UsageError('nothing to post: give a text (not empty) or --file PATH');
      if (values.file !== undefined && text !== '') throw new UsageError('give either a text or --file (use --caption for a text with the file)');
      if (values.file !== undefined && (!existsSync(values.file) || !statSync(values.file).isFile())) throw new UsageError(`no such file: ${values.file}`);
    }
    const link = await connect(values);
    const client = channelVerbs(link);
    try {
      switch (sub) {
        case 'create': {
          if (args[0] === undefined || args[0].trim() === '') throw new UsageError('usage: wad channel create <id> <name> [--description T]');
          const c = await client.createChannel(account, args[0], values.description);
          process.stdout.write(values.json ? JSON.stringify(c) + '\n' : describe(c));
          return 0;
        }
        case 'info': {
          if (args[0] === undefined) throw new UsageError('usage: wad channel info <id> <channel-or-invite>');
          const c = await client.channelMetadata(account, args[0].trim());
          process.stdout.write(values.json ? JSON.stringify(c) + '\n' : describe(c));
          return 0;
        }
        case 'follow':
        case 'unfollow':
        case 'mute':
        case 'unmute': {
          const jid = channel(args[0]);
          await client.followChannel(account, jid, sub);
          if (values.json) jsonLine({ ok: true, channel: jid, action: sub });
          else process.stdout.write(`${jid} ${FOLLOW_DONE[sub]}\n`);
          return 0;
        }
        case 'list': {
          const channels = await client.listChannels(account);
          for (const c of channels) {
            if (values.json) jsonLine(c);
            else process.stdout.write(`${c.jid.padEnd(32)} ${(c.role ?? '').padEnd(10)} ${c.name}\n`);
          }
          return 0;
        }
        case 'post': {
          const jid = channel(args[0]);
          const spinner = values.json ? undefined : new Spinner(values.file ? `uploading ${values.file}…` : 'posting…');
          let id: string;
          try {
            id =
              values.file !== undefined
                ? await link.sendFile(account, jid, values.file, { ...(values.caption !== undefined ? { caption: values.caption } : {}), ...(values.mime !== undefined ? { mimeType: values.mime } : {}) })
                : await link.sendText(account, jid, args.slice(1).join(' '));
          } finally {
            spinner?.stop();
          }
          if (values.json) jsonLine({ messageId: id, account, chat: jid });
          else process.stdout.write(id + '\n');
          return 0;
        }
        case 'react': {
          const jid = channel(args[0]);
          const [postId, emoji] = [args[1], values.remove ? '' : args[2]];
          if (postId === undefined || emoji === undefined) throw new UsageError('usage: wad channel react <id> <channel> <post-id> <emoji> | --remove');
          const id = await client.reactToPost(account, jid, postId, emoji);
          if (values.json) jsonLine({ messageId: id, account, chat: jid, post: postId, emoji });
          else process.stdout.write(id + '\n');
          return 0;
        }
        default:
          throw new UsageError(`unknown command 'channel ${sub}' (see wad channel --help)`);
      }
    } finally {
      await link.close();
    }
  }, { account: rest[0] });
}

const FOLLOW_DONE: Record<(typeof FOLLOW)[number], string> = { follow: 'followed', unfollow: 'unfollowed', mute: 'muted', unmute: 'unmuted' };
