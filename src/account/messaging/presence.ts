/**
 * Presence and chat states, both directions: our availability (needs our
 * push name), subscriptions to contacts' presence (with their privacy token,
 * re-sent after a reconnect), typing/recording indicators; incoming
 * `<presence>` and `<chatstate>` become `presence:update` / `typing:update`
 * events. Bounded: at most MAX_SUBSCRIPTIONS remembered.
 *
 * Must not touch sessions.
 */
import type { BinaryNode } from '../../protocol/binary/index.js';
import { buildChatState, buildPresence, buildPresenceSubscribe, parseChatState, parsePresence, StanzaError, type ChatState, type PresenceStatus } from '../../protocol/stanza/index.js';
import { jidNormalizedUser } from '../../protocol/jid/index.js';
import { unifiedSessionStanza } from '../../protocol/stanza/unified-session.js';
import type { MessagingDeps } from '../messaging-deps.js';
import type { StanzaHandler } from '../ports.js';
import type { Identities } from './identity.js';
import { MessagingError } from './errors.js';

const MAX_SUBSCRIPTIONS = 1_000;

export class PresenceService {
  readonly handlers: StanzaHandler[];
  readonly #deps: MessagingDeps;
  readonly #ids: Identities;
  readonly #subscribed = new Set<string>();
  /** What the caller last asked for: said again after every reconnect. */
  #available = false;
  /**
   * Whether `available` was said on the current link. Until then (and after
   * `unavailable`) our delivery receipts go as `type="inactive"`, as WhatsApp
   * Web, Baileys and whatsmeow send them: the sender's phone then shows
   * "delivered" without taking us for someone looking at the chat.
   */
  #active = false;

  constructor(deps: MessagingDeps, ids: Identities) {
    this.#deps = deps;
    this.#ids = ids;
    this.handlers = [
      { tags: ['presence'], handle: (n) => this.#onPresence(n) },
      { tags: ['chatstate'], handle: (n) => this.#onChatState(n) },
    ];
  }

  get available(): boolean {
    return this.#available;
  }

  /** True once `available` went out on this link (and no `unavailable` since): receipts are then plain delivery receipts. */
  get active(): boolean {
    return this.#active;
  }

  /** @throws MessagingError NOT_READY when we have no push name yet (WhatsApp needs one with availability) */
  async set(status: PresenceStatus): Promise<void> {
    const name = this.#deps.store.creds?.me?.name;
    if (!name) throw new MessagingError('NOT_READY', 'the account has no push name yet: WhatsApp takes presence only with one');
    // Inactive from the moment we say unavailable: a receipt sent meanwhile must not claim we are looking.
    if (status !== 'available') this.#active = false;
    // Saying available starts a session for the server's telemetry, as WhatsApp's clients mark it.
    else await this.#deps.port.send(unifiedSessionStanza((this.#deps.serverNow ?? Date.now)()));
    await this.#deps.port.send(buildPresence(status, name));
    this.#available = status === 'available';
    this.#active = this.#available;
  }

  async subscribe(jid: string): Promise<void> {
    const user = jidNormalizedUser(jid);
    if (this.#subscribed.size < MAX_SUBSCRIPTIONS) this.#subscribed.add(user);
    const lid = await this.#ids.lidOf(user);
    const token = (lid ? await this.#deps.store.tcTokens.getValid(lid, Date.now()) : undefined) ?? (await this.#deps.store.tcTokens.getValid(user, Date.now()));
    await this.#deps.port.send(buildPresenceSubscribe(user, token?.token));
  }

  /**
   * After a reconnect: the server forgot our subscriptions and our
   * availability with the old socket. Says `available` again if we had, then
   * subscribes again to each contact (one failing does not stop the others).
   */
  async renew(): Promise<void> {
    // A new link: the server knows nothing of us until we say it again.
    this.#active = false;
    if (this.#available) await this.set('available');
    for (const jid of this.#subscribed) await this.subscribe(jid).catch(() => undefined);
  }

  async chatState(chat: string, state: ChatState): Promise<void> {
    await this.#deps.port.send(buildChatState(chat, state));
  }

  async #onPresence(node: BinaryNode): Promise<void> {
    let p;
    try {
      p = parsePresence(node);
    } catch (err) {
      if (err instanceof StanzaError) return;
      throw err;
    }
    const jid = await this.#ids.canonicalChat(p.jid);
    await this.#deps.events.emit({
      type: 'presence:update',
      conversationId: jid,
      data: { jid, status: p.status, ...(p.lastSeen !== undefined ? { lastSeen: p.lastSeen } : {}), ...(p.participant ? { participant: p.participant } : {}) },
    });
  }

  async #onChatState(node: BinaryNode): Promise<void> {
    let c;
    try {
      c = parseChatState(node);
    } catch (err) {
      if (err instanceof StanzaError) return;
      throw err;
    }
    const chat = await this.#ids.canonicalChat(c.chat);
    const by = await this.#ids.canonicalChat(c.by);
    await this.#deps.events.emit({ type: 'typing:update', conversationId: chat, data: { chat, by, state: c.state } });
  }
}
