/**
 * `wad media download <id> <chat> <message-id> [--to PATH]`: the verified
 * file of a media message (received, or sent by the account), written to a
 * new 0600 file — `./<message-id>` unless --to names one; `--to -` writes
 * the bytes to stdout. Over the socket or a daemon's HTTP API (--url).
 */
import { normalizeJid } from '../ipc/jid.js';
import { COMMON_HELP, UsageError, connect, jsonLine, parse, run } from './common.js';
import { Spinner } from './progress.js';

const USAGE = `usage: wad media download <id> <chat> <message-id> [--to PATH]

Downloads the file of a media message of account <id> in <chat> (as message:new
named them: the event's "chat" and "id"), checked by the daemon (MAC and hashes)
before anything is written, into a new file (0600; an existing file is an
error), and prints where it went, its type, mime type and size.

options:
  --to PATH        the file to create (default: ./<message-id>); - writes to stdout
${COMMON_HELP}`;

export async function runMedia(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(USAGE + '\n');
    return sub === undefined ? 2 : 0;
  }
  return run(
    `media ${sub}`,
    async () => {
      const { values, positionals } = parse(rest, { to: { type: 'string' } });
      if (values.help) {
        process.stdout.write(USAGE + '\n');
        return 0;
      }
      if (sub !== 'download') throw new UsageError(`unknown command 'media ${sub}' (see wad media --help)`);
      const [account, to, messageId] = positionals;
      if (account === undefined || to === undefined || messageId === undefined || positionals.length > 3) throw new UsageError('usage: wad media download <id> <chat> <message-id> [--to PATH]');
      const chat = normalizeJid(to);
      if (chat === undefined) throw new UsageError(`'${to}' is not a jid, a phone number or a group id`);
      const toStdout = values.to === '-';
      const path = toStdout ? undefined : (values.to ?? `./${messageId.replace(/[^\w.-]/g, '_')}`);
      const client = await connect(values);
      const spinner = values.json || toStdout ? undefined : new Spinner(`downloading ${messageId}…`);
      try {
        const file = await client.downloadMedia(account, chat, messageId, path !== undefined ? { to: path } : {});
        spinner?.stop();
        if (toStdout) {
          await new Promise<void>((resolve, reject) => process.stdout.write(file.data ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve())));
          return 0;
        }
        const { data: _d, ...facts } = file;
        if (values.json) jsonLine({ account, chat, messageId, ...facts });
        else process.stdout.write(`${file.path} (${[file.type, file.mimeType, `${file.fileLength} bytes`, file.fileName].filter(Boolean).join(', ')})\n`);
        return 0;
      } finally {
        spinner?.stop();
        await client.close();
      }
    },
    { account: rest.find((a) => !a.startsWith('-')) ?? '' },
  );
}
