/**
 * The phone's history as one object: the store, its policy, the recorder of
 * live traffic and the sender to companions, behind the PhoneHistoryApi the
 * admin API drives (seed, read, clear, policy, what was sent) and the few
 * calls phone.ts makes (a message in or out, a receipt, a companion linked,
 * an on-demand request).
 */
import { decodeContent } from '../../../protocol/message/index.js';
import { parseHistoryRequest } from '../../../protocol/history/index.js';
import { isSameUser, isStatusBroadcast } from '../../../protocol/jid/index.js';
import { proto } from '../../../protocol/proto/index.js';
import type { HistoryMessageView, HistorySendRecord, HistorySyncPolicy, HistoryTotals, HistoryView, PhoneHistoryApi } from '../../phone-history.js';
import type { CompanionHistoryConfig, SimNode } from '../../phone-host.js';
import { messageToJson } from '../content.js';
import type { PhoneCore } from '../core.js';
import { deviceJid, parseReceipt } from '../stanzas.js';
import { DEFAULT_POLICY, restoredPolicy, updatePolicy } from './policy.js';
import { HistoryRecorder, type IncomingContent } from './recorder.js';
import { applySeed, chatJid, parseSeed } from './seed.js';
import { restoreHistory, snapshotHistory } from './snapshot.js';
import { DEFAULT_HISTORY_LIMITS, HistoryStore, type StoredMessage } from './store.js';
import { HistorySender } from './sync.js';

export { HISTORY_SNAPSHOT_VERSION } from './snapshot.js';

const DEFAULT_PAGE = 50;
const MAX_PAGE = 1_000;

export class PhoneHistory implements PhoneHistoryApi {
  readonly #core: PhoneCore;
  readonly #store: HistoryStore;
  readonly #recorder: HistoryRecorder;
  readonly #sender: HistorySender;
  #policy: HistorySyncPolicy = { ...DEFAULT_POLICY };
  #policyVersion = 0;

  /** `restore`: what snapshot() returned before (anything else starts empty). */
  constructor(core: PhoneCore, sendPeer: (device: string, message: proto.IMessage) => { id: string }, restore?: unknown) {
    this.#core = core;
    this.#store = new HistoryStore(core.host.historyLimits ?? DEFAULT_HISTORY_LIMITS);
    if (restore !== undefined) this.#policy = restoredPolicy(restoreHistory(this.#store, restore));
    this.#recorder = new HistoryRecorder(core, this.#store);
    this.#sender = new HistorySender({ core, store: this.#store, policy: () => this.#policy, sendPeer });
  }

  // The phone's calls.

  /** A decrypted incoming message: recorded, or (a companion's on-demand request) answered. */
  onIncoming(c: IncomingContent): void {
    const device = deviceJid(c.author);
    // A companion's request comes as a peer message, or as a copy to its own user (Baileys).
    if (device && device !== this.#core.self && isSameUser(device, this.#core.self)) {
      const req = parseHistoryRequest(c.message);
      if (req) {
        void this.#sender.onDemand(device, c.msg.id, req);
        return;
      }
    }
    this.#recorder.onIncoming(c);
  }

  onSent(to: string, id: string, message: proto.IMessage): void {
    this.#recorder.onSent(to, id, message);
  }

  /** A receipt the phone got: hist_sync ones pace the sender, the rest update our messages' status. */
  onReceipt(node: SimNode): void {
    if (node.attrs.type === 'hist_sync') {
      const r = parseReceipt(node);
      if (r) this.#sender.onReceipt([r.id, ...r.moreIds]);
      return;
    }
    this.#recorder.onReceipt(node);
  }

  /** A companion was just linked: it gets the history (resolves when all was sent). */
  linked(device: string, companion: CompanionHistoryConfig | undefined): Promise<void> {
    return this.#sender.startInitial(device, companion);
  }

  /** Recent failures of history runs (bounded). */
  failures(): string[] {
    return [...this.#sender.failures];
  }

  // PhoneHistoryApi

  seed(body: unknown): HistoryTotals {
    return applySeed(this.#store, parseSeed(body, Math.floor(this.#core.host.now() / 1000)));
  }

  view(): HistoryView {
    return {
      chats: this.#store.chats().map((c) => {
        const last = c.messages[c.messages.length - 1];
        return {
          jid: c.jid,
          ...(c.name !== undefined ? { name: c.name } : {}),
          unreadCount: c.unreadCount,
          archived: c.archived,
          ...(c.pinnedAt !== undefined ? { pinnedAt: c.pinnedAt } : {}),
          ...(c.mutedUntil !== undefined ? { mutedUntil: c.mutedUntil } : {}),
          ...(last ? { lastMessageAt: last.t } : {}),
          messages: c.messages.length,
        };
      }),
      messages: this.#store.messageCount,
      pushNames: this.#store.pushNames(),
      mappings: this.#store.mappings(),
      statuses: this.#store.statuses().length,
    };
  }

  messages(chat: string, opts: { limit?: number; before?: string } = {}): HistoryMessageView[] {
    const jid = chatJid(chat);
    const list = isStatusBroadcast(jid) ? this.#store.statuses() : this.#store.chat(jid)?.messages;
    if (!list) return [];
    const limit = Math.min(MAX_PAGE, Math.max(1, opts.limit ?? DEFAULT_PAGE));
    let end = list.length;
    if (opts.before !== undefined) {
      const at = list.findIndex((m) => m.id === opts.before);
      end = at >= 0 ? at : 0;
    }
    const out: HistoryMessageView[] = [];
    for (let i = end - 1; i >= 0 && out.length < limit; i--) out.push(viewOf(list[i]!));
    return out;
  }

  clear(): void {
    this.#store.clear();
  }

  policy(update?: unknown): HistorySyncPolicy {
    if (update !== undefined) {
      this.#policy = updatePolicy(this.#policy, update);
      this.#policyVersion++;
    }
    return { ...this.#policy };
  }

  sends(): HistorySendRecord[] {
    return this.#sender.sends();
  }

  get version(): number {
    return this.#store.version + this.#policyVersion;
  }

  snapshot(): unknown {
    return snapshotHistory(this.#store, this.#policy);
  }
}

function viewOf(m: StoredMessage): HistoryMessageView {
  const view: HistoryMessageView = { id: m.id, fromMe: m.fromMe, t: m.t, text: '', type: 'revoke' };
  if (m.participant) view.participant = m.participant;
  if (m.content.length > 0) {
    const message = proto.Message.decode(m.content);
    const decoded = decodeContent(message);
    view.text = decoded.content ?? '';
    view.type = decoded.type;
    view.message = messageToJson(message);
  }
  if (m.pushName) view.pushName = m.pushName;
  if (m.status) view.status = m.status;
  if (m.reactions?.length) view.reactions = m.reactions.map((r) => ({ fromMe: r.fromMe, ...(r.sender ? { sender: r.sender } : {}), emoji: r.emoji }));
  return view;
}
