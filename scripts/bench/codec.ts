// Binary node codec: wad vs Baileys 7 and whatsapp-rust-bridge (whatsapp-rust's
// codec compiled to WASM) in the same run.
//   npx tsx scripts/bench/codec.ts [--rounds 9] [--ms 250]
// Encodes and decodes a small 1:1 message stanza and a large USync result,
// median ops/s over several timed rounds (contenders alternate within a round).
// The bridge's decodeNode returns a handle into WASM memory and reads nothing
// until asked; "bridge, walked" reads every node's tag, attributes and content
// through that handle, which is what a caller of the decoded tree does (wad
// and Baileys hand out the whole tree as JS objects).
import { Buffer } from 'node:buffer';
import { loadavg } from 'node:os';
import { decodeBinaryNode, decodeDecompressedBinaryNode, encodeBinaryNode } from 'baileys';
import * as baileysConstants from 'baileys/lib/WABinary/constants.js';
import * as bridge from 'whatsapp-rust-bridge';
import { decodeNode, encodeNode, type BinaryNode } from '../../src/protocol/binary/index.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROUNDS = arg('rounds', 9);
const SLICE_MS = arg('ms', 250);

function bytes(n: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 131 + seed * 17) & 0xff);
}

/** What Baileys sends for a 1:1 text to one device: <message><enc/></message>. */
const SMALL: BinaryNode = {
  tag: 'message',
  attrs: { id: '3EB0C431D4B7A2F1E8D2', type: 'text', to: '15551234567@s.whatsapp.net', t: '1700000000' },
  content: [{ tag: 'enc', attrs: { v: '2', type: 'msg' }, content: bytes(182, 1) }],
};

/** A USync device + LID query result for 250 users, as the server answers it. */
const LARGE: BinaryNode = {
  tag: 'iq',
  attrs: { from: '@s.whatsapp.net', id: '40218.51209-3', type: 'result' },
  content: [
    {
      tag: 'usync',
      attrs: { sid: '3EB0AA17B1C9D2', index: '0', last: 'true', mode: 'query', context: 'message' },
      content: [
        { tag: 'result', attrs: {}, content: [{ tag: 'devices', attrs: {} }, { tag: 'lid', attrs: {} }] },
        {
          tag: 'list',
          attrs: {},
          content: Array.from({ length: 250 }, (_, i): BinaryNode => ({
            tag: 'user',
            attrs: { jid: `${15550000000 + i * 7919}@s.whatsapp.net` },
            content: [
              {
                tag: 'devices',
                attrs: {},
                content: [
                  {
                    tag: 'device-list',
                    attrs: {},
                    content: [
                      { tag: 'device', attrs: { id: '0' } },
                      { tag: 'device', attrs: { id: String(1 + (i % 20)), 'key-index': String(1 + (i % 9)) } },
                      { tag: 'device', attrs: { id: String(21 + (i % 30)), 'key-index': String(2 + (i % 7)) } },
                    ],
                  },
                  { tag: 'key-index-list', attrs: { ts: String(1700000000 + i) }, content: bytes(28, i) },
                ],
              },
              { tag: 'lid', attrs: { val: `${88880000000000 + i * 104729}@lid` } },
            ],
          })),
        },
      ],
    },
  ],
};

type Contender = { name: string; run: () => unknown | Promise<unknown>; async: boolean };

async function opsPerSecond(c: Contender): Promise<number> {
  let ops = 0;
  const start = performance.now();
  let now = start;
  while (now - start < SLICE_MS) {
    // batches of 64 keep the clock out of the measurement
    if (c.async) for (let i = 0; i < 64; i++) await c.run();
    else for (let i = 0; i < 64; i++) c.run();
    ops += 64;
    now = performance.now();
  }
  return (ops * 1000) / (now - start);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function compare(ours: Contender, theirs: Contender[]): Promise<number[]> {
  const all = [ours, ...theirs];
  const samples = all.map(() => [] as number[]);
  for (let r = -1; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? all.map((_, i) => i) : all.map((_, i) => all.length - 1 - i);
    for (const i of order) {
      const v = await opsPerSecond(all[i]!);
      if (r >= 0) samples[i]!.push(v); // round -1 is warm-up
    }
  }
  return samples.map(median);
}

function check(node: BinaryNode): Buffer {
  const ours = Buffer.from(encodeNode(node));
  const theirs = encodeBinaryNode(node);
  if (!ours.equals(theirs)) throw new Error(`encodings differ for <${node.tag}>`);
  if (!ours.equals(bridge.encodeNode(bridgeNode(node)))) throw new Error(`the bridge encodes <${node.tag}> differently`);
  return theirs;
}

type BridgeInput = Parameters<typeof bridge.encodeNode>[0];
type BridgeNode = { tag: string; attrs: Record<string, string>; content?: BridgeNode[] | string | Uint8Array };

/** The same node as the bridge takes it (attributes as a plain string map). */
function bridgeNode(node: BinaryNode): BridgeInput {
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(node.attrs)) if (v !== undefined) attrs[k] = String(v);
  const content = Array.isArray(node.content) ? node.content.map((c) => bridgeNode(c) as unknown as BridgeNode) : node.content;
  return { tag: node.tag, attrs, ...(content !== undefined ? { content } : {}) } as unknown as BridgeInput;
}

type BridgeHandle = { tag: string; attrs: Record<string, string>; content?: unknown; free(): void };

/**
 * Reads a bridge node through its handle as a caller would (every tag,
 * attribute and child), freeing each handle after use: left to finalizers,
 * the handles' WASM memory piles up and slows everything in the process.
 */
function walk(node: BridgeHandle): number {
  let n = node.tag.length + Object.keys(node.attrs).length;
  const content = node.content;
  if (Array.isArray(content)) for (const child of content) n += walk(child as BridgeHandle);
  else if (content instanceof Uint8Array) n += content.length;
  node.free();
  return n;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const mib = (ops: number, size: number): string => ((ops * size) / 2 ** 20).toFixed(0);

async function main(): Promise<void> {
  const rows: string[] = [];
  for (const [label, node] of [['small `<message><enc>`', SMALL], ['large USync result (250 users)', LARGE]] as const) {
    const frame = check(node);
    const size = frame.length;
    const forBridge = bridgeNode(node);
    const [encOurs, encBaileys, encBridge] = await compare(
      { name: 'wad', run: () => encodeNode(node), async: false },
      [
        { name: 'baileys', run: () => encodeBinaryNode(node), async: false },
        { name: 'bridge', run: () => bridge.encodeNode(forBridge), async: false },
      ],
    );
    const inner = frame.subarray(1);
    const [decOurs, decBaileys, decBaileysSync, decBridge, decBridgeWalked] = await compare(
      { name: 'wad', run: () => decodeNode(frame), async: false },
      [
        { name: 'baileys', run: () => decodeBinaryNode(frame), async: true },
        { name: 'baileys sync inner', run: () => decodeDecompressedBinaryNode(inner, baileysConstants), async: false },
        { name: 'bridge, handle', run: () => bridge.decodeNode(frame).free(), async: false },
        { name: 'bridge, walked', run: () => walk(bridge.decodeNode(frame) as unknown as BridgeHandle), async: false },
      ],
    );
    const r = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
    rows.push(
      `| ${label}, ${size} B | encode | ${fmt(encOurs!)} (${mib(encOurs!, size)} MiB/s) | ${fmt(encBaileys!)} | ${r(encOurs!, encBaileys!)} | ${fmt(encBridge!)} | ${r(encOurs!, encBridge!)} |`,
    );
    rows.push(
      `| ${label}, ${size} B | decode | ${fmt(decOurs!)} (${mib(decOurs!, size)} MiB/s) | ${fmt(decBaileys!)} (sync inner: ${fmt(decBaileysSync!)}) | ${r(decOurs!, decBaileys!)} (${r(decOurs!, decBaileysSync!)} sync) | ${fmt(decBridgeWalked!)} walked (handle only: ${fmt(decBridge!)}) | ${r(decOurs!, decBridgeWalked!)} (${r(decOurs!, decBridge!)} handle) |`,
    );
  }
  console.log(`### Binary node codec (median of ${ROUNDS} rounds of ${SLICE_MS} ms, Node ${process.version}, load average ${loadavg()[0]!.toFixed(1)})\n`);
  console.log('| stanza | op | wad ops/s | Baileys 7 ops/s | wad / Baileys | whatsapp-rust-bridge ops/s | wad / bridge |');
  console.log('|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
  console.log('\nBaileys decode is `await decodeBinaryNode(frame)` as its socket calls it; "sync inner" is its');
  console.log('`decodeDecompressedBinaryNode` without the Promise. The bridge "walked" reads every tag, attribute and child');
  console.log('through its handle; "handle" only decodes (and frees). Command: `npx tsx scripts/bench/codec.ts`.');
}

await main();
