/**
 * On-demand history: the peer data operation a companion sends its own phone
 * (protocol message PEER_DATA_OPERATION_REQUEST_MESSAGE, type
 * HISTORY_SYNC_ON_DEMAND) asking for `count` messages of a chat older than
 * an anchor message, as Baileys' fetchMessageHistory and whatsmeow's
 * BuildHistorySyncRequest send it. It goes to our own user jid as a peer
 * message (category "peer"); the messages come back as an ON_DEMAND history
 * sync whose notification names this request's message id.
 *
 * Also the phone's side (reading such a request) and the header of the peer
 * data response any request type may get back.
 */
import { unwrap } from '../message/index.js';
import { proto } from '../proto/index.js';
import { HistoryError } from './errors.js';

/** WhatsApp clients ask for 50 at a time; a phone answers at most a few hundred. */
export const DEFAULT_ON_DEMAND_COUNT = 50;
export const MAX_ON_DEMAND_COUNT = 500;
/** Above this the anchor time cannot be seconds: it is read as milliseconds. */
const SECONDS_CEILING = 1e11;

const PDO = proto.Message.PeerDataOperationRequestType;

export interface HistoryRequest {
  /** The chat, as the phone keys it. */
  chat: string;
  /** The oldest message the companion has: the phone sends what precedes it. */
  oldestMsgId: string;
  oldestMsgFromMe: boolean;
  /** That message's time, unix seconds. */
  oldestMsgTimestamp: number;
  count: number;
  /** Our LID, for a phone that keys the chat by LID. */
  accountLid?: string;
}

/**
 * The request Message. The anchor time goes out in seconds although the field
 * is named for milliseconds: whatsmeow documents that phones expect seconds,
 * and Baileys' callers pass a message's (seconds) timestamp.
 * @throws HistoryError BAD_REQUEST when chat or anchor id is empty, or count is not 1..MAX_ON_DEMAND_COUNT
 */
export function buildHistoryRequest(req: HistoryRequest): proto.IMessage {
  if (!req.chat || !req.oldestMsgId) throw new HistoryError('BAD_REQUEST', 'an on-demand history request needs the chat and its oldest message id');
  if (!Number.isInteger(req.count) || req.count < 1 || req.count > MAX_ON_DEMAND_COUNT) {
    throw new HistoryError('BAD_REQUEST', `on-demand count must be 1..${MAX_ON_DEMAND_COUNT}, got ${req.count}`);
  }
  if (!Number.isSafeInteger(req.oldestMsgTimestamp) || req.oldestMsgTimestamp < 0) {
    throw new HistoryError('BAD_REQUEST', `anchor timestamp must be unix seconds, got ${req.oldestMsgTimestamp}`);
  }
  const historySyncOnDemandRequest: proto.Message.PeerDataOperationRequestMessage.IHistorySyncOnDemandRequest = {
    chatJid: req.chat,
    oldestMsgId: req.oldestMsgId,
    oldestMsgFromMe: req.oldestMsgFromMe,
    onDemandMsgCount: req.count,
    oldestMsgTimestampMs: req.oldestMsgTimestamp,
  };
  if (req.accountLid) historySyncOnDemandRequest.accountLid = req.accountLid;
  return {
    protocolMessage: {
      type: proto.Message.ProtocolMessage.Type.PEER_DATA_OPERATION_REQUEST_MESSAGE,
      peerDataOperationRequestMessage: { peerDataOperationRequestType: PDO.HISTORY_SYNC_ON_DEMAND, historySyncOnDemandRequest },
    },
  };
}

function protocolOf(message: proto.IMessage, type: proto.Message.ProtocolMessage.Type): proto.Message.IProtocolMessage | undefined {
  const p = unwrap(message).message.protocolMessage;
  return p && p.type === type ? p : undefined;
}

/**
 * The phone's reading of an on-demand request: undefined when the message is
 * not one or lacks its chat or anchor id. The anchor time is normalised to
 * seconds (clients that follow the field's name send milliseconds); the count
 * is clamped to 1..MAX_ON_DEMAND_COUNT (absent: DEFAULT_ON_DEMAND_COUNT).
 */
export function parseHistoryRequest(message: proto.IMessage): HistoryRequest | undefined {
  const p = protocolOf(message, proto.Message.ProtocolMessage.Type.PEER_DATA_OPERATION_REQUEST_MESSAGE);
  const pdo = p?.peerDataOperationRequestMessage;
  const r = pdo?.historySyncOnDemandRequest;
  if (!pdo || pdo.peerDataOperationRequestType !== PDO.HISTORY_SYNC_ON_DEMAND || !r?.chatJid || !r.oldestMsgId) return undefined;
  const time = r.oldestMsgTimestampMs ?? 0;
  const out: HistoryRequest = {
    chat: r.chatJid,
    oldestMsgId: r.oldestMsgId,
    oldestMsgFromMe: r.oldestMsgFromMe === true,
    oldestMsgTimestamp: time > SECONDS_CEILING ? Math.floor(time / 1000) : time,
    count: Math.min(MAX_ON_DEMAND_COUNT, Math.max(1, r.onDemandMsgCount ?? DEFAULT_ON_DEMAND_COUNT)),
  };
  if (r.accountLid) out.accountLid = r.accountLid;
  return out;
}

export type PeerDataRequestTypeName = keyof typeof proto.Message.PeerDataOperationRequestType;

export interface PeerDataResponse {
  /** The request type answered, by name ('UNKNOWN' for a number newer than our schema). */
  type: PeerDataRequestTypeName | 'UNKNOWN';
  /** The id of the request message this answers. */
  requestId?: string;
  /** How many results it carries. */
  results: number;
}

/** The header of a PEER_DATA_OPERATION_REQUEST_RESPONSE_MESSAGE (accept it from our own phone only), or undefined. */
export function parsePeerDataResponse(message: proto.IMessage): PeerDataResponse | undefined {
  const p = protocolOf(message, proto.Message.ProtocolMessage.Type.PEER_DATA_OPERATION_REQUEST_RESPONSE_MESSAGE);
  const r = p?.peerDataOperationRequestResponseMessage;
  if (!r) return undefined;
  const name = PDO[r.peerDataOperationRequestType ?? 0] as PeerDataRequestTypeName | undefined;
  const out: PeerDataResponse = { type: name ?? 'UNKNOWN', results: r.peerDataOperationResult?.length ?? 0 };
  if (r.stanzaId) out.requestId = r.stanzaId;
  return out;
}
