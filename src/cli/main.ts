/**
 * The `wad` command line: dispatches to one module per
 * command. Every command has --help, exits 0 on success and non-zero with a
 * one-line error on stderr.
 */
import { runAccount } from './account.js';
import { runCall } from './call.js';
import { runChat, runMessages } from './chat.js';
import { runLabel } from './chat-actions.js';
import { runContact } from './contact.js';
import { runProfile } from './profile.js';
import { runBlock, runPresence, runPrivacy } from './privacy.js';
import { runDaemon } from './daemon.js';
import { runDemo } from './demo.js';
import { runEvents } from './events.js';
import { runGroup } from './group.js';
import { runMedia } from './media.js';
import { runCommunity } from './community.js';
import { runChannel } from './channel.js';
import { runSend } from './send.js';
import { runSim } from './sim.js';
import { runStatus } from './status.js';
import { runStore } from './store.js';
import { runWebhook } from './webhook.js';

const VERSION = '0.1.0';

const COMMANDS: Record<string, { run: (argv: string[]) => Promise<number>; about: string }> = {
  demo: { run: runDemo, about: 'simulator + daemon in temp dirs, two linked accounts, a short conversation' },
  daemon: { run: runDaemon, about: 'run the daemon in the foreground' },
  account: { run: runAccount, about: 'add (link), list, status, start, stop, restart, logout, remove accounts' },
  send: { run: runSend, about: 'send a text or a file' },
  chat: { run: runChat, about: 'list the chats of an account; archive, pin, mute, mark read, label or star on every device' },
  label: { run: runLabel, about: "list, add, rename or delete the account's labels" },
  messages: { run: runMessages, about: "print a chat's stored messages, newest first" },
  media: { run: runMedia, about: "download a media message's file (checked by the daemon first)" },
  contact: { run: runContact, about: 'check numbers on WhatsApp, a contact\'s info and picture' },
  profile: { run: runProfile, about: 'our push name, about and picture (or a group\'s picture)' },
  privacy: { run: runPrivacy, about: 'our privacy settings: last seen, online, picture, about, read receipts…' },
  block: { run: runBlock, about: 'list, block or unblock users' },
  presence: { run: runPresence, about: "follow a contact's presence (presence:update events)" },
  events: { run: runEvents, about: 'print events as NDJSON (--follow to keep going)' },
  webhook: { run: runWebhook, about: 'add, list, remove, resume or test webhooks' },
  call: { run: runCall, about: 'reject a ringing call (incoming calls are call:incoming events)' },
  status: { run: runStatus, about: 'post a status to chosen contacts; mark contacts\' statuses read' },
  group: { run: runGroup, about: 'groups: list, create, info, update, members, invite links, join, requests, leave' },
  community: { run: runCommunity, about: 'communities: create, info (linked groups), link and unlink groups, leave' },
  channel: { run: runChannel, about: 'channels: create, info, follow, unfollow, list, post (text or file), react' },
  sim: { run: runSim, about: 'run the WhatsApp server simulator in the foreground' },
  store: { run: runStore, about: 'check or repair the store (daemon stopped): what is damaged, per account' },
};

function usage(): string {
  return [
    `wad ${VERSION} — a WhatsApp multi-device daemon`,
    '',
    'usage: wad <command> [options]      (wad <command> --help for its options)',
    '',
    'commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.about}`),
    '',
    'Try `wad demo`. For a real phone: `wad daemon`, then `wad account add <id>` in another terminal.',
  ].join('\n');
}

// `wad events | head` closes our stdout early: that is the reader being done, not an error to show.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

const [cmd, ...rest] = process.argv.slice(2);
if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
  if (cmd === 'help' && rest[0] && COMMANDS[rest[0]]) process.exitCode = await COMMANDS[rest[0]]!.run(['--help']);
  else {
    process.stdout.write(usage() + '\n');
    process.exitCode = 0;
  }
} else if (cmd === '--version' || cmd === '-v') {
  process.stdout.write(VERSION + '\n');
} else if (COMMANDS[cmd]) {
  process.exitCode = await COMMANDS[cmd]!.run(rest);
  // The servers' commands return once they have stopped (or gave up stopping
  // after their 10 s grace): a handle left open must not keep the process alive.
  if (cmd === 'daemon' || cmd === 'sim') process.exit();
} else {
  process.stderr.write(`wad: unknown command '${cmd}' (see wad --help)\n`);
  process.exitCode = 2;
}
