/**
 * Carries out one validated request by calling exactly one DaemonApi method
 * and shapes its result for the ack. Media for message:send is resolved here
 * (an upload of this connection, a local path, or base64). Subscriptions
 * and media:download are the connection's (they need its state and socket).
 * Must not validate frames.
 */
import type { DaemonApi, MediaKind, OutgoingContent } from '../contract/api.js';
import { IpcError } from './errors.js';
import { messageFromJson } from '../protocol/message/index.js';
import type { DispatchContext, Request } from './dispatch-context.js';
import type { SendData } from '../contract/frames.js';
import { uploadedFile } from './uploads.js';
import { dispatchPeople, isPeopleType } from './people.js';
import { dispatchCall, isCallType } from './calls.js';
import { dispatchNewsletter, isNewsletterType } from './newsletters.js';
import { dispatchCommunity, isCommunityType } from './communities.js';

export type { DispatchContext, UploadSource } from './dispatch-context.js';

type Result = Record<string, unknown>;
const NONE: Result = {};

/** @throws DaemonError / IpcError with the contract's codes, or the owner's error as it came (RelayedError) */
export function dispatch(req: Request, ctx: DispatchContext): Promise<Result> {
  // Not an async wrapper around the one that runs here: that would add turns to every request.
  if (ctx.forwarder) return forwarded(req, ctx, ctx.forwarder);
  return dispatchHere(req, ctx);
}

/** Async, so that a forwarder that throws instead of rejecting still answers as a failed request. */
async function forwarded(req: Request, ctx: DispatchContext, forwarder: NonNullable<DispatchContext['forwarder']>): Promise<Result> {
  return forwarder.run(req, ctx.uploads, () => dispatchHere(req, ctx), { allowPaths: ctx.allowPaths });
}

async function dispatchHere(req: Request, ctx: DispatchContext): Promise<Result> {
  const { api } = ctx;
  const a = req.account!;
  const chat = req.chat!;
  if (isPeopleType(req.type)) return dispatchPeople(req as Parameters<typeof dispatchPeople>[0], ctx);
  if (isCallType(req.type)) return dispatchCall(req as Parameters<typeof dispatchCall>[0], ctx);
  if (isNewsletterType(req.type)) return dispatchNewsletter(req as Parameters<typeof dispatchNewsletter>[0], ctx);
  if (isCommunityType(req.type)) return dispatchCommunity(req as Parameters<typeof dispatchCommunity>[0], ctx);
  switch (req.type) {
    case 'account:add':
      return { ...(await api.addAccount(a, req.data.phone !== undefined ? { phone: req.data.phone.replace(/^\+/, '') } : {})) };
    case 'account:remove':
      await api.removeAccount(a);
      return NONE;
    case 'account:list': {
      const all = api.listAccounts();
      return { accounts: ctx.scope ? all.filter((x) => ctx.scope!.has(x.id)) : all };
    }
    case 'account:status':
      return { ...api.accountStatus(a) };
    case 'account:start':
      await api.startAccount(a);
      return NONE;
    case 'account:stop':
      await api.stopAccount(a);
      return NONE;
    case 'account:restart':
      await api.restartAccount(a);
      return NONE;
    case 'account:logout':
      await api.logoutAccount(a);
      return NONE;
    case 'account:pair-code':
      return { ...(await api.requestPairCode(a, req.data.phone.replace(/^\+/, ''))) };
    case 'message:send':
      return sendMessage(req.data, a, chat, ctx);
    case 'message:edit':
      return { ...(await api.editMessage(a, chat, req.data.messageId, req.data.content)) };
    case 'message:delete':
      if (req.data.forMe) return { ...(await api.deleteMessageForMe(a, chat, req.data.messageId)) };
      return { ...(await api.deleteMessage(a, chat, req.data.messageId)) };
    case 'message:react':
      return { ...(await api.react(a, chat, req.data.messageId, req.data.emoji)) };
    case 'message:read':
      await api.markRead(a, chat, req.data.messageIds, req.data.played === true);
      return NONE;
    case 'chat:modify':
      if (req.data.action === 'disappearing') {
        if (req.data.expiration === undefined) throw new IpcError('MISSING_FIELD', 'data.expiration is required to set the disappearing timer', { field: 'data.expiration' });
        await api.sendMessage(a, chat, { type: 'disappearing', expiration: req.data.expiration });
        return NONE;
      }
      await api.modifyChat(a, chat, req.data.action, req.data.until);
      return NONE;
    case 'message:star':
      await api.starMessage(a, chat, req.data.messageId, req.data.starred);
      return NONE;
    case 'label:list':
      return { labels: await api.listLabels(a) };
    case 'label:edit':
      return { ...(await api.editLabel(a, req.data)) };
    case 'label:chat':
      await api.labelChat(a, chat, req.data.labelId, req.data.action === 'add');
      return NONE;
    case 'typing:start':
      await api.sendChatState(a, chat, req.data.recording ? 'recording' : 'composing');
      return NONE;
    case 'typing:stop':
      await api.sendChatState(a, chat, 'paused');
      return NONE;
    case 'presence:update':
      await api.sendPresence(a, req.data.status);
      return NONE;
    case 'group:create':
      return { ...(await api.createGroup(a, req.data.subject, req.data.participants)) };
    case 'group:metadata':
      return { ...(await api.groupMetadata(a, chat)) };
    case 'chat:list':
      return { chats: await api.listChats(a, req.data) };
    case 'contact:list':
      return { contacts: await api.listContacts(a) };
    case 'message:list':
      return { messages: await api.listMessages(a, chat, req.data) };
    case 'history:request':
      return { ...(await api.requestHistory(a, chat, req.data.count)) };
    case 'events:ack':
      await api.ackEvents(req.data.name, req.data.account, req.data.seq);
      return { cursor: await api.subscriberCursor(req.data.name, req.data.account) };
    case 'webhook:add':
      return { ...(await api.addWebhook(req.data)) };
    case 'webhook:list':
      return { webhooks: (await api.listWebhooks()).filter((w) => visible(w.accounts, ctx.scope)) };
    case 'webhook:remove':
      await ownWebhook(api, req.data.id, ctx.scope);
      await api.removeWebhook(req.data.id);
      return {};
    case 'webhook:resume':
      await ownWebhook(api, req.data.id, ctx.scope);
      await api.resumeWebhook(req.data.id);
      return {};
    case 'webhook:test':
      await ownWebhook(api, req.data.id, ctx.scope);
      return { ...(await api.testWebhook(req.data.id)) };
    case 'group:participants': {
      const results = await api.groupParticipants(a, chat, req.data.action, req.data.participants);
      return { participants: results.map((r) => ({ jid: r.jid, status: r.status })), results };
    }
    case 'group:list':
      return { groups: await api.listGroups(a) };
    case 'group:update':
      await api.updateGroup(a, chat, req.data);
      return NONE;
    case 'group:invite':
      return { ...(await api.groupInvite(a, chat, req.data.action)) };
    case 'group:join': {
      const { code, group, admin, expiration } = req.data;
      if ((group === undefined) !== (admin === undefined)) {
        throw new IpcError('MISSING_FIELD', 'an invite message join needs both data.group and data.admin', { field: group === undefined ? 'data.group' : 'data.admin' });
      }
      return { ...(await api.joinGroup(a, code, group !== undefined ? { group, admin: admin!, expiration: expiration ?? 0 } : undefined)) };
    }
    case 'group:requests':
      if (req.data.action === 'list') return { requests: await api.groupRequests(a, chat, 'list') };
      if (!req.data.participants) throw new IpcError('MISSING_FIELD', `data.participants is required to ${req.data.action}`, { field: 'data.participants' });
      return { results: await api.answerGroupRequests(a, chat, req.data.action, req.data.participants) };
    case 'group:leave':
      await api.leaveGroup(a, chat);
      return NONE;
    case 'events:subscribe':
    case 'events:unsubscribe':
    case 'media:download':
      throw new IpcError('INTERNAL_ERROR', `${req.type} is handled by the connection`);
  }
}

async function sendMessage(withKey: SendData, account: string, chat: string, ctx: DispatchContext): Promise<Result> {
  const { idempotencyKey, audience, ...data } = withKey;
  const options = idempotencyKey !== undefined || audience !== undefined ? { ...(idempotencyKey !== undefined ? { idempotencyKey } : {}), ...(audience !== undefined ? { audience } : {}) } : undefined;
  // Checked when the frame was read: a Message the schema knows all of.
  if (data.type === 'message') return { ...(await ctx.api.sendMessage(account, chat, { type: 'message', message: messageFromJson(data.message), ...(data.viewOnce !== undefined ? { viewOnce: data.viewOnce } : {}) }, options)) };
  if (data.type === 'text' && typeof data.linkPreview === 'object') {
    const { thumbnail, ...given } = data.linkPreview;
    const image = thumbnail !== undefined ? Buffer.from(thumbnail, 'base64') : undefined;
    if (image?.length === 0) throw new IpcError('INVALID_PAYLOAD', 'data.linkPreview.thumbnail holds no bytes', { field: 'data.linkPreview.thumbnail' });
    return { ...(await ctx.api.sendMessage(account, chat, { ...data, linkPreview: { ...given, ...(image ? { thumbnail: new Uint8Array(image) } : {}) } }, options)) };
  }
  if (!isMedia(data)) return { ...(await ctx.api.sendMessage(account, chat, data as OutgoingContent, options)) };
  const base = {
    type: data.type,
    ...(data.caption !== undefined ? { caption: data.caption } : {}),
    ...(data.fileName !== undefined ? { fileName: data.fileName } : {}),
    ...(data.ptt !== undefined ? { ptt: data.ptt } : {}),
    ...(data.quoted !== undefined ? { quoted: data.quoted } : {}),
    ...(data.width !== undefined ? { width: data.width } : {}),
    ...(data.height !== undefined ? { height: data.height } : {}),
    ...(data.seconds !== undefined ? { seconds: data.seconds } : {}),
    ...(data.jpegThumbnail ? { jpegThumbnail: new Uint8Array(Buffer.from(data.jpegThumbnail, 'base64')) } : {}),
    ...(data.gifPlayback !== undefined ? { gifPlayback: data.gifPlayback } : {}),
    ...(data.viewOnce !== undefined ? { viewOnce: data.viewOnce } : {}),
  };
  if (data.base64 !== undefined) {
    const bytes = Buffer.from(data.base64, 'base64');
    if (bytes.length === 0) throw new IpcError('INVALID_PAYLOAD', 'data.base64 holds no bytes', { field: 'data.base64' });
    return { ...(await ctx.api.sendMessage(account, chat, { ...base, media: new Uint8Array(bytes), ...mime(data.mimeType) }, options)) };
  }
  if (data.path !== undefined) {
    if (!ctx.allowPaths) throw new IpcError('FORBIDDEN', 'data.path is accepted only on the Unix socket; upload the bytes in binary frames', { field: 'data.path' });
    return { ...(await ctx.api.sendMessage(account, chat, { ...base, media: { path: data.path }, ...mime(data.mimeType) }, options)) };
  }
  const up = await ctx.uploads.take(data.upload!);
  try {
    return { ...(await ctx.api.sendMessage(account, chat, { ...base, media: uploadedFile(up), ...mime(data.mimeType ?? up.mimeType) }, options)) };
  } finally {
    await ctx.uploads.release(up.path);
  }
}

function mime(m: string | undefined): { mimeType?: string } {
  return m !== undefined ? { mimeType: m } : {};
}

const MEDIA = new Set<string>(['image', 'video', 'audio', 'document', 'sticker']);
function isMedia(d: Omit<SendData, 'idempotencyKey' | 'audience'>): d is Extract<SendData, { type: MediaKind }> {
  return MEDIA.has(d.type);
}

/** A webhook is a scoped token's only when every account it takes is in the scope. */
function visible(accounts: readonly string[] | null, scope: ReadonlySet<string> | undefined): boolean {
  return scope === undefined || (accounts !== null && accounts.every((a) => scope.has(a)));
}

/** @throws IpcError NOT_FOUND for a webhook the caller cannot see (whether or not it exists) */
async function ownWebhook(api: DaemonApi, id: string, scope: ReadonlySet<string> | undefined): Promise<void> {
  if (scope === undefined) return;
  const w = (await api.listWebhooks()).find((x) => x.id === id);
  if (!w || !visible(w.accounts, scope)) throw new IpcError('NOT_FOUND', `no webhook ${id}`);
}
