/**
 * The parts one account's messaging is made of, built and connected in
 * dependency order (identities first; the receiver, receipts and
 * notifications last, since they use the send side for retries and
 * sender-key rotations), and the counters they report for account:status.
 *
 * Owns construction only; what each part does lives in its own file.
 */
import { ChannelPosts } from './channel-posts.js';
import type { MessagingDeps } from '../messaging-deps.js';
import { AckWaiter } from './acks.js';
import { DeviceDirectory } from './devices.js';
import { Groups } from './groups.js';
import { Identities } from './identity.js';
import { MessageReceiver, type ReceiveParts } from './message.js';
import { NotificationHandler } from './notification.js';
import { Outbound } from './outbound.js';
import { SendPacer } from './pacer.js';
import { PresenceService } from './presence.js';
import { ReceiptHandler } from './receipt.js';
import { Retries } from './retry.js';
import { ChatSenders } from './sender.js';
import { SessionCrypto } from './sessions.js';
import { PrivacyTokens } from './tctokens.js';

export interface PartsOptions {
  readonly now: () => number;
  readonly ackTimeoutMs?: number | undefined;
  readonly deviceTtlMs?: number | undefined;
  readonly onProtocolMessage?: ReceiveParts['onProtocolMessage'];
  readonly protocolSink?: ReceiveParts['protocolSink'];
  readonly failDecrypt?: ReceiveParts['failDecrypt'];
}

export interface MessagingParts {
  readonly ids: Identities;
  readonly devices: DeviceDirectory;
  readonly sessions: SessionCrypto;
  readonly groups: Groups;
  readonly acks: AckWaiter;
  readonly senders: ChatSenders;
  readonly tokens: PrivacyTokens;
  readonly outbound: Outbound;
  readonly retries: Retries;
  readonly receiver: MessageReceiver;
  /** Posts and reaction counts of channels we follow or own. */
  readonly channelPosts: ChannelPosts;
  readonly receipts: ReceiptHandler;
  readonly notifications: NotificationHandler;
  readonly presence: PresenceService;
  /** Present when the account has a send rate. */
  readonly pacer: SendPacer | undefined;
}

export function wireMessaging(deps: MessagingDeps, options: PartsOptions): MessagingParts {
  const { now } = options;
  const ids = new Identities(deps);
  const devices = new DeviceDirectory(deps, ids, { ttlMs: options.deviceTtlMs, now });
  const sessions = new SessionCrypto(deps, ids);
  const groups = new Groups(deps, ids);
  const acks = new AckWaiter({ timeoutMs: options.ackTimeoutMs });
  const senders = new ChatSenders();
  const tokens = new PrivacyTokens(deps, ids, now);
  const outbound = new Outbound({ deps, ids, devices, sessions, groups, acks, tokens, now });
  const retries = new Retries({ deps, sessions, outbound });
  const presence = new PresenceService(deps, ids);
  const receiver = new MessageReceiver({
    deps,
    ids,
    devices,
    sessions,
    retries,
    now,
    active: () => presence.active,
    onProtocolMessage: options.onProtocolMessage,
    protocolSink: options.protocolSink,
    failDecrypt: options.failDecrypt,
  });
  const receipts = new ReceiptHandler(deps, ids, retries);
  const notifications = new NotificationHandler({ deps, ids, devices, sessions, groups, outbound, senders });
  const pacer = deps.sendRate ? new SendPacer(deps.sendRate, { now }) : undefined;
  const channelPosts = new ChannelPosts(deps);
  return { ids, devices, sessions, groups, acks, senders, tokens, outbound, retries, receiver, channelPosts, receipts, notifications, presence, pacer };
}

/** Counters for account:status: what an operator needs to see a failing account without its logs. */
export function messagingStats(p: MessagingParts): Record<string, number> {
  const out: Record<string, number> = {
    received: p.receiver.stats.received + p.channelPosts.stats.received,
    duplicates: p.receiver.stats.duplicates,
    decryptFailures: p.receiver.stats.failures,
    retryReceiptsSent: p.retries.stats.receiptsSent,
    retryResends: p.retries.stats.resends,
    retriesGivenUp: p.retries.stats.givenUp,
    damagedSessionsDropped: p.sessions.stats.damagedSessionsDropped,
    senderActors: p.senders.size,
    sendsWaitingForRate: p.pacer?.waiting ?? 0,
    sendPausedForMs: p.pacer?.pausedForMs ?? 0,
  };
  for (const [code, n] of p.acks.errors) out[`serverError${code}`] = n;
  // A 463 answered by obtaining the contact's privacy token and resending once.
  out.tcTokenResends = p.tokens.stats.recoveries;
  out.tcTokenResendsFailed = p.tokens.stats.recoveryFailures;
  return out;
}
