// Noise transport benchmark: ours against Baileys in the same run.
//   npx tsx scripts/bench/noise.ts
// (Kept next to the Noise tests; the lead may move it to scripts/bench/noise.ts.)
import { Curve, makeNoiseHandler, proto as baileysProto, WA_CERT_DETAILS } from 'baileys';
import { generateKeyPair } from '../../src/protocol/crypto/index.js';
import {
  clientHello,
  encodeFrame,
  FrameDecoder,
  readClientFinish,
  readClientHello,
  readServerHello,
} from '../../src/protocol/noise/index.js';
import { makePki } from '../../test/protocol/noise/helpers.js';
import { ReferenceServer, referenceCertChain } from '../../test/protocol/noise/reference-server.js';

const silent = { level: 'silent', child: () => silent, trace() {}, debug() {}, info() {} };
const logger = silent as unknown as Parameters<typeof makeNoiseHandler>[0]['logger'];
const PAYLOAD = new Uint8Array(120).fill(7);

/** Ops/s of `a` and `b`, measured in alternating rounds (the machine is noisy): medians of 8. */
function compare(a: () => void, b: () => void, roundMs = 150): [number, number] {
  for (let i = 0; i < 50; i++) {
    a();
    b();
  }
  const ra: number[] = [];
  const rb: number[] = [];
  for (let r = 0; r < 8; r++) {
    // Alternate who goes first: the second runner pays for the first one's garbage.
    if (r % 2 === 0) {
      ra.push(rate(a, roundMs));
      rb.push(rate(b, roundMs));
    } else {
      rb.push(rate(b, roundMs));
      ra.push(rate(a, roundMs));
    }
  }
  return [median(ra), median(rb)];
}

function rate(fn: () => void, ms: number): number {
  let n = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < 10; i++) fn();
    n += 10;
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  }
  return (n * 1000) / elapsed;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

function countPerSecond(n: number, fn: (k: number) => void): number {
  const start = process.hrtime.bigint();
  for (let k = 0; k < n; k++) fn(k);
  return (n * 1e9) / Number(process.hrtime.bigint() - start);
}

async function main(): Promise<void> {
  const pki = makePki();
  WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(pki.root.public);

  // Ours: our client and our server role.
  const ours = () => {
    const c = clientHello({ noiseKey: generateKeyPair() });
    const s = readClientHello(c.clientHello, { staticKeyPair: pki.serverStatic, certChain: pki.certChain });
    const done = readServerHello(c.state, s.serverHello, { clientPayload: PAYLOAD, rootPublicKey: pki.root.public });
    return { client: done.transport, server: readClientFinish(s.state, done.clientFinish).transport };
  };
  // Theirs: Baileys' client against a responder made of Baileys' primitives.
  const refRoot = Curve.generateKeyPair();
  const refInter = Curve.generateKeyPair();
  const refStatic = Curve.generateKeyPair();
  const refChain = referenceCertChain(refRoot, refInter, refStatic.public);
  const theirs = async () => {
    WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(refRoot.public);
    const eph = Curve.generateKeyPair();
    const noise = makeNoiseHandler({ keyPair: eph, NOISE_HEADER: Buffer.from([0x57, 0x41, 6, 3]), logger });
    const ref = new ReferenceServer(refStatic, refChain);
    const hello = ref.hello(baileysProto.HandshakeMessage.encode({ clientHello: { ephemeral: eph.public } }).finish());
    const keyEnc = noise.processHandshake(baileysProto.HandshakeMessage.decode(hello), Curve.generateKeyPair());
    const payloadEnc = noise.encrypt(Buffer.from(PAYLOAD));
    ref.finish(baileysProto.HandshakeMessage.encode({ clientFinish: { static: keyEnc, payload: payloadEnc } }).finish());
    await noise.finishInit();
    noise.encodeFrame(Buffer.alloc(0)); // the intro goes out once
    return { noise, ref };
  };

  const rows: [string, number, number, string][] = [];
  const add = (name: string, a: number, b: number, unit = 'ops/s') => rows.push([name, a, b, unit]);

  {
    // Baileys' side is async (finishInit): time both the same way, alternating.
    const hsOurs: number[] = [];
    const hsTheirs: number[] = [];
    for (let i = 0; i < 5; i++) {
      ours();
      await theirs();
    }
    const timed = async (fn: () => unknown): Promise<number> => {
      const start = process.hrtime.bigint();
      let n = 0;
      while (Number(process.hrtime.bigint() - start) < 300e6) {
        await fn();
        n++;
      }
      return (n * 1e9) / Number(process.hrtime.bigint() - start);
    };
    for (let r = 0; r < 5; r++) {
      hsOurs.push(await timed(ours));
      hsTheirs.push(await timed(theirs));
    }
    add('handshake, both sides (keygen, 2× cert verify)', median(hsOurs), median(hsTheirs));
  }

  for (const size of [200, 65536]) {
    const plain = new Uint8Array(size).fill(1);
    const o = ours();
    const t = await theirs();
    const plainBuffer = Buffer.from(plain);
    const [encOurs, encTheirs] = compare(() => void o.client.encryptFrame(plain), () => void t.noise.encodeFrame(plainBuffer));
    add(`encrypt + frame, ${size} B`, encOurs, encTheirs);

    // Decrypt a pre-made in-order sequence from the peer (counters must match):
    // a fresh pair per run, alternating who goes first, median of 6 runs.
    const N = size > 1000 ? 3000 : 30000;
    const decOurs: number[] = [];
    const decTheirs: number[] = [];
    for (let run = 0; run < 6; run++) {
      const o2 = ours();
      const frames = Array.from({ length: N }, () => o2.server.encrypt(plain));
      const t2 = await theirs();
      const theirFrames = Array.from({ length: N }, () => Buffer.from(t2.ref.send(plain)));
      const runOurs = () => decOurs.push(countPerSecond(N, (k) => void o2.client.decrypt(frames[k]!)));
      const runTheirs = () => decTheirs.push(countPerSecond(N, (k) => void t2.noise.decrypt(theirFrames[k]!)));
      if (run % 2 === 0) {
        runOurs();
        runTheirs();
      } else {
        runTheirs();
        runOurs();
      }
    }
    add(`decrypt, ${size} B`, median(decOurs), median(decTheirs));
  }

  // Frame decoding of a 100-frame stream cut into 1,400-byte pieces: ours against
  // Baileys' approach (Buffer.concat of the remainder per message, subarray per frame).
  const stream = Buffer.concat(Array.from({ length: 100 }, (_, k) => encodeFrame(new Uint8Array(150 + (k % 7) * 40))));
  const pieces: Buffer[] = [];
  for (let k = 0; k < stream.length; k += 1400) pieces.push(stream.subarray(k, k + 1400));
  const decoder = new FrameDecoder();
  const decodeOurs = () => {
    let n = 0;
    for (const p of pieces) n += decoder.push(p).length;
    if (n !== 100) throw new Error('lost frames');
  };
  let inBytes = Buffer.alloc(0);
  const decodeTheirs = () => {
    let n = 0;
    for (const p of pieces) {
      inBytes = inBytes.length === 0 ? Buffer.from(p) : Buffer.concat([inBytes, p]);
      while (inBytes.length >= 3) {
        const size = (inBytes[0]! << 16) | (inBytes[1]! << 8) | inBytes[2]!;
        if (inBytes.length < size + 3) break;
        inBytes.subarray(3, size + 3);
        inBytes = inBytes.subarray(size + 3);
        n++;
      }
    }
    if (n !== 100) throw new Error('lost frames');
  };
  const [decodeOursRate, decodeTheirsRate] = compare(decodeOurs, decodeTheirs);
  add('frame decode, 100 frames in 1,400 B chunks (per stream)', decodeOursRate, decodeTheirsRate);

  console.log('| operation | wad | Baileys | ratio |');
  console.log('|---|---:|---:|---:|');
  for (const [name, a, b, unit] of rows) {
    const f = (x: number) => `${Math.round(x).toLocaleString('en-US')} ${unit}`;
    console.log(`| ${name} | ${f(a)} | ${f(b)} | ${(a / b).toFixed(2)}× |`);
  }
}

await main();
