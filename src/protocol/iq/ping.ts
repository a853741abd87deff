/**
 * xmlns="w:p": the keepalive `<ping/>`; the server answers an empty result.
 * Any answer proves the socket alive.
 */
import { node } from './nodes.js';
import { iq, type IqSpec } from './spec.js';

export const ping: IqSpec<void> = {
  build: () => iq('w:p', 'get', [node('ping')]),
  parse: () => undefined,
};
