/**
 * The community requests on the control socket: their data schemas (folded
 * into requests.ts's table) and their dispatch to the DaemonApi (called from
 * dispatch.ts).
 */
import type { CommunityRequestMap } from '../contract/communities.js';
import { IpcError } from './errors.js';
import { normalizeJid } from './jid.js';
import type { DispatchContext } from './dispatch-context.js';
import { arrayOf, described, object, oneOf, optional, str, type Check } from './schema.js';

type CommunityType = keyof CommunityRequestMap;

const jid: Check<string> = described(
  (v, path) => {
    const s = str({ max: 128 })(v, path);
    const j = normalizeJid(s);
    if (j === undefined) throw new IpcError('INVALID_PAYLOAD', `${path} must be a group jid or id`, { field: path });
    return j;
  },
  { type: 'string', maxLength: 128, description: 'a group jid or id' },
);

export const COMMUNITY_SPECS: Record<CommunityType, { data: Check<unknown>; needs: 'none' | 'account' | 'chat' }> = {
  'community:create': { data: object({ subject: str({ max: 100 }), description: optional(str({ min: 0, max: 2048 })) }), needs: 'account' },
  'community:metadata': { data: object({}), needs: 'chat' },
  'community:link': { data: object({ groups: arrayOf(jid, { min: 1, max: 100 }), action: oneOf(['link', 'unlink'] as const) }), needs: 'chat' },
  'community:leave': { data: object({}), needs: 'chat' },
};

const TYPES = new Set<string>(Object.keys(COMMUNITY_SPECS));

export function isCommunityType(type: string): type is CommunityType {
  return TYPES.has(type);
}

type CommunityRequest = { [T in CommunityType]: { type: T; account?: string; chat?: string; data: CommunityRequestMap[T]['data'] } }[CommunityType];

/** @throws DaemonError / IpcError with the contract's codes */
export async function dispatchCommunity(req: CommunityRequest, ctx: DispatchContext): Promise<Record<string, unknown>> {
  const { api } = ctx;
  const a = req.account!;
  const chat = req.chat!;
  switch (req.type) {
    case 'community:create':
      return { ...(await api.createCommunity(a, req.data.subject, req.data.description)) };
    case 'community:metadata':
      return { ...(await api.communityMetadata(a, chat)) };
    case 'community:link':
      return { results: await api.linkCommunityGroups(a, chat, req.data.groups, req.data.action === 'link') };
    case 'community:leave':
      return { jid: await api.leaveCommunity(a, chat) };
  }
}
