/**
 * The control contract: what the daemon core offers to the control plane
 * (src/ipc, WadClient, the CLI), and the shapes of what it reports. The IPC
 * server validates a frame, then calls exactly one method here; it never
 * reaches into accounts or the store by itself. Tests of the IPC layer run
 * against a fake DaemonApi; the real one is built by createDaemon.
 *
 * DaemonApi is the sum of one interface per area, each in its own file with
 * the shapes it speaks (accounts, messages, media, groups, chats, the event
 * log, webhooks, people, calls, channels, communities); this file re-exports
 * them all, so `contract/api.js` names every shape of the contract.
 *
 * A leaf: types only, importing nothing of wad's but src/protocol, so every
 * layer (account, ipc, client, daemon) may name these shapes without
 * reaching up into the daemon.
 *
 * Errors: methods reject with DaemonError (errors.ts), whose `code` is one
 * of the contract's error codes, so the IPC layer maps them 1:1.
 */
import type { AccountApi } from './accounts.js';
import type { CallApi } from './calls.js';
import type { ChatActionApi, StoredChatApi } from './chats.js';
import type { CommunityApi } from './communities.js';
import type { EventLogApi } from './event-log.js';
import type { GroupApi } from './groups.js';
import type { MessagingApi } from './messages.js';
import type { NewsletterApi } from './newsletters.js';
import type { PeopleApi } from './people.js';
import type { WebhookApi } from './webhooks.js';

export * from './accounts.js';
export * from './chats.js';
export * from './event-log.js';
export * from './groups.js';
export * from './media.js';
export * from './messages.js';
export * from './webhooks.js';

export interface DaemonApi
  extends AccountApi,
    MessagingApi,
    GroupApi,
    StoredChatApi,
    ChatActionApi,
    EventLogApi,
    WebhookApi,
    PeopleApi,
    CallApi,
    NewsletterApi,
    CommunityApi {}
