/**
 * `wad send <id> <jid> <text>`, `wad send <id> <jid> --file PATH
 * [--caption T]` and `wad send <id> <jid> --data JSON` (any kind): sends, waits for the server's ack, prints
 * the message id. The jid may be a bare phone number or a group id.
 */
import { existsSync, statSync } from 'node:fs';
import { normalizeJid } from '../ipc/jid.js';
import { COMMON_HELP, UsageError, connect, jsonLine, parse, run } from './common.js';
import { Spinner } from './progress.js';
import type { SendData } from '../contract/frames.js';

const USAGE = `usage: wad send <id> <jid> <text> [--quoted MSGID]
       wad send <id> <jid> --file PATH [--caption TEXT] [--mime TYPE] [--ptt] [--view-once]
       wad send <id> <jid> --data JSON

Sends a message from account <id> to <jid> (a jid, a phone number in digits, or a
group id) and prints its message id once the server acked it. With --file the
kind (image, video, audio, document) follows from the file's type. --data sends
any kind as message:send's data (docs/protocol.md), for instance
  --data '{"type":"pin","messageId":"3EB0…","duration":604800}'
  --data '{"type":"forward","messageId":"3EB0…"}'
  --data '{"type":"event","name":"Launch","startTime":1900000000}'
  --data '{"type":"live-location","latitude":48.85,"longitude":2.35}'

options:
  --file PATH      send this file as media
  --caption TEXT   caption for the media
  --mime TYPE      mime type (default: from the file name)
  --ptt            an audio file as a voice note
  --view-once      the media can be opened once
  --quoted MSGID   reply to this message
  --data JSON      message:send's data, any kind
${COMMON_HELP}`;

/** --data: message:send's data as the socket takes it; the daemon checks it. */
function dataOf(json: string): SendData {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    throw new UsageError('--data must be JSON (message:send data, such as {"type":"keep","messageId":"…"})');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data) || typeof (data as { type?: unknown }).type !== 'string') throw new UsageError('--data must be a JSON object with a "type"');
  return data as SendData;
}

export async function runSend(argv: readonly string[]): Promise<number> {
  return run(
    'send',
    async () => {
      const { values, positionals } = parse(argv, {
        file: { type: 'string' },
        caption: { type: 'string' },
        mime: { type: 'string' },
        quoted: { type: 'string' },
        data: { type: 'string' },
        ptt: { type: 'boolean' },
        'view-once': { type: 'boolean' },
      });
      if (values.help) {
        process.stdout.write(USAGE + '\n');
        return 0;
      }
      const [account, to, ...words] = positionals;
      if (account === undefined || to === undefined) throw new UsageError('usage: wad send <id> <jid> <text> | --file PATH (see wad send --help)');
      const chat = normalizeJid(to);
      if (chat === undefined) throw new UsageError(`'${to}' is not a jid, a phone number or a group id`);
      const data = values.data !== undefined ? dataOf(values.data) : undefined;
      if (data && (values.file !== undefined || words.length > 0)) throw new UsageError('give --data alone (no text, no --file)');
      if (!data && values.file === undefined && words.join('').trim() === '') throw new UsageError('nothing to send: give a text (not empty) or --file PATH');
      if (values.file !== undefined && words.length > 0) throw new UsageError('give either a text or --file (use --caption for a text with the file)');
      if (values.file !== undefined && (!existsSync(values.file) || !statSync(values.file).isFile())) throw new UsageError(`no such file: ${values.file}`);
      const client = await connect(values);
      const spinner = values.json ? undefined : new Spinner(values.file ? `uploading ${values.file}…` : 'sending…');
      try {
        const id = data
          ? (await client.request('message:send', data, { account, chat })).messageId
          : values.file !== undefined
            ? await client.sendFile(account, chat, values.file, {
                ...(values.caption !== undefined ? { caption: values.caption } : {}),
                ...(values.mime !== undefined ? { mimeType: values.mime } : {}),
                ...(values.quoted !== undefined ? { quoted: values.quoted } : {}),
                ...(values.ptt ? { ptt: true } : {}),
                ...(values['view-once'] ? { viewOnce: true } : {}),
              })
            : await client.sendText(account, chat, words.join(' '), values.quoted !== undefined ? { quoted: values.quoted } : {});
        spinner?.stop();
        if (values.json) jsonLine({ messageId: id, account, chat });
        else process.stdout.write(id + '\n');
        return 0;
      } finally {
        spinner?.stop();
        await client.close();
      }
    },
    { account: argv.find((a) => !a.startsWith('-')) ?? '' },
  );
}
