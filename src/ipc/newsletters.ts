/**
 * The channel (newsletter) requests on the control socket: their data
 * schemas (folded into requests.ts's table) and their dispatch to the
 * DaemonApi (called from dispatch.ts). Syntax only: whether the channel
 * exists is the server's answer.
 */
import type { NewsletterRequestMap } from '../contract/newsletters.js';
import { IpcError } from './errors.js';
import type { DispatchContext } from './dispatch-context.js';
import { described, object, oneOf, optional, schemaOf, str, type Check } from './schema.js';

type NewsletterType = keyof NewsletterRequestMap;

const channel: Check<string> = described(
  (v, path) => {
    const j = str({ max: 80 })(v, path);
    if (!/^[0-9]{1,40}@newsletter$/.test(j)) throw new IpcError('INVALID_PAYLOAD', `${path} must be a channel jid (digits@newsletter)`, { field: path });
    return j;
  },
  { type: 'string', maxLength: 80, description: 'a channel jid, digits@newsletter' },
);

/** An invite code, or a whatsapp.com/channel/ link (the code is its last part). */
const invite: Check<string> = described(
  (v, path) => {
    const raw = str({ max: 200 })(v, path).trim();
    const code = raw.replace(/^(https?:\/\/)?(www\.)?whatsapp\.com\/channel\//, '').replace(/[/?#].*$/, '');
    if (!/^[0-9A-Za-z_-]{1,64}$/.test(code)) throw new IpcError('INVALID_PAYLOAD', `${path} must be a channel invite code or link`, { field: path });
    return code;
  },
  { type: 'string', maxLength: 200, description: 'a channel invite code or https://whatsapp.com/channel/ link' },
);

const metadataObject = object({ jid: optional(channel), invite: optional(invite) });
/** One of the two: the schema says so, for the HTTP API's document and its callers. */
const metadataData = described(metadataObject, {
  ...schemaOf(metadataObject),
  anyOf: [
    { type: 'object', properties: { jid: schemaOf(channel) }, required: ['jid'] },
    { type: 'object', properties: { invite: schemaOf(invite) }, required: ['invite'] },
  ],
});

export const NEWSLETTER_SPECS: Record<NewsletterType, { data: Check<unknown>; needs: 'none' | 'account' | 'chat' }> = {
  'newsletter:create': { data: object({ name: str({ max: 100 }), description: optional(str({ min: 0, max: 2048 })) }), needs: 'account' },
  'newsletter:metadata': { data: metadataData, needs: 'account' },
  'newsletter:follow': { data: object({ jid: channel, action: optional(oneOf(['follow', 'unfollow', 'mute', 'unmute'] as const)) }), needs: 'account' },
  'newsletter:list': { data: object({}), needs: 'account' },
};

const TYPES = new Set<string>(Object.keys(NEWSLETTER_SPECS));

export function isNewsletterType(type: string): type is NewsletterType {
  return TYPES.has(type);
}

type NewsletterRequest = { [T in NewsletterType]: { type: T; account?: string; chat?: string; data: NewsletterRequestMap[T]['data'] } }[NewsletterType];

/** @throws DaemonError / IpcError with the contract's codes */
export async function dispatchNewsletter(req: NewsletterRequest, ctx: DispatchContext): Promise<Record<string, unknown>> {
  const a = req.account!;
  switch (req.type) {
    case 'newsletter:create':
      return { ...(await ctx.api.createNewsletter(a, req.data.name, req.data.description)) };
    case 'newsletter:metadata': {
      const { jid, invite: code } = req.data;
      if ((jid === undefined) === (code === undefined)) throw new IpcError('INVALID_PAYLOAD', 'give either data.jid or data.invite', { field: 'data.jid' });
      return { ...(await ctx.api.newsletterMetadata(a, jid !== undefined ? { jid } : { invite: code! })) };
    }
    case 'newsletter:follow':
      await ctx.api.followNewsletter(a, req.data.jid, req.data.action ?? 'follow');
      return {};
    case 'newsletter:list':
      return { newsletters: await ctx.api.listNewsletters(a) };
  }
}
