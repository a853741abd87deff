/**
 * DeviceProps.historySyncConfig and requireFullSync: what history a companion
 * asks its phone to push after linking, sent once in the pairing payload.
 * The capability flags are the ones Baileys 7 and whatsmeow both send, except
 * where we cannot honour one: call log history (we do not read call log
 * records) and group history sharing (Baileys leaves it off too).
 */
import type { proto } from '../proto/index.js';

export interface HistorySyncOptions {
  /** Ask for the full history (a year and more) instead of the recent window. Default false. */
  readonly fullSync?: boolean;
  /** Days of history wanted: the full-sync limit when fullSync, else the recent-sync limit. */
  readonly days?: number;
  /** Full sync: stop after this many MB. */
  readonly sizeMbLimit?: number;
  /** Storage the companion offers, MB. Default 10240, as both references send. */
  readonly storageQuotaMb?: number;
  /** Let the phone inline the initial bootstrap in its notification. Default true. */
  readonly inlineInitialPayload?: boolean;
}

const DEFAULT_STORAGE_QUOTA_MB = 10_240;

const positive = (n: number | undefined): number | undefined => (n !== undefined && Number.isInteger(n) && n > 0 ? n : undefined);

export function historySyncConfig(options: HistorySyncOptions = {}): proto.DeviceProps.IHistorySyncConfig {
  const config: proto.DeviceProps.IHistorySyncConfig = {
    storageQuotaMb: positive(options.storageQuotaMb) ?? DEFAULT_STORAGE_QUOTA_MB,
    inlineInitialPayloadInE2EeMsg: options.inlineInitialPayload ?? true,
    supportCallLogHistory: false,
    supportBotUserAgentChatHistory: true,
    supportCagReactionsAndPolls: true,
    supportBizHostedMsg: true,
    supportRecentSyncChunkMessageCountTuning: true,
    supportHostedGroupMsg: true,
    supportFbidBotChatHistory: true,
    supportMessageAssociation: true,
    supportGroupHistory: false,
  };
  const days = positive(options.days);
  if (days !== undefined) {
    if (options.fullSync) config.fullSyncDaysLimit = days;
    else config.recentSyncDaysLimit = days;
  }
  const size = positive(options.sizeMbLimit);
  if (options.fullSync && size !== undefined) config.fullSyncSizeMbLimit = size;
  return config;
}

/** DeviceProps.requireFullSync for these options. */
export function requireFullSync(options: HistorySyncOptions = {}): boolean {
  return options.fullSync === true;
}
