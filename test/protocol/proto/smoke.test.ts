import { describe, expect, it } from 'vitest';
import { proto } from '../../../src/protocol/proto/index.js';
import { proto as baileysProto } from 'baileys';

describe('handshake proto', () => {
  it('round trips a ClientHello identically with Baileys', () => {
    const msg = { clientHello: { ephemeral: new Uint8Array(32).fill(7), useExtended: false } };
    const ours = proto.HandshakeMessage.encode(msg).finish();
    const theirs = baileysProto.HandshakeMessage.encode(msg).finish();
    expect(Buffer.from(ours).toString('hex')).toBe(Buffer.from(theirs).toString('hex'));
    const back = proto.HandshakeMessage.decode(theirs);
    expect(Buffer.from(back.clientHello!.ephemeral!)).toEqual(Buffer.alloc(32, 7));
  });
});
