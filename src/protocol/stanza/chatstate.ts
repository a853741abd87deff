/**
 * `<chatstate>` stanzas: typing and recording indicators, both directions.
 * WhatsApp never queues them (live devices only). Pure.
 *
 * Wire (api_chatstate):
 *   out: <chatstate to="jid"><composing/></chatstate>
 *        <chatstate to="jid"><composing media="audio"/></chatstate>   (recording)
 *        <chatstate to="jid"><paused/></chatstate>
 *   in:  <chatstate from="jid|gid@g.us" [participant]><composing [media="audio"]/>|<paused/></chatstate>
 */
import type { BinaryNode } from '../binary/index.js';
import { StanzaError } from './errors.js';
import { children, node } from './nodes.js';

export type ChatState = 'composing' | 'recording' | 'paused';

export function buildChatState(to: string, state: ChatState): BinaryNode {
  const inner = state === 'paused' ? node('paused') : state === 'recording' ? node('composing', { media: 'audio' }) : node('composing');
  return node('chatstate', { to }, [inner]);
}

export interface ChatStateUpdate {
  /** The chat (a user, or a group). */
  readonly chat: string;
  /** Who is typing (the participant in a group). */
  readonly by: string;
  readonly state: ChatState;
}

/** @throws StanzaError when `from` or the state is missing or unknown */
export function parseChatState(stanza: BinaryNode): ChatStateUpdate {
  const from = stanza.attrs.from;
  const inner = children(stanza)[0];
  if (!from || !inner) throw new StanzaError('chatstate', 'missing from or state');
  let state: ChatState;
  if (inner.tag === 'composing') state = inner.attrs.media === 'audio' ? 'recording' : 'composing';
  else if (inner.tag === 'paused') state = 'paused';
  else throw new StanzaError('chatstate', `unknown state <${inner.tag}>`);
  return { chat: from, by: stanza.attrs.participant ?? from, state };
}
