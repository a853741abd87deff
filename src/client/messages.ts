/**
 * WadClient's message verbs: sends of every kind (text, link previews,
 * files uploaded in binary frames, statuses, reactions, poll votes), edits
 * and deletes for everyone, and media downloads. A layer between the group
 * and call verbs and WadClient so each verb family keeps its file.
 */
import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import type { MediaFields, MediaKind } from '../contract/api.js';
import type { LinkPreviewData, RequestMap, SendData } from '../contract/frames.js';
import { DownloadSink, type DownloadedFile } from './download.js';
import { WadClientError } from './errors.js';
import { GroupsAndCalls } from './groups.js';
import { kindFromMime, mimeFromName } from './mime.js';
import { untilAnswered, type ResendOptions } from './resend.js';
import { statusVerbs } from './status-verbs.js';

/** A link preview given to sendLink. */
export interface LinkPreviewGiven {
  /** The link as the text has it. */
  url: string;
  title: string;
  description?: string;
  /** An image (JPEG, PNG, WebP…), as bytes or base64: the daemon makes the thumbnails from it. */
  thumbnail?: Uint8Array | string;
}

/** The socket's `linkPreview` field for a preview made by the daemon (`true`) or given. */
export function linkPreviewData(preview: true | LinkPreviewGiven): true | LinkPreviewData {
  if (preview === true) return true;
  return {
    url: preview.url,
    title: preview.title,
    ...(preview.description !== undefined ? { description: preview.description } : {}),
    ...(preview.thumbnail !== undefined ? { thumbnail: typeof preview.thumbnail === 'string' ? preview.thumbnail : Buffer.from(preview.thumbnail).toString('base64') } : {}),
  };
}

/** What message:send answers: the message id, and why a link preview asked for did not go with it. */
export type SendAnswer = RequestMap['message:send']['result'];

export interface SendFileOptions extends Omit<MediaFields, 'mimeType'> {
  /** Default: from the file name. */
  mimeType?: string;
  /** Default: from the mime type (image, video, audio, else document). */
  type?: MediaKind;
  /** A small JPEG preview. */
  jpegThumbnail?: Uint8Array;
  /** Repeat the call with the same key after a lost connection: one message at most (the upload is made again). */
  idempotencyKey?: string;
  /** To `status@broadcast`: the contacts who see the status. */
  audience?: string[];
}

export class MessageSends extends GroupsAndCalls {
  readonly #status = statusVerbs(this);

  /**
   * Any message:send content. `chat`: a jid, a phone number or a group id.
   * One attempt: when it fails with UNAVAILABLE or TIMEOUT the message may or
   * may not have been sent; give `idempotencyKey` and repeat it, or use
   * sendReliably, to be sure of exactly one.
   */
  async send(account: string, chat: string, content: SendData): Promise<string> {
    return (await this.request('message:send', content, { account, chat })).messageId;
  }

  /**
   * `send` under one idempotency key (`idempotencyKey`, else a fresh one),
   * repeated across lost connections, daemon restarts and sends whose server
   * ack did not come, until the daemon answers (see resend.ts): one message,
   * never two. Media go by `path` or `base64` here (an upload belongs to the
   * connection that made it). @throws WadClientError: a final answer, or the
   * last error once `deadlineMs` (5 min) or `maxAttempts` ran out
   */
  async sendReliably(account: string, chat: string, content: SendData, opts: ResendOptions & { idempotencyKey?: string } = {}): Promise<string> {
    if ('upload' in content && content.upload !== undefined) {
      throw new WadClientError('INVALID_PAYLOAD', 'an upload does not outlive its connection: give sendReliably a path or base64', { field: 'data.upload' });
    }
    const { idempotencyKey = content.idempotencyKey ?? randomUUID(), ...retry } = opts;
    return untilAnswered(() => this.send(account, chat, { ...content, idempotencyKey }), retry);
  }

  async sendText(account: string, chat: string, text: string, opts: { quoted?: string; mentions?: string[] } = {}): Promise<string> {
    return this.send(account, chat, { type: 'text', content: text, ...opts });
  }

  /**
   * A text with a link preview: `true` has the daemon make it from the
   * text's first link (the page's title, description and image), or give it
   * (`thumbnail`: image bytes or base64). A preview that cannot be made does
   * not stop the text: `linkPreviewError` says why it went without.
   */
  async sendLink(account: string, chat: string, text: string, preview: true | LinkPreviewGiven, opts: { quoted?: string; mentions?: string[] } = {}): Promise<SendAnswer> {
    return this.request('message:send', { type: 'text', content: text, ...opts, linkPreview: linkPreviewData(preview) }, { account, chat });
  }

  async reply(account: string, chat: string, quoted: string, text: string): Promise<string> {
    return this.send(account, chat, { type: 'reply', content: text, quoted });
  }

  /** Uploads the file (or bytes) in binary frames, then sends it. */
  async sendFile(account: string, chat: string, file: string | { bytes: Uint8Array; fileName?: string }, opts: SendFileOptions = {}): Promise<string> {
    const name = typeof file === 'string' ? basename(file) : file.fileName;
    const mimeType = opts.mimeType ?? (name ? mimeFromName(name) : 'application/octet-stream');
    const type = opts.type ?? kindFromMime(mimeType);
    const upload = await this.upload(typeof file === 'string' ? { path: file } : file.bytes, { type, conversationId: chat, mimeType });
    return this.send(account, chat, {
      type,
      upload,
      mimeType,
      ...(opts.caption !== undefined ? { caption: opts.caption } : {}),
      ...((opts.fileName ?? (type === 'document' ? name : undefined)) !== undefined ? { fileName: opts.fileName ?? name! } : {}),
      ...(opts.ptt !== undefined ? { ptt: opts.ptt } : {}),
      ...(opts.quoted !== undefined ? { quoted: opts.quoted } : {}),
      ...(opts.width !== undefined ? { width: opts.width } : {}),
      ...(opts.height !== undefined ? { height: opts.height } : {}),
      ...(opts.seconds !== undefined ? { seconds: opts.seconds } : {}),
      ...(opts.jpegThumbnail !== undefined ? { jpegThumbnail: Buffer.from(opts.jpegThumbnail).toString('base64') } : {}),
      ...(opts.gifPlayback !== undefined ? { gifPlayback: opts.gifPlayback } : {}),
      ...(opts.viewOnce !== undefined ? { viewOnce: opts.viewOnce } : {}),
      ...(opts.idempotencyKey !== undefined ? { idempotencyKey: opts.idempotencyKey } : {}),
      ...(opts.audience !== undefined ? { audience: opts.audience } : {}),
    });
  }

  /**
   * Posts a status (`message:send` to `status@broadcast`) that exactly the
   * `audience` (jids or numbers) receives: a text (`backgroundArgb`, `font`
   * style it), a location, or media by `path`/`base64`; `sendFile(account,
   * 'status@broadcast', file, {audience})` uploads a file. Resolves with its id.
   */
  async sendStatus(account: string, audience: string[], content: SendData): Promise<string> {
    return this.#status.sendStatus(account, audience, content);
  }

  /** Read receipts for contacts' statuses (`message:read` on status@broadcast): each status's author sees it read. */
  async readStatuses(account: string, messageIds: string[]): Promise<void> {
    return this.#status.readStatuses(account, messageIds);
  }

  /**
   * The file of a media message (received in `chat`, or sent by this
   * account), decrypted and verified by the daemon before the first byte
   * left it. In memory (`data`), or with `to` written to that path (created
   * 0600; an existing file is an error), which suits large files.
   * @throws WadClientError NOT_FOUND (no such message, or the file expired
   *   and the sender could not re-upload it), INVALID_PAYLOAD (not a media
   *   message), UNAVAILABLE (transfer or integrity failure: `details.media`
   *   is BAD_MAC, HASH_MISMATCH, TRUNCATED, NETWORK…)
   */
  async downloadMedia(account: string, chat: string, messageId: string, opts: { to?: string } = {}): Promise<DownloadedFile> {
    const sink = await DownloadSink.create({ to: opts.to, flow: (paused) => this.flow(paused) });
    try {
      return await sink.finish(await this.downloadInto(account, chat, messageId, sink));
    } catch (err) {
      await sink.abort();
      throw err;
    }
  }

  /** `emoji: ''` removes the reaction. */
  async react(account: string, chat: string, messageId: string, emoji: string): Promise<string> {
    return (await this.request('message:react', { messageId, emoji }, { account, chat })).messageId;
  }

  /** Votes on a poll of the chat by option names (an empty list withdraws the vote); the tally comes back as message:updated. */
  async votePoll(account: string, chat: string, pollId: string, options: string[]): Promise<string> {
    return this.send(account, chat, { type: 'poll-vote', pollId, options });
  }

  async edit(account: string, chat: string, messageId: string, content: string): Promise<string> {
    return (await this.request('message:edit', { messageId, content }, { account, chat })).messageId;
  }

  /** Deletes for everyone. */
  async deleteMessage(account: string, chat: string, messageId: string): Promise<string> {
    return (await this.request('message:delete', { messageId }, { account, chat })).messageId;
  }
}
