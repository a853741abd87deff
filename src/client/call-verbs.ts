/**
 * The call verbs over anything that sends control requests (WadClient on the
 * socket, the CLI's HTTP link), so `wad call` works over either.
 */
import type { Requester } from './requester.js';

export interface CallVerbs {
  /** Declines a ringing call (`from`: the caller as call:incoming named it). */
  rejectCall(account: string, callId: string, from: string): Promise<void>;
}

export function callVerbs(link: Requester): CallVerbs {
  return {
    rejectCall: async (account, callId, from) => {
      await link.request('call:reject', { callId, from }, { account });
    },
  };
}
