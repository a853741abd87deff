/**
 * WadClient: the TypeScript client of wad's control socket (typed verbs,
 * the package API). Typed verbs over request(); events as async iterators that resume
 * after reconnects; media uploaded in binary frames.
 *
 *   const wad = await WadClient.connect();            // $WAD_SOCKET or the default socket
 *   await wad.sendText('work', '15550001111', 'hi');
 *   for await (const ev of wad.subscribe({ name: 'crm', types: ['message:new'] })) { ... }
 *
 * Every method rejects with WadClientError (the daemon's contract code, or
 * UNAVAILABLE / TIMEOUT / CLOSED).
 */
import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import type {
  AccountState,
  AccountSummary,
  ChatAction,
  ChatInfo,
  ChatListOptions,
  ContactInfo,
  GroupAction,
  GroupInfo,
  GroupInvite,
  GroupJoinRequest,
  GroupInviteMessageRef,
  GroupJoinResult,
  GroupParticipantResult,
  GroupSummary,
  GroupUpdate,
  HistoryRequestResult,
  LabelEdit,
  LabelInfo,
  MediaFields,
  MediaKind,
  MessageListOptions,
  StoredMessage,
} from '../contract/api.js';
import type { LinkPreviewData, RequestMap, SendData } from '../contract/frames.js';
import type { WadEventOf } from '../contract/events.js';
import type { WadClientOptions } from './core.js';
import { accountVerbs } from './account-verbs.js';
import { callVerbs } from './call-verbs.js';
import { statusVerbs } from './status-verbs.js';
import { chatVerbs } from './chat-verbs.js';
import { groupVerbs } from './group-verbs.js';
import { CommunitiesAndChannels } from './communities-channels.js';
import { DownloadSink, type DownloadedFile } from './download.js';
import { WadClientError } from './errors.js';
import { kindFromMime, mimeFromName } from './mime.js';
import { defaultSocketPath } from './paths.js';
import { untilAnswered, type ResendOptions } from './resend.js';

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

export class WadClient extends CommunitiesAndChannels {
  /** The verbs' requests, written once for the socket and the CLI's HTTP link (*-verbs.ts). */
  readonly #accounts = accountVerbs(this);
  readonly #groups = groupVerbs(this);
  readonly #chats = chatVerbs(this);
  readonly #calls = callVerbs(this);
  readonly #status = statusVerbs(this);
  constructor(opts: WadClientOptions = {}) {
    super(
      opts.url !== undefined ? { url: opts.url, token: opts.token, compression: opts.compression } : { socket: opts.socket ?? defaultSocketPath(), compression: opts.compression },
      opts,
    );
  }

  /** new WadClient(opts).connect() */
  static async connect(opts: WadClientOptions = {}): Promise<WadClient> {
    return new WadClient(opts).connect();
  }

  // ---- accounts -----------------------------------------------------------

  async listAccounts(): Promise<AccountSummary[]> {
    return this.#accounts.listAccounts();
  }

  async accountStatus(id: string): Promise<AccountSummary> {
    return this.#accounts.accountStatus(id);
  }

  /**
   * Adds an account. Without a phone the daemon streams `connection:update`
   * events with `qr` to onUpdate; with one, the pairing code is returned.
   * Resolves when the daemon accepted it (see waitForState to wait for the link).
   */
  async addAccount(id: string, opts: { phone?: string; onUpdate?: (ev: WadEventOf<'connection:update'>) => void } = {}): Promise<{ pairCode?: string }> {
    const off = opts.onUpdate ? this.onEvent((ev) => ev.account === id && ev.type === 'connection:update' && opts.onUpdate!(ev)) : undefined;
    try {
      return await this.request('account:add', opts.phone !== undefined ? { id, phone: opts.phone } : { id });
    } catch (err) {
      off?.();
      throw err;
    }
  }

  /**
   * Waits until the account reaches one of `states` (default online), calling
   * onUpdate for each connection:update on the way. Checks the current state
   * first. @throws WadClientError TIMEOUT
   */
  async waitForState(id: string, opts: { states?: AccountState[]; timeoutMs?: number; onUpdate?: (ev: WadEventOf<'connection:update'>) => void } = {}): Promise<AccountState> {
    const states = new Set<AccountState>(opts.states ?? ['online']);
    const stream = this.subscribe({ accounts: [id], types: ['connection:update'] });
    let timer: NodeJS.Timeout | undefined;
    try {
      await stream.synced;
      const now = await this.accountStatus(id);
      if (states.has(now.state)) return now.state;
      // A quarantined account changes state only when repaired and the daemon restarted: waiting is pointless.
      if (now.state === 'failed') throw new WadClientError('UNAVAILABLE', `account ${id} failed: ${now.reason ?? 'its records do not load'}`);
      const timeout = new Promise<never>((_r, reject) => {
        timer = setTimeout(() => reject(new WadClientError('TIMEOUT', `account ${id} did not reach ${[...states].join('/')} within ${opts.timeoutMs} ms`)), opts.timeoutMs ?? 300_000);
      });
      const watch = (async () => {
        for await (const ev of stream) {
          if (ev.type !== 'connection:update') continue;
          opts.onUpdate?.(ev);
          if (states.has(ev.data.state)) return ev.data.state;
        }
        throw new WadClientError('UNAVAILABLE', 'event stream ended');
      })();
      return await Promise.race([watch, timeout]);
    } finally {
      clearTimeout(timer);
      await stream.close();
    }
  }

  async requestPairCode(id: string, phone: string): Promise<string> {
    return this.#accounts.requestPairCode(id, phone);
  }

  async startAccount(id: string): Promise<void> {
    return this.#accounts.startAccount(id);
  }

  async stopAccount(id: string): Promise<void> {
    return this.#accounts.stopAccount(id);
  }

  /** Restarts only this account's actors; the others keep running. */
  async restartAccount(id: string): Promise<void> {
    return this.#accounts.restartAccount(id);
  }

  async logoutAccount(id: string): Promise<void> {
    return this.#accounts.logoutAccount(id);
  }

  async removeAccount(id: string): Promise<void> {
    return this.#accounts.removeAccount(id);
  }

  // ---- messages -----------------------------------------------------------

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

  /** Deletes a message on the account's own devices only (`message:delete {forMe: true}`). */
  async deleteMessageForMe(account: string, chat: string, messageId: string): Promise<string> {
    return this.#chats.deleteMessageForMe(account, chat, messageId);
  }

  async starMessage(account: string, chat: string, messageId: string, starred = true): Promise<void> {
    return this.#chats.starMessage(account, chat, messageId, starred);
  }

  /** Archives, pins, mutes (`until`: unix s; none for ever), marks read… a chat on every device of the account (`chat:modify`). */
  async modifyChat(account: string, chat: string, action: ChatAction, opts: { until?: number } = {}): Promise<void> {
    return this.#chats.modifyChat(account, chat, action, opts);
  }

  async listLabels(account: string): Promise<LabelInfo[]> {
    return this.#chats.listLabels(account);
  }

  /** Creates (no `id`), renames, recolours or deletes a label; answers its id. */
  async editLabel(account: string, edit: LabelEdit): Promise<string> {
    return this.#chats.editLabel(account, edit);
  }

  async labelChat(account: string, chat: string, labelId: string, labelled = true): Promise<void> {
    return this.#chats.labelChat(account, chat, labelId, labelled);
  }

  /** `played`: played receipts (voice notes heard) instead of read receipts. */
  async markRead(account: string, chat: string, messageIds: string[], opts: { played?: boolean } = {}): Promise<void> {
    return this.#chats.markRead(account, chat, messageIds, opts);
  }

  /** The chat's disappearing timer, seconds (0: off); for a group, the group's setting. */
  async setDisappearing(account: string, chat: string, expiration: number): Promise<void> {
    return this.#chats.setDisappearing(account, chat, expiration);
  }

  async typing(account: string, chat: string, on: boolean, opts: { recording?: boolean } = {}): Promise<void> {
    if (on) await this.request('typing:start', opts.recording ? { recording: true } : {}, { account, chat });
    else await this.request('typing:stop', {}, { account, chat });
  }

  async setPresence(account: string, status: 'available' | 'unavailable'): Promise<void> {
    await this.request('presence:update', { status }, { account });
  }

  // ---- groups -------------------------------------------------------------

  async createGroup(account: string, subject: string, participants: string[]): Promise<string> {
    return this.#groups.createGroup(account, subject, participants);
  }

  async groupMetadata(account: string, group: string): Promise<GroupInfo> {
    return this.#groups.groupMetadata(account, group);
  }

  /** Per participant the server's code (200, 403, 404, 408, 409…); `inviteSent` where an invite message went instead. */
  async groupParticipants(account: string, group: string, action: GroupAction, participants: string[]): Promise<GroupParticipantResult[]> {
    return this.#groups.groupParticipants(account, group, action, participants);
  }

  async listGroups(account: string): Promise<GroupSummary[]> {
    return this.#groups.listGroups(account);
  }

  /** Changes each field given (subject, description, announce, locked, ephemeral, joinApproval, memberAddMode). */
  async updateGroup(account: string, group: string, update: GroupUpdate): Promise<void> {
    return this.#groups.updateGroup(account, group, update);
  }

  /** The group's invite code and link; `revoke` makes a new one (the old stops working). */
  async groupInvite(account: string, group: string, action: 'get' | 'revoke' = 'get'): Promise<GroupInvite> {
    return this.#groups.groupInvite(account, group, action);
  }

  /**
   * Joins by invite code or https://chat.whatsapp.com/… link; `pending` while
   * an admin must approve. With `invite`, by a group invite message: its
   * `groupInvite.code` as `code`, and `{group, admin: the message's sender, expiration}`.
   */
  async joinGroup(account: string, code: string, invite?: GroupInviteMessageRef): Promise<GroupJoinResult> {
    return this.#groups.joinGroup(account, code, invite);
  }

  async groupRequests(account: string, group: string): Promise<GroupJoinRequest[]> {
    return this.#groups.groupRequests(account, group);
  }

  async answerGroupRequests(account: string, group: string, action: 'approve' | 'reject', participants: string[]): Promise<Array<{ jid: string; status: number }>> {
    return this.#groups.answerGroupRequests(account, group, action, participants);
  }

  async leaveGroup(account: string, group: string): Promise<void> {
    return this.#groups.leaveGroup(account, group);
  }

  // ---- calls ---------------------------------------------------------------

  /**
   * Declines a ringing call: `callId` and `from` as the `call:incoming` event
   * named them. The caller sees the call end; a `call:ended` event follows.
   * @throws WadClientError UNAVAILABLE (the account is offline, or the server did not answer)
   */
  async rejectCall(account: string, callId: string, from: string): Promise<void> {
    return this.#calls.rejectCall(account, callId, from);
  }

  // ---- stored chats, contacts, messages ----------------------------------

  /** The account's chats, most recent first (`chat:list`). */
  async listChats(account: string, opts: ChatListOptions = {}): Promise<ChatInfo[]> {
    return this.#accounts.listChats(account, opts);
  }

  /** The people the account knows (`contact:list`). */
  async listContacts(account: string): Promise<ContactInfo[]> {
    return this.#accounts.listContacts(account);
  }

  /**
   * Asks the phone for older messages of a chat (`history:request`); they arrive as a
   * `history:sync` event of type ON_DEMAND naming `requestId`, and then in listMessages.
   */
  async requestHistory(account: string, chat: string, count?: number): Promise<HistoryRequestResult> {
    return this.request('history:request', count === undefined ? {} : { count }, { account, chat });
  }

  /** A chat's stored messages, newest first; `before` (a message id) pages back (`message:list`). */
  async listMessages(account: string, chat: string, opts: MessageListOptions = {}): Promise<StoredMessage[]> {
    return this.#accounts.listMessages(account, chat, opts);
  }
}
