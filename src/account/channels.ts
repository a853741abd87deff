/**
 * The account's channels (newsletters): creating one, reading a channel's
 * metadata by jid or invite code, following, unfollowing, muting, listing
 * the channels we own or follow — each one MEX query through the
 * connection. Posts and reactions go through messaging (channel posts are
 * messages of the channel's chat); incoming posts are messaging's too.
 *
 * The server's GraphQL refusals become MessagingErrors by what the caller
 * can do: NOT_FOUND (no such channel), NOT_MEMBER (not allowed),
 * BAD_CONTENT (refused input), SERVER_REJECTED otherwise.
 */
import type { NewsletterFollowAction, NewsletterInfo } from '../contract/newsletters.js';
import { MexError } from '../protocol/iq/mex.js';
import { createNewsletter, newsletterAction, newsletterMetadata, subscribedNewsletters, type NewsletterMetadata } from '../protocol/iq/newsletter.js';
import type { IqSpec } from '../protocol/iq/spec.js';
import { MessagingError } from './messaging/errors.js';

export interface ChannelsPort {
  execute<T>(spec: IqSpec<T>): Promise<T>;
}

export class Channels {
  readonly #port: ChannelsPort;

  constructor(port: ChannelsPort) {
    this.#port = port;
  }

  async create(name: string, description?: string): Promise<NewsletterInfo> {
    return info(await this.#run(createNewsletter(name, description)));
  }

  async metadata(key: { jid: string } | { invite: string }): Promise<NewsletterInfo> {
    return info(await this.#run(newsletterMetadata(key)));
  }

  async follow(jid: string, action: NewsletterFollowAction): Promise<void> {
    await this.#run(newsletterAction(action, jid));
  }

  async list(): Promise<NewsletterInfo[]> {
    return (await this.#run(subscribedNewsletters)).map(info);
  }

  async #run<T>(spec: IqSpec<T>): Promise<T> {
    try {
      return await this.#port.execute(spec);
    } catch (err) {
      if (!(err instanceof MexError)) throw err;
      const code = err.serverCode === 404 ? 'NOT_FOUND' : err.serverCode === 403 || err.serverCode === 401 ? 'NOT_MEMBER' : err.serverCode === 400 ? 'BAD_CONTENT' : 'SERVER_REJECTED';
      throw new MessagingError(code, `the server refused: ${err.message}`, { cause: err, serverCode: err.serverCode });
    }
  }
}

function info(m: NewsletterMetadata): NewsletterInfo {
  const out: NewsletterInfo = { jid: m.jid, name: m.name, description: m.description, subscribers: m.subscribers, verified: m.verified, state: m.state };
  if (m.invite !== undefined) out.invite = m.invite;
  if (m.createdAt !== undefined) out.createdAt = m.createdAt;
  if (m.role !== undefined) out.role = m.role;
  if (m.muted !== undefined) out.muted = m.muted;
  return out;
}
