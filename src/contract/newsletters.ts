/**
 * The control contract's channel (newsletter) requests. Types only;
 * frames.ts folds NewsletterRequestMap into RequestMap and api.ts
 * NewsletterApi into DaemonApi.
 *
 * Posts go out with `message:send` to a `…@newsletter` chat (text, poll,
 * location, contact) and reactions with `message:react`; posts of followed
 * channels arrive as `message:new` (chat and sender = the channel, with the
 * server's `serverId`), a post's reaction counts as `message:updated
 * {chat, messageId?, serverId, reactions: {emoji: count}}`.
 */

export interface NewsletterInfo {
  jid: string;
  name: string;
  description: string;
  /** The invite code: https://whatsapp.com/channel/<invite>. */
  invite?: string;
  subscribers: number;
  /** Unix seconds. */
  createdAt?: number;
  verified: boolean;
  state: string;
  /** Ours: owner, admin, subscriber (following) or guest. */
  role?: 'owner' | 'admin' | 'subscriber' | 'guest';
  muted?: boolean;
}

export type NewsletterFollowAction = 'follow' | 'unfollow' | 'mute' | 'unmute';

export interface NewsletterRequestMap {
  'newsletter:create': { data: { name: string; description?: string }; result: NewsletterInfo };
  /** By `jid`, or by `invite` (a code or a whatsapp.com/channel/ link). */
  'newsletter:metadata': { data: { jid?: string; invite?: string }; result: NewsletterInfo };
  'newsletter:follow': { data: { jid: string; action?: NewsletterFollowAction }; result: Record<string, never> };
  'newsletter:list': { data: Record<string, never>; result: { newsletters: NewsletterInfo[] } };
}

export const NEWSLETTER_REQUEST_TYPES = ['newsletter:create', 'newsletter:metadata', 'newsletter:follow', 'newsletter:list'] as const satisfies ReadonlyArray<keyof NewsletterRequestMap>;

/** The daemon API's channel methods (id = the account). */
export interface NewsletterApi {
  /** @throws DaemonError UNAVAILABLE (offline), INVALID_PAYLOAD (refused by the server) */
  createNewsletter(id: string, name: string, description?: string): Promise<NewsletterInfo>;
  /** @throws DaemonError NOT_FOUND (no such channel) */
  newsletterMetadata(id: string, key: { jid: string } | { invite: string }): Promise<NewsletterInfo>;
  /** @throws DaemonError NOT_FOUND (no such channel) */
  followNewsletter(id: string, jid: string, action: NewsletterFollowAction): Promise<void>;
  /** The channels we own or follow. */
  listNewsletters(id: string): Promise<NewsletterInfo[]>;
}
