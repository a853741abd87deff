// `raw` must carry what our schema lacks: checked against Baileys' full WAProto,
// which knows kinds our proto/ subset leaves out.
import { proto as bproto } from 'baileys';
import { describe, expect, it } from 'vitest';
import { decodeContent, deviceSentInnerBytes, parseMessage } from '../../../src/protocol/message/index.js';

const callMessage = { scheduledCallCreationMessage: { scheduledTimestampMs: 1_700_000_000_000, callType: 1, title: 'standup' } };

describe('raw bytes of kinds we do not decode', () => {
  it('keeps fields our schema lacks (re-encoding would drop them)', () => {
    const bytes = bproto.Message.encode(callMessage).finish();
    const ours = parseMessage(bytes)!;
    expect(Object.keys(ours.toJSON())).toEqual([]); // our schema sees nothing in it
    const decoded = decodeContent(ours, bytes);
    expect(decoded.type).toBe('unknown');
    expect(bproto.Message.decode(Buffer.from(decoded.raw!, 'base64')).scheduledCallCreationMessage?.title).toBe('standup');
    // Without the bytes, the re-encoding loses it: why the receive path passes them.
    expect(bproto.Message.decode(Buffer.from(decodeContent(ours).raw!, 'base64')).scheduledCallCreationMessage).toBeFalsy();
  });

  it("finds the inner message's bytes of a copy from our own device", () => {
    const inner = bproto.Message.encode(callMessage).finish();
    const outer = bproto.Message.encode({ deviceSentMessage: { destinationJid: '15550001111@s.whatsapp.net', message: callMessage }, messageContextInfo: {} }).finish();
    expect(Buffer.from(deviceSentInnerBytes(outer)!)).toEqual(Buffer.from(inner));
    expect(deviceSentInnerBytes(bproto.Message.encode({ conversation: 'hi' }).finish())).toBeUndefined();
    expect(deviceSentInnerBytes(Uint8Array.of(0xff, 0xff, 0xff))).toBeUndefined();
  });
});
