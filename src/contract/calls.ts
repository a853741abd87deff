/**
 * The control contract's call requests and events. Types only; frames.ts
 * folds CallRequestMap into RequestMap and api.ts CallApi into DaemonApi.
 *
 * Events: `call:incoming {callId, from, video, isGroup, t, groupJid?,
 * pushName?, offline?}` for every offer, `call:ended {callId, from, reason,
 * video?, isGroup?}` once per call (reason: `rejected` by us, `rejected_elsewhere` /
 * `accepted_elsewhere` on another of our devices, or the server's terminate
 * reason: `timeout`, `terminated` when it gives none).
 */

/** call:incoming's data. */
export interface CallIncoming {
  callId: string;
  /** The caller: a PN jid when its number is known, else its LID. */
  from: string;
  video: boolean;
  isGroup: boolean;
  /** Unix seconds of the offer. */
  t: number;
  groupJid?: string;
  /** The caller's own display name, when the server gave it. */
  pushName?: string;
  /** Delivered from the offline queue: the call rang while the account was away and is over. */
  offline?: boolean;
}

/** call:ended's data. */
export interface CallEnded {
  callId: string;
  from: string;
  reason: string;
  video?: boolean;
  isGroup?: boolean;
}

export interface CallRequestMap {
  'call:reject': { data: { callId: string; from: string }; result: Record<string, never> };
}

export const CALL_REQUEST_TYPES = ['call:reject'] as const satisfies ReadonlyArray<keyof CallRequestMap>;

/** The daemon API's call methods (id = the account). */
export interface CallApi {
  /** Declines a ringing call. @throws DaemonError INVALID_PAYLOAD (not a caller jid), UNAVAILABLE (offline, no server ack) */
  rejectCall(id: string, callId: string, from: string): Promise<void>;
}
