/**
 * The call requests on the control socket: their data schemas (folded into
 * requests.ts's table) and their dispatch to the DaemonApi (called from
 * dispatch.ts). Syntax only: whether the call still rings is the server's.
 */
import type { CallRequestMap } from '../contract/calls.js';
import { IpcError } from './errors.js';
import { normalizeJid } from './jid.js';
import type { DispatchContext } from './dispatch-context.js';
import { described, object, str, type Check } from './schema.js';

type CallType = keyof CallRequestMap;

/** The caller: a user jid (PN or LID) or a phone number. */
const caller: Check<string> = described(
  (v, path) => {
    const j = normalizeJid(str({ max: 128 })(v, path));
    if (j === undefined || !(j.endsWith('@s.whatsapp.net') || j.endsWith('@lid'))) throw new IpcError('INVALID_PAYLOAD', `${path} must be the caller's jid or phone number`, { field: path });
    return j;
  },
  { type: 'string', maxLength: 128, description: "the caller's jid or phone number, as call:incoming named it" },
);
// WhatsApp's call ids are 32 hex characters; any short printable id is passed on.
const callId = str({ max: 128, pattern: /^[\x21-\x7e]+$/, what: 'a call id (printable ASCII without spaces)' });

export const CALL_SPECS: Record<CallType, { data: Check<unknown>; needs: 'none' | 'account' | 'chat' }> = {
  'call:reject': { data: object({ callId, from: caller }), needs: 'account' },
};

const TYPES = new Set<string>(Object.keys(CALL_SPECS));

export function isCallType(type: string): type is CallType {
  return TYPES.has(type);
}

type CallRequest = { [T in CallType]: { type: T; account?: string; chat?: string; data: CallRequestMap[T]['data'] } }[CallType];

/** @throws DaemonError / IpcError with the contract's codes */
export async function dispatchCall(req: CallRequest, ctx: DispatchContext): Promise<Record<string, unknown>> {
  switch (req.type) {
    case 'call:reject':
      await ctx.api.rejectCall(req.account!, req.data.callId, req.data.from);
      return {};
  }
}
