/**
 * Channels (newsletters) through MEX: the persisted queries WhatsApp's
 * clients use to create a channel, read its metadata (by jid or by invite
 * code), follow and unfollow it, mute it, and list the channels one follows.
 * Every answer carries the channel as GraphQL's newsletter object:
 *
 *   {id, state: {type}, thread_metadata: {name: {text}, description: {text},
 *    invite, subscribers_count, creation_time, verification, picture, settings},
 *    viewer_metadata: {role, mute}}
 *
 * Query ids are the ones Baileys 7 sends (WhatsApp rotates them between
 * builds; the server answers what it knows).
 */
import { IqParseError } from './errors.js';
import { mexSpec } from './mex.js';
import type { IqSpec } from './spec.js';

export const NEWSLETTER_QUERY = {
  create: '8823471724422422',
  metadata: '6563316087068696',
  follow: '24404358912487870',
  unfollow: '9767147403369991',
  mute: '29766401636284406',
  unmute: '9864994326891137',
  subscribed: '6388546374527196',
} as const;

/** The field under `data` each query answers in. */
export const NEWSLETTER_PATH = {
  create: 'xwa2_newsletter_create',
  metadata: 'xwa2_newsletter',
  follow: 'xwa2_newsletter_join_v2',
  unfollow: 'xwa2_newsletter_leave_v2',
  mute: 'xwa2_newsletter_mute_v2',
  unmute: 'xwa2_newsletter_unmute_v2',
  subscribed: 'xwa2_newsletter_subscribed',
} as const;

export type NewsletterRole = 'owner' | 'admin' | 'subscriber' | 'guest';

export interface NewsletterMetadata {
  /** `…@newsletter` */
  readonly jid: string;
  readonly name: string;
  readonly description: string;
  /** The invite code (whatsapp.com/channel/<code>). */
  readonly invite?: string | undefined;
  readonly subscribers: number;
  /** Unix seconds. */
  readonly createdAt?: number | undefined;
  readonly verified: boolean;
  /** ACTIVE, SUSPENDED, GEOSUSPENDED, DELETED… as the server says it. */
  readonly state: string;
  /** Our relation to the channel (absent when the server did not say). */
  readonly role?: NewsletterRole | undefined;
  readonly muted?: boolean | undefined;
}

type Json = Record<string, unknown>;

const obj = (v: unknown): Json | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined);
const text = (v: unknown): string | undefined => {
  const o = obj(v);
  const t = o ? o.text : v;
  return typeof t === 'string' ? t : undefined;
};
const int = (v: unknown): number | undefined => {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
};

/** One newsletter object as the server answers it. @throws IqParseError without an id */
export function parseNewsletter(value: unknown): NewsletterMetadata {
  const o = obj(value);
  const id = o?.id;
  if (typeof id !== 'string' || !id.endsWith('@newsletter')) throw new IqParseError('newsletter without an @newsletter id');
  const thread = obj(o!.thread_metadata) ?? {};
  const viewer = obj(o!.viewer_metadata);
  const role = typeof viewer?.role === 'string' ? viewer.role.toLowerCase() : undefined;
  return {
    jid: id,
    name: text(thread.name) ?? '',
    description: text(thread.description) ?? '',
    invite: typeof thread.invite === 'string' ? thread.invite : undefined,
    subscribers: int(thread.subscribers_count) ?? 0,
    createdAt: int(thread.creation_time),
    verified: thread.verification === 'VERIFIED',
    state: typeof obj(o!.state)?.type === 'string' ? (obj(o!.state)!.type as string) : 'ACTIVE',
    role: role === 'owner' || role === 'admin' || role === 'subscriber' || role === 'guest' ? role : undefined,
    muted: typeof viewer?.mute === 'string' ? viewer.mute === 'ON' : undefined,
  };
}

export function createNewsletter(name: string, description?: string): IqSpec<NewsletterMetadata> {
  return mexSpec(NEWSLETTER_QUERY.create, { input: { name, description: description ?? null } }, NEWSLETTER_PATH.create, parseNewsletter);
}

/** By jid, or by the invite code of a channel link. */
export function newsletterMetadata(key: { jid: string } | { invite: string }): IqSpec<NewsletterMetadata> {
  const input = 'jid' in key ? { key: key.jid, type: 'JID' } : { key: key.invite, type: 'INVITE' };
  const variables = { fetch_creation_time: true, fetch_full_image: true, fetch_viewer_metadata: true, input };
  return mexSpec(NEWSLETTER_QUERY.metadata, variables, NEWSLETTER_PATH.metadata, parseNewsletter);
}

export type NewsletterAction = 'follow' | 'unfollow' | 'mute' | 'unmute';

/** Follow (join), unfollow (leave), mute or unmute a channel; the answer names the channel. */
export function newsletterAction(action: NewsletterAction, jid: string): IqSpec<void> {
  return mexSpec(NEWSLETTER_QUERY[action], { newsletter_id: jid }, NEWSLETTER_PATH[action], () => undefined);
}

/** The channels we follow or own. Entries the server could not describe are left out. */
export const subscribedNewsletters: IqSpec<NewsletterMetadata[]> = mexSpec(NEWSLETTER_QUERY.subscribed, {}, NEWSLETTER_PATH.subscribed, (value) => {
  if (!Array.isArray(value)) throw new IqParseError('xwa2_newsletter_subscribed is not a list');
  const out: NewsletterMetadata[] = [];
  for (const v of value) {
    try {
      out.push(parseNewsletter(v));
    } catch {
      // A null or id-less entry (a channel since deleted): the rest still count.
    }
  }
  return out;
});
