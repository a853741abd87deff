/**
 * xmlns="passive": `<active/>` tells the server to start pushing (offline
 * queue, live stanzas) after login; `<passive/>` asks it to hold them.
 */
import { node } from './nodes.js';
import { iq, type IqSpec } from './spec.js';

export function setPassive(passive: boolean): IqSpec<void> {
  return { build: () => iq('passive', 'set', [node(passive ? 'passive' : 'active')]), parse: () => undefined };
}
