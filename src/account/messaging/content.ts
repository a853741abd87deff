/**
 * What a consumer asks to send (the contract's OutgoingContent) → the pure
 * MessageContent the protocol layer builds: the only two shapes outgoing
 * content takes. Looks up what a reply quotes. Media goes through the media
 * pipeline when the account provides one; without it a media send is a
 * BAD_CONTENT failure, never a silent text.
 */
import { randomBytes } from 'node:crypto';
import type { MediaContent, OutgoingContent } from '../../contract/api.js';
import { PIN_DURATIONS, type LinkPreview, type MessageContent, type Quote } from '../../protocol/message/index.js';
import { forwardOriginal, liveLocationContent } from './addon-sends.js';
import { proto } from '../../protocol/proto/index.js';
import { isGroup } from '../../protocol/jid/index.js';
import type { MessagingDeps } from '../messaging-deps.js';
import { MessagingError } from './errors.js';
import type { Identities } from './identity.js';

/**
 * Builds a media Message (upload included); provided by the account's media
 * pipeline. `mediaHandle`: a channel post's upload handle, which its stanza names.
 */
export type MediaBuilder = (content: MediaContent, chat: string) => Promise<{ message: proto.IMessage; mediaHandle?: string | undefined }>;

/** What to send; a channel's media post also carries its upload handle. */
export type BuiltContent = MessageContent & { readonly mediaHandle?: string | undefined };

/**
 * `now`: unix ms, for the kinds that carry a time (pins, keeps).
 * `preview`: a text's link preview, already made (src/account/link-preview).
 */
export async function toMessageContent(deps: MessagingDeps, ids: Identities, chat: string, c: OutgoingContent, media: MediaBuilder | undefined, now = Date.now(), preview?: LinkPreview): Promise<BuiltContent> {
  switch (c.type) {
    case 'text':
    case 'reply': {
      const quote = 'quoted' in c && c.quoted ? await findQuote(deps, ids, chat, c.quoted) : undefined;
      return {
        type: 'text',
        text: c.content,
        mentions: c.mentions,
        quote,
        linkPreview: preview,
        ...('backgroundArgb' in c && c.backgroundArgb !== undefined ? { backgroundArgb: c.backgroundArgb } : {}),
        ...('font' in c && c.font !== undefined ? { font: c.font } : {}),
      };
    }
    case 'location':
      return { type: 'location', latitude: c.latitude, longitude: c.longitude, name: c.name, address: c.address };
    case 'contact':
      return { type: 'contact', displayName: c.displayName, vcard: c.vcard };
    case 'contacts':
      return { type: 'contacts', displayName: c.displayName, contacts: c.contacts };
    case 'poll':
      return { type: 'poll', name: c.name, options: c.options, selectableCount: c.selectableCount, messageSecret: randomBytes(32) };
    case 'disappearing':
      return { type: 'disappearing', expiration: c.expiration };
    case 'message':
      return { type: 'message', message: c.message };
    case 'reaction':
      throw new MessagingError('BAD_CONTENT', 'reactions go through react()');
    case 'poll-vote':
      throw new MessagingError('BAD_CONTENT', 'poll votes go through vote()');
    case 'event-response':
      throw new MessagingError('BAD_CONTENT', 'event answers go through their own send');
    case 'live-location':
      return liveLocationContent(deps, ids, chat, c);
    case 'forward':
      return forwardOriginal(deps, ids, c.fromChat ?? chat, c.messageId);
    case 'pin':
      return { type: 'pin', target: await findRef(deps, ids, chat, c.messageId), pin: c.unpin !== true, durationSeconds: c.duration ?? PIN_DURATIONS[0], senderTimestampMs: now };
    case 'keep':
      return { type: 'keep', target: await findRef(deps, ids, chat, c.messageId), keep: c.undo !== true, timestampMs: now };
    case 'event':
      return {
        type: 'event',
        event: {
          name: c.name,
          description: c.description,
          location: c.location,
          startTime: c.startTime,
          endTime: c.endTime,
          joinLink: c.joinLink,
          extraGuestsAllowed: c.extraGuestsAllowed,
          canceled: c.canceled,
        },
        messageSecret: randomBytes(32),
      };
    default: {
      if (!media) throw new MessagingError('BAD_CONTENT', `no media pipeline for ${c.type}`);
      const { message, mediaHandle } = await media(c, chat);
      if ('quoted' in c && c.quoted) {
        const quote = await findQuote(deps, ids, chat, c.quoted);
        for (const v of Object.values(message)) {
          if (v && typeof v === 'object' && !(v instanceof Uint8Array)) {
            (v as { contextInfo?: proto.IContextInfo }).contextInfo = { stanzaId: quote.id, participant: quote.participant, quotedMessage: quote.message ?? null };
            break;
          }
        }
      }
      return { type: 'message', message, ...(mediaHandle !== undefined ? { mediaHandle } : {}) };
    }
  }
}

/** The quoted message: ours (sent cache) or one we received. @throws MessagingError NOT_FOUND */
export async function findQuote(deps: MessagingDeps, ids: Identities, chat: string, id: string): Promise<Quote> {
  const sent = await deps.store.sent.get(id);
  if (sent) return { id, participant: ids.ownUserFor(chat), message: proto.Message.decode(sent.message) };
  const rec = await deps.store.messages.get(await ids.canonicalChat(chat), id);
  if (rec && typeof rec.sender === 'string') {
    const content = typeof rec.content === 'string' ? { conversation: rec.content } : undefined;
    return { id, participant: rec.sender, message: content };
  }
  throw new MessagingError('NOT_FOUND', `no message ${id} in ${chat}`);
}

/** The reference reactions, edits and revokes need. @throws MessagingError NOT_FOUND */
export async function findRef(deps: MessagingDeps, ids: Identities, chat: string, id: string): Promise<{ chat: string; id: string; fromMe: boolean; participant?: string }> {
  const sent = await deps.store.sent.get(id);
  if (sent) return isGroup(chat) ? { chat, id, fromMe: true, participant: ids.ownUserFor(chat) } : { chat, id, fromMe: true };
  const rec = await deps.store.messages.get(await ids.canonicalChat(chat), id);
  if (rec) {
    const fromMe = rec.fromMe === true;
    return isGroup(chat) && typeof rec.sender === 'string' ? { chat, id, fromMe, participant: rec.sender } : { chat, id, fromMe };
  }
  throw new MessagingError('NOT_FOUND', `no message ${id} in ${chat}`);
}
