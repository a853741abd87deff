/**
 * wad: the daemon's library entry point.
 */
export * as protocol from './protocol/index.js';
export { createDaemon, Daemon, type DaemonOptions } from './daemon/index.js';
export { loadConfig, type Config } from './config/index.js';
export type { DaemonApi, AccountSummary, AccountState, ConnectionState, WadEvent, EventType, OutgoingContent } from './contract/api.js';
export { WadClient, WadClientError, EventStream, type WadClientOptions, type SubscribeOptions, type SendFileOptions, type LinkPreviewGiven, type SendAnswer } from './client/index.js';
export type { TypedWadEvent, WadEventOf, UnknownWadEvent, UnknownEventType, EventDataMap, MessageNewData, MessageReceiptData, SubscribeFrom } from './client/index.js';
