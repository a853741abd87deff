// The transport cipher: replays, reordering, tampering and truncation fail
// with typed errors and leave the counters where they were; counters are
// 32-bit and never wrap.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeFrame, NoiseTransport } from '../../../src/protocol/noise/index.js';
import { expectNoiseError, hex } from './helpers.js';

function pair(start = 0) {
  const a = randomBytes(32);
  const b = randomBytes(32);
  return {
    client: new NoiseTransport({ sendKey: a, receiveKey: b, sendCounter: start, receiveCounter: start }),
    server: new NoiseTransport({ sendKey: b, receiveKey: a, sendCounter: start, receiveCounter: start }),
  };
}

const msg = (s: string) => new TextEncoder().encode(s);

describe('NoiseTransport', () => {
  it('uses AES-256-GCM with the counter in the last 4 IV bytes and the tag appended', async () => {
    const { createCipheriv } = await import('node:crypto');
    const key = randomBytes(32);
    const t = new NoiseTransport({ sendKey: key, receiveKey: key, sendCounter: 0x01020304 });
    const ct = t.encrypt(msg('hello'));
    const iv = Buffer.from('000000000000000001020304', 'hex');
    const c = createCipheriv('aes-256-gcm', key, iv);
    const expected = Buffer.concat([c.update(msg('hello')), c.final(), c.getAuthTag()]);
    expect(hex(ct)).toBe(hex(expected));
    expect(t.sendCounter).toBe(0x01020305);
  });

  it('encryptFrame equals encodeFrame(encrypt(..))', () => {
    const key = randomBytes(32);
    const a = new NoiseTransport({ sendKey: key, receiveKey: key });
    const b = new NoiseTransport({ sendKey: key, receiveKey: key });
    for (const size of [0, 1, 100, 5000]) {
      const p = randomBytes(size);
      expect(hex(a.encryptFrame(p))).toBe(hex(encodeFrame(b.encrypt(p))));
    }
  });

  it('rejects a replayed frame without advancing, then accepts the next genuine one', () => {
    const { client, server } = pair();
    const f0 = client.encrypt(msg('zero'));
    const f1 = client.encrypt(msg('one'));
    expect(hex(server.decrypt(f0))).toBe(hex(msg('zero')));
    expectNoiseError(() => server.decrypt(f0), 'DECRYPT');
    expect(server.receiveCounter).toBe(1);
    expect(hex(server.decrypt(f1))).toBe(hex(msg('one')));
  });

  it('rejects frames out of order, then accepts them in order', () => {
    const { client, server } = pair();
    const frames = [0, 1, 2].map((i) => client.encrypt(msg(`m${i}`)));
    expectNoiseError(() => server.decrypt(frames[2]!), 'DECRYPT');
    expectNoiseError(() => server.decrypt(frames[1]!), 'DECRYPT');
    expect(server.receiveCounter).toBe(0);
    expect(frames.map((f) => new TextDecoder().decode(server.decrypt(f)))).toEqual(['m0', 'm1', 'm2']);
  });

  it('rejects every single-bit change and any truncation', () => {
    const { client, server } = pair();
    const frame = client.encrypt(msg('tamper with me'));
    for (let i = 0; i < frame.length; i++) {
      for (const bit of [0x01, 0x80]) {
        const bad = Uint8Array.from(frame);
        bad[i]! ^= bit;
        expectNoiseError(() => server.decrypt(bad), 'DECRYPT');
      }
    }
    for (let len = 0; len < frame.length; len++) {
      expectNoiseError(() => server.decrypt(frame.subarray(0, len)), len < 16 ? 'BAD_FRAME' : 'DECRYPT');
    }
    expect(server.receiveCounter).toBe(0);
    expect(new TextDecoder().decode(server.decrypt(frame))).toBe('tamper with me');
  });

  it("rejects a frame meant for the other direction (reflection)", () => {
    const { client } = pair();
    const own = client.encrypt(msg('echo'));
    expectNoiseError(() => client.decrypt(own), 'DECRYPT');
  });

  it('stops at 2^32 frames per direction instead of wrapping the IV', () => {
    const { client, server } = pair(0xffffffff);
    const last = client.encrypt(msg('last'));
    expectNoiseError(() => client.encrypt(msg('one too many')), 'COUNTER');
    expectNoiseError(() => client.encryptFrame(msg('one too many')), 'COUNTER');
    expect(new TextDecoder().decode(server.decrypt(last))).toBe('last');
    expectNoiseError(() => server.decrypt(last), 'COUNTER');
    expectNoiseError(() => new NoiseTransport({ sendKey: randomBytes(32), receiveKey: randomBytes(32), sendCounter: -1 }), 'COUNTER');
  });

  it('refuses a plaintext too large for one frame without consuming a counter', () => {
    const { client } = pair();
    expectNoiseError(() => client.encryptFrame(new Uint8Array(0xffffff - 15)), 'FRAME_TOO_LARGE');
    expect(client.sendCounter).toBe(0);
  });
});
