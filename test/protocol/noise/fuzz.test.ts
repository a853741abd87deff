// Fuzzing: 1e5 random and mutated inputs into the frame decoder and into both
// handshake readers finish with NoiseError only, with bounded buffering.
import { describe, expect, it } from 'vitest';
import { keyPairFromPrivate } from '../../../src/protocol/crypto/index.js';
import {
  clientHello,
  encodeFrame,
  encodeIntro,
  FrameDecoder,
  MAX_ROUTING_INFO,
  NoiseError,
  readClientFinish,
  readClientHello,
  readServerHello,
} from '../../../src/protocol/noise/index.js';
import { makePki, rng } from './helpers.js';

const RUNS = 100_000;
// Each test is RUNS decodes one after another: seconds alone, far more on a loaded 2-core machine.
const RUNS_MS = 120_000;

type Rng = ReturnType<typeof rng>;

/** One to four random edits of `seed`, or pure noise one time in four. */
function mutate(r: Rng, seed: Uint8Array): Uint8Array {
  if (r.int(4) === 0) return r.bytes(r.int(200));
  let b = Uint8Array.from(seed);
  for (let edits = 1 + r.int(4); edits > 0; edits--) {
    const at = b.length === 0 ? 0 : r.int(b.length);
    switch (r.int(5)) {
      case 0:
        if (b.length) b[at]! ^= 1 << r.int(8);
        break;
      case 1:
        if (b.length) b[at] = r.int(256);
        break;
      case 2:
        b = b.subarray(0, at);
        break;
      case 3: {
        const out = new Uint8Array(b.length + 1 + r.int(8));
        out.set(b.subarray(0, at));
        out.set(r.bytes(out.length - b.length), at);
        out.set(b.subarray(at), at + out.length - b.length);
        b = out;
        break;
      }
      default:
        b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at, at + 4), ...b.subarray(at)]);
    }
  }
  return b;
}

/** Runs `fn` and fails on anything but success or a NoiseError; returns the error codes seen. */
function onlyNoiseErrors(fn: () => void, codes: Map<string, number>): void {
  try {
    fn();
    codes.set('ok', (codes.get('ok') ?? 0) + 1);
  } catch (e) {
    if (!(e instanceof NoiseError)) throw new Error(`non-Noise error escaped: ${String(e)}`, { cause: e });
    codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
  }
}

describe('fuzz', () => {
  it(`FrameDecoder: ${RUNS} random and mutated chunks`, () => {
    const r = rng(0xf00d);
    const maxFrameSize = 4096;
    const codes = new Map<string, number>();
    const valid = [
      encodeFrame(r.bytes(40), { intro: encodeIntro() }),
      encodeFrame(r.bytes(10), { intro: encodeIntro({ routingInfo: r.bytes(12) }) }),
      encodeFrame(r.bytes(300)),
      encodeFrame(new Uint8Array(0)),
    ];
    let decoder = new FrameDecoder({ intro: true, maxFrameSize });
    let frames = 0;
    for (let i = 0; i < RUNS; i++) {
      if (r.int(50) === 0) decoder = new FrameDecoder({ intro: r.int(2) === 0, maxFrameSize });
      const chunk = r.int(3) === 0 ? r.bytes(r.int(64)) : mutate(r, valid[r.int(valid.length)]!);
      const before = codes.get('ok') ?? 0;
      onlyNoiseErrors(() => {
        for (const f of decoder.push(chunk)) {
          if (f.length > maxFrameSize) throw new Error(`frame of ${f.length} bytes passed the limit`);
          frames++;
        }
        // Plain checks in the loop: expect() costs more than the decoder.
        if (decoder.buffered > Math.max(maxFrameSize, MAX_ROUTING_INFO)) throw new Error(`${decoder.buffered} bytes buffered`);
        if (r.int(20) === 0) decoder.end();
      }, codes);
      if ((codes.get('ok') ?? 0) === before) {
        // A failed stream stays failed; the connection would be closed and a new one opened.
        let sticky = false;
        try {
          decoder.push(Uint8Array.of(0));
        } catch (e) {
          sticky = e instanceof NoiseError;
        }
        if (!sticky) throw new Error('a failed decoder accepted more bytes');
        decoder = new FrameDecoder({ intro: r.int(2) === 0, maxFrameSize });
      }
    }
    expect(frames).toBeGreaterThan(1000);
    // The fuzzer reached every kind of outcome.
    for (const code of ['ok', 'BAD_INTRO', 'FRAME_TOO_LARGE', 'TRUNCATED']) expect(codes.get(code) ?? 0).toBeGreaterThan(0);
  }, RUNS_MS);

  it(`handshake readers: ${RUNS} mutated ClientHellos, ClientFinishes and ServerHellos`, () => {
    const r = rng(0xbeef);
    const pki = makePki(0x50);
    const key = (b: number) => keyPairFromPrivate(new Uint8Array(32).fill(b));
    const serverOpts = { staticKeyPair: pki.serverStatic, certChain: pki.certChain, ephemeral: key(0x61) };
    const client = clientHello({ noiseKey: key(0x62), ephemeral: key(0x63) });
    const server = readClientHello(client.clientHello, serverOpts);
    const clientOpts = { clientPayload: Uint8Array.of(1, 2, 3), rootPublicKey: pki.root.public };
    const done = readServerHello(client.state, server.serverHello, clientOpts);
    const codes = { hello: new Map<string, number>(), finish: new Map<string, number>(), serverHello: new Map<string, number>() };
    for (let i = 0; i < RUNS; i++) {
      const which = i % 5;
      if (which < 2) onlyNoiseErrors(() => readClientHello(mutate(r, client.clientHello), serverOpts), codes.hello);
      else if (which < 4) onlyNoiseErrors(() => readClientFinish(server.state, mutate(r, done.clientFinish)), codes.finish);
      else onlyNoiseErrors(() => readServerHello(client.state, mutate(r, server.serverHello), clientOpts), codes.serverHello);
    }
    for (const m of Object.values(codes)) expect(m.get('BAD_HANDSHAKE') ?? 0).toBeGreaterThan(0);
    expect(codes.finish.get('DECRYPT') ?? 0).toBeGreaterThan(0);
    expect(codes.serverHello.get('DECRYPT') ?? 0).toBeGreaterThan(0);
  }, RUNS_MS);
});
