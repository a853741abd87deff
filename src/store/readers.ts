/**
 * The read side of an account store, one reader per record family
 * (`store.sessions.get(…)`, `store.events.read(…)`), made on first use so an
 * idle account holds none of them.
 */
import type { AccountState, ReadContext } from './context.js';
import { AppStateReader } from './families/app-state.js';
import { ChatReader } from './families/chats.js';
import { ChatMessageReader } from './families/chat-messages.js';
import { ContactReader } from './families/contacts.js';
import { HistoryPendingReader } from './families/history-pending.js';
import { DeviceReader } from './families/devices.js';
import { EventReader } from './families/events.js';
import { IdempotencyReader } from './families/idempotency.js';
import { LidReader } from './families/lid.js';
import { MessageReader } from './families/messages.js';
import { PreKeyReader } from './families/prekeys.js';
import { SenderKeyReader } from './families/sender-keys.js';
import { SentReader } from './families/sent.js';
import { IdentityReader, SessionReader } from './families/signal.js';
import { TcTokenReader } from './families/tctokens.js';

export abstract class AccountReaders {
  protected abstract get ctx(): ReadContext;
  protected abstract get state(): AccountState;
  /** How long an idempotency key answers (store option). */
  protected abstract get idempotencyTtlMs(): number;

  #preKeys?: PreKeyReader;
  #sessions?: SessionReader;
  #identities?: IdentityReader;
  #senderKeys?: SenderKeyReader;
  #lids?: LidReader;
  #devices?: DeviceReader;
  #appState?: AppStateReader;
  #tcTokens?: TcTokenReader;
  #sent?: SentReader;
  #messages?: MessageReader;
  #events?: EventReader;
  #chats?: ChatReader;
  #chatMessages?: ChatMessageReader;
  #contacts?: ContactReader;
  #historyPending?: HistoryPendingReader;
  #idempotency?: IdempotencyReader;

  get preKeys(): PreKeyReader {
    return (this.#preKeys ??= new PreKeyReader(this.ctx));
  }
  get sessions(): SessionReader {
    return (this.#sessions ??= new SessionReader(this.ctx));
  }
  get identities(): IdentityReader {
    return (this.#identities ??= new IdentityReader(this.ctx));
  }
  get senderKeys(): SenderKeyReader {
    return (this.#senderKeys ??= new SenderKeyReader(this.ctx));
  }
  get lids(): LidReader {
    return (this.#lids ??= new LidReader(this.ctx));
  }
  get devices(): DeviceReader {
    return (this.#devices ??= new DeviceReader(this.ctx));
  }
  get appState(): AppStateReader {
    return (this.#appState ??= new AppStateReader(this.ctx));
  }
  get tcTokens(): TcTokenReader {
    return (this.#tcTokens ??= new TcTokenReader(this.ctx));
  }
  get sent(): SentReader {
    return (this.#sent ??= new SentReader(this.ctx));
  }
  get messages(): MessageReader {
    return (this.#messages ??= new MessageReader(this.ctx));
  }
  get chats(): ChatReader {
    return (this.#chats ??= new ChatReader(this.ctx));
  }
  /** The message store (message:list, media of history messages). */
  get chatMessages(): ChatMessageReader {
    return (this.#chatMessages ??= new ChatMessageReader(this.ctx));
  }
  get contacts(): ContactReader {
    return (this.#contacts ??= new ContactReader(this.ctx));
  }
  /** History sync notifications not yet stored or not yet receipted. */
  get historyPending(): HistoryPendingReader {
    return (this.#historyPending ??= new HistoryPendingReader(this.ctx));
  }
  get idempotency(): IdempotencyReader {
    return (this.#idempotency ??= new IdempotencyReader(this.ctx, () => this.idempotencyTtlMs));
  }
  get events(): EventReader {
    return (this.#events ??= new EventReader(this.ctx, () => this.state));
  }
}
