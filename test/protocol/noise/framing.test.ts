// Framing: the 3-byte length prefix, the client's intro (plain and with edge
// routing info), and the streaming decoder under arbitrary chunking.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodeFrame,
  encodeIntro,
  FrameDecoder,
  MAX_ROUTING_INFO,
  NoiseError,
  WA_INTRO_HEADER,
} from '../../../src/protocol/noise/index.js';
import { chunkAt, concat, expectNoiseError, hex } from './helpers.js';

describe('encodeFrame / encodeIntro', () => {
  it('writes the 3-byte big-endian length before the payload', () => {
    expect(hex(encodeFrame(Uint8Array.of(0xaa, 0xbb)))).toBe('000002aabb');
    expect(hex(encodeFrame(new Uint8Array(0)))).toBe('000000');
    const big = encodeFrame(new Uint8Array(0x012345));
    expect(hex(big.subarray(0, 3))).toBe('012345');
  });

  it('puts the intro WA 6 3 in front of the first frame', () => {
    expect(hex(WA_INTRO_HEADER)).toBe('57410603');
    expect(hex(encodeFrame(Uint8Array.of(1), { intro: encodeIntro() }))).toBe('57410603' + '000001' + '01');
  });

  it('writes the ED routing pre-intro as Baileys does', () => {
    const info = Uint8Array.of(8, 9, 10);
    // "ED" 0x00 0x01, length 3 (3 bytes BE), the info, then WA 6 3.
    expect(hex(encodeIntro({ routingInfo: info }))).toBe('45440001' + '000003' + '08090a' + '57410603');
  });

  it('refuses oversized payloads and routing info with typed errors', () => {
    expectNoiseError(() => encodeFrame(new Uint8Array(0x1000000)), 'FRAME_TOO_LARGE');
    expectNoiseError(() => encodeIntro({ routingInfo: new Uint8Array(MAX_ROUTING_INFO + 1) }), 'BAD_INTRO');
  });
});

describe('FrameDecoder', () => {
  it('yields whole frames from any chunking of a stream (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 12 }),
        fc.option(fc.uint8Array({ maxLength: 40 }), { nil: undefined }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (payloads, routingInfo, cuts) => {
          const intro = encodeIntro(routingInfo === undefined ? {} : { routingInfo });
          const stream = concat(...payloads.map((p, i) => encodeFrame(p, i === 0 ? { intro } : {})));
          const decoder = new FrameDecoder({ intro: true });
          const got = chunkAt(stream, cuts).flatMap((c) => decoder.push(c).map((f) => hex(f)));
          decoder.end();
          // Without frames the intro alone is still consumed.
          expect(got).toEqual(payloads.length === 0 ? [] : payloads.map(hex));
          if (payloads.length > 0) expect(decoder.routingInfo && hex(decoder.routingInfo)).toBe(routingInfo && hex(routingInfo));
          expect(decoder.buffered).toBe(0);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('decodes byte by byte without an intro', () => {
    const stream = concat(encodeFrame(Uint8Array.of(1, 2, 3)), encodeFrame(new Uint8Array(0)), encodeFrame(Uint8Array.of(4, 5, 6)));
    const decoder = new FrameDecoder();
    const frames = [...stream].flatMap((b) => decoder.push(Uint8Array.of(b)));
    expect(frames.map(hex)).toEqual(['010203', '', '040506']);
  });

  it('returns frames that stay valid after the decoder moves on', () => {
    const decoder = new FrameDecoder();
    // A 3-byte frame spanning chunks must not share the decoder's length buffer.
    const a = decoder.push(Uint8Array.of(0, 0, 3, 0xa1));
    expect(a).toEqual([]);
    const [frame] = decoder.push(Uint8Array.of(0xa2, 0xa3, 0, 0));
    decoder.push(Uint8Array.of(9, 1, 2, 3));
    expect(hex(frame!)).toBe('a1a2a3');
  });

  it('holds only the bytes received of a frame, not the length it announces', () => {
    const decoder = new FrameDecoder();
    expect(decoder.push(Uint8Array.of(0xff, 0xff, 0xff, 1, 2, 3))).toEqual([]);
    expect(decoder.buffered).toBe(3);
    expectNoiseError(() => decoder.end(), 'TRUNCATED');
  });

  it('reassembles a 1 MiB frame from 1,000 pieces', () => {
    const payload = new Uint8Array(1 << 20).map((_, i) => i * 7);
    const wire = encodeFrame(payload);
    const decoder = new FrameDecoder();
    const frames = chunkAt(wire, Array.from({ length: 999 }, (_, i) => (i + 1) * 1049)).flatMap((c) => decoder.push(c));
    expect(frames).toHaveLength(1);
    expect(Buffer.compare(frames[0]!, payload)).toBe(0);
    expect(decoder.buffered).toBe(0);
  });

  it('rejects a frame above the limit before buffering it', () => {
    const decoder = new FrameDecoder({ maxFrameSize: 1024 });
    expect(decoder.push(encodeFrame(new Uint8Array(1024)))).toHaveLength(1);
    expectNoiseError(() => decoder.push(Uint8Array.of(0, 4, 1)), 'FRAME_TOO_LARGE');
    expect(decoder.buffered).toBe(0);
    // The stream is out of sync now: the error sticks.
    expectNoiseError(() => decoder.push(encodeFrame(Uint8Array.of(1))), 'FRAME_TOO_LARGE');
    expectNoiseError(() => decoder.end(), 'FRAME_TOO_LARGE');
  });

  it('reports a stream that ends inside a frame, its length or the intro as TRUNCATED', () => {
    const intro = encodeIntro({ routingInfo: Uint8Array.of(7) });
    const full = encodeFrame(Uint8Array.of(1, 2, 3, 4), { intro });
    for (let cut = 1; cut < full.length; cut++) {
      if (cut === intro.length) continue; // a whole intro and no frame yet is a clean boundary
      const decoder = new FrameDecoder({ intro: true });
      expect(decoder.push(full.subarray(0, cut))).toEqual([]);
      expectNoiseError(() => decoder.end(), 'TRUNCATED');
    }
    const whole = new FrameDecoder({ intro: true });
    expect(whole.push(full)).toHaveLength(1);
    expect(() => whole.end()).not.toThrow();
  });

  it('rejects a wrong intro', () => {
    for (const bad of ['57410503', '00000001', '45440002', '4544000100000157410604']) {
      const decoder = new FrameDecoder({ intro: true });
      expectNoiseError(() => decoder.push(Buffer.from(bad + '000000', 'hex')), 'BAD_INTRO');
    }
    const long = Buffer.from('45440001' + (MAX_ROUTING_INFO + 1).toString(16).padStart(6, '0'), 'hex');
    expectNoiseError(() => new FrameDecoder({ intro: true }).push(long), 'BAD_INTRO');
  });

  it('accepts empty routing info', () => {
    const decoder = new FrameDecoder({ intro: true });
    const frames = decoder.push(encodeFrame(Uint8Array.of(5), { intro: encodeIntro({ routingInfo: new Uint8Array(0) }) }));
    expect(frames.map(hex)).toEqual(['05']);
    expect(decoder.routingInfo).toHaveLength(0);
  });

  it('throws only NoiseError', () => {
    const decoder = new FrameDecoder({ maxFrameSize: 2 });
    try {
      decoder.push(Uint8Array.of(0, 0, 3));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(NoiseError);
    }
  });
});
