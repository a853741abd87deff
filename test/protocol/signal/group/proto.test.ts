// The hand-written codec of SenderKeyMessage / SenderKeyDistributionMessage
// against the generated protobufjs code for the same schema
// (proto/signal_wire.proto), on valid messages and on arbitrary bytes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signal } from '../../../../src/protocol/proto/index.js';
import { decodeGroupProto, encodeGroupProto, ProtoDecodeError } from '../../../../src/protocol/signal/group/proto.js';

const hex = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('hex') : b);
const u32 = fc.oneof(fc.constantFrom(0, 1, 127, 128, 0x7fffffff, 0xffffffff), fc.nat({ max: 0xffffffff }));
const bytes = fc.uint8Array({ maxLength: 70 });

/** Whether the bytes hold five continuation bytes in a row (a varint of more than 5 bytes). */
const overlongVarint = (b: Uint8Array) => b.some((_, i) => i + 5 <= b.length && b.subarray(i, i + 5).every((x) => x >= 0x80));

describe('group protobuf codec', () => {
  it('encodes exactly as protobufjs does', () => {
    fc.assert(
      fc.property(fc.option(u32, { nil: undefined }), fc.option(u32, { nil: undefined }), fc.option(bytes, { nil: undefined }), fc.option(bytes, { nil: undefined }), (id, iteration, b3, b4) => {
        const ours = encodeGroupProto({ id, iteration, bytes3: b3, bytes4: b4 });
        const theirs = signal.SenderKeyDistributionMessage.encode({ id, iteration, chainKey: b3, signingKey: b4 }).finish();
        expect(hex(ours)).toBe(hex(theirs));
      }),
      { numRuns: 300 },
    );
  });

  it('decodes any bytes as protobufjs does, or fails where it fails', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 60 }), fc.tuple(u32, u32, bytes, bytes, fc.uint8Array({ maxLength: 8 })).map(([a, b, c, d, junk]) => {
        const enc = signal.SenderKeyDistributionMessage.encode({ id: a, iteration: b, chainKey: c, signingKey: d }).finish();
        return new Uint8Array([...enc, ...junk]);
      })), (input) => {
        let theirs: signal.SenderKeyDistributionMessage | undefined;
        try {
          theirs = signal.SenderKeyDistributionMessage.decode(input);
        } catch {
          theirs = undefined;
        }
        let ours;
        try {
          ours = decodeGroupProto(input);
        } catch (e) {
          expect(e).toBeInstanceOf(ProtoDecodeError);
          ours = undefined;
        }
        if (theirs === undefined) {
          // protobufjs takes any varint whose 5th byte continues as 10 bytes long (the
          // negative-int32 form); we read to the terminating byte, as Google's protobuf does.
          if (!overlongVarint(input)) expect(ours).toBeUndefined();
          return;
        }
        // protobufjs accepts a few inputs we refuse on purpose (a known field with the wrong wire type).
        if (ours === undefined || overlongVarint(input)) return;
        expect(ours.id).toBe(theirs.id ?? undefined);
        expect(ours.iteration).toBe(theirs.iteration ?? undefined);
        expect(hex(ours.bytes3)).toBe(hex(theirs.chainKey ?? undefined));
        expect(hex(ours.bytes4)).toBe(hex(theirs.signingKey ?? undefined));
      }),
      { numRuns: 2000 },
    );
  });
});
