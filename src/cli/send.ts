/**
 * `wad send <id> <jid> <text>`, `wad send <id> <jid> --file PATH
 * [--caption T]` and `wad send <id> <jid> --data JSON` (any kind): sends, waits for the server's ack, prints
 * the message id. The jid may be a bare phone number or a group id.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { LinkPreviewGiven } from '../client/index.js';
import { normalizeJid } from '../ipc/jid.js';
import { COMMON_HELP, UsageError, connect, jsonLine, parse, run } from './common.js';
import { Spinner } from './progress.js';
import type { SendData } from '../contract/frames.js';

const USAGE = `usage: wad send <id> <jid> <text> [--quoted MSGID] [--preview | --preview-title T ...]
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
  --preview        a link preview made by the daemon from the text's first link
                   (the page's title, description and image); when it cannot be
                   made the text goes without, and the reason is printed
  --preview-title T        a link preview given here instead: its title,
  --preview-url URL        its link (default: the text's first http(s) link),
  --preview-description D  its description,
  --preview-image PATH     its image (JPEG, PNG, WebP: the daemon makes the thumbnails)
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
        preview: { type: 'boolean' },
        'preview-title': { type: 'string' },
        'preview-url': { type: 'string' },
        'preview-description': { type: 'string' },
        'preview-image': { type: 'string' },
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
      const preview = previewOf(values, words.join(' '));
      if (preview !== undefined && (values.file !== undefined || data)) throw new UsageError('a link preview goes with a text, not with --file or --data');
      const client = await connect(values);
      const spinner = values.json ? undefined : new Spinner(values.file ? `uploading ${values.file}…` : 'sending…');
      try {
        if (preview !== undefined) {
          const sent = await client.sendLink(account, chat, words.join(' '), preview, values.quoted !== undefined ? { quoted: values.quoted } : {});
          spinner?.stop();
          if (values.json) jsonLine({ messageId: sent.messageId, account, chat, ...(sent.linkPreviewError ? { linkPreviewError: sent.linkPreviewError } : {}) });
          else {
            process.stdout.write(sent.messageId + '\n');
            if (sent.linkPreviewError) process.stderr.write(`sent without its link preview: ${sent.linkPreviewError}\n`);
          }
          return 0;
        }
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

/** The link preview the options ask for: made by the daemon (--preview), given (--preview-title …), or none. */
function previewOf(values: Record<string, string | boolean | undefined>, text: string): true | LinkPreviewGiven | undefined {
  const title = values['preview-title'];
  const given = ['preview-title', 'preview-url', 'preview-description', 'preview-image'].filter((k) => values[k] !== undefined);
  if (values['preview'] === true) {
    if (given.length > 0) throw new UsageError(`--preview has the daemon make the preview: leave out --${given.join(', --')}`);
    return true;
  }
  if (given.length === 0) return undefined;
  if (typeof title !== 'string') throw new UsageError('a given link preview needs --preview-title');
  const url = typeof values['preview-url'] === 'string' ? values['preview-url'] : /\bhttps?:\/\/\S+/i.exec(text)?.[0];
  if (url === undefined) throw new UsageError('no link for the preview: put an http(s) link in the text or give --preview-url');
  const image = values['preview-image'];
  if (typeof image === 'string' && (!existsSync(image) || !statSync(image).isFile())) throw new UsageError(`no such file: ${image}`);
  const description = values['preview-description'];
  return {
    url,
    title,
    ...(typeof description === 'string' ? { description } : {}),
    ...(typeof image === 'string' ? { thumbnail: new Uint8Array(readFileSync(image)) } : {}),
  };
}
