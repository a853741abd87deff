/**
 * WadClient, the TypeScript client of the daemon's control socket
 * (the package API), and what its callers need to name.
 */
export { WadClient } from './client.js';
export { linkPreviewData, type SendFileOptions, type LinkPreviewGiven, type SendAnswer } from './messages.js';
export type { DownloadedFile } from './download.js';
export type { WadClientOptions, ReconnectOptions, ConnectionStatus, Route } from './core.js';
export { WadClientError, type ClientErrorCode } from './errors.js';
export { isRetriable, type ResendOptions } from './resend.js';
export { EventStream, type SubscribeOptions } from './stream.js';
export { defaultSocketPath } from './paths.js';
export { mimeFromName, kindFromMime } from './mime.js';
export type {
  TypedWadEvent,
  WadEventOf,
  UnknownWadEvent,
  UnknownEventType,
  EventDataMap,
  EventDataBase,
  MessageNewData,
  MessageUpdatedData,
  MessageDeletedData,
  MessageReceiptData,
  MessageStatus,
  ConnectionUpdateData,
  AccountStatusData,
  HistorySyncData,
  GroupUpdateData,
  ErrorEventData,
} from '../contract/events.js';
export type { SubscribeFrom } from '../contract/frames.js';
