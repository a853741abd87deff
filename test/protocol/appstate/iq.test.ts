// The w:sync:app:state IQ through the binary codec, both sides: the client's
// request read by the server's parser, the server's answer read by the
// client's spec and by Baileys' extractSyncdPatches; and the server_sync
// notification.
import { extractSyncdPatches, proto as baileys } from 'baileys';
import { describe, expect, it } from 'vitest';
import { decodeNode, encodeNode, type BinaryNode } from '../../../src/protocol/binary/index.js';
import {
  APP_STATE_XMLNS,
  parseServerSync,
  parseSyncRequest,
  serverSyncNodes,
  syncAnswerNode,
  syncAppState,
  type CollectionAnswer,
} from '../../../src/protocol/iq/app-state.js';
import { IqParseError } from '../../../src/protocol/iq/index.js';
import { actionMutations, buildPatch, emptyCollectionState, expandAppStateKeys, servedPatch } from '../../../src/protocol/appstate/index.js';
import { proto } from '../../../src/protocol/proto/index.js';
import { PLAIN } from '../proto/helpers.js';
import { counterRandom, KEY, T_MS } from './arbitraries.js';

const wire = (n: BinaryNode): BinaryNode => decodeNode(encodeNode(n));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const signing = { keyId: KEY.keyId, keys: expandAppStateKeys(KEY.keyData) };

function patches(n: number) {
  const random = counterRandom();
  let state = emptyCollectionState();
  return Array.from({ length: n }, (_, i) => {
    const built = buildPatch('regular_low', state, signing, actionMutations({ type: 'pin', chat: `1555000${i}@s.whatsapp.net`, pinned: true }, T_MS), random);
    state = built.state;
    return proto.SyncdPatch.decode(proto.SyncdPatch.encode(servedPatch(built.patch, built.state.version)).finish());
  });
}

describe('w:sync:app:state', () => {
  it('the request names each collection as the server reads it', () => {
    const upload = patches(1)[0]!;
    const spec = syncAppState([
      { name: 'critical_block', version: 0, snapshot: true },
      { name: 'regular_high', version: 12, snapshot: false },
      { name: 'regular_low', version: 3, snapshot: false, patch: proto.SyncdPatch.encode(upload).finish() },
    ]);
    const request = wire({ ...spec.build(), attrs: { ...spec.build().attrs, id: '1' } });
    expect([request.attrs.xmlns, request.attrs.type]).toEqual([APP_STATE_XMLNS, 'set']);
    const read = parseSyncRequest(request);
    expect(read.map(({ patch, ...r }) => ({ ...r, patch: patch && hex(patch) }))).toEqual([
      { name: 'critical_block', version: 0, snapshot: true, patch: undefined },
      { name: 'regular_high', version: 12, snapshot: false, patch: undefined },
      { name: 'regular_low', version: 3, snapshot: false, patch: hex(proto.SyncdPatch.encode(upload).finish()) },
    ]);
    // A snapshot request carries no version attribute.
    expect(request.content).toSatisfy((c: BinaryNode[]) => (c[0]!.content as BinaryNode[])[0]!.attrs.version === undefined);
  });

  const answers: CollectionAnswer[] = [
    { name: 'regular_low', version: 3, hasMorePatches: true, patches: patches(3) },
    {
      name: 'critical_block', version: 9, hasMorePatches: false, patches: [],
      snapshot: proto.ExternalBlobReference.create({ mediaKey: new Uint8Array(32).fill(1), directPath: '/v/t62.1234-24/snap', fileSizeBytes: 420, fileSha256: new Uint8Array(32).fill(2), fileEncSha256: new Uint8Array(32).fill(3) }),
    },
    { name: 'regular_high', version: 14, hasMorePatches: false, patches: patches(1), error: { code: 409, text: 'conflict' } },
  ];
  const result = (): BinaryNode => wire({ tag: 'iq', attrs: { id: '1', type: 'result', from: 's.whatsapp.net' }, content: [syncAnswerNode(answers)] });

  it('the answer reads back as the server wrote it', () => {
    const read = syncAppState([]).parse(result());
    const plain = (a: CollectionAnswer) => ({
      ...a,
      patches: a.patches.map((p) => proto.SyncdPatch.toObject(p, PLAIN)),
      snapshot: a.snapshot && proto.ExternalBlobReference.toObject(a.snapshot, PLAIN),
    });
    expect(read.map(plain)).toEqual(answers.map(plain));
  });

  it('Baileys reads the server\'s patches the same', async () => {
    // Baileys downloads snapshots (from WhatsApp's media hosts) while it parses: give it none.
    const noSnapshot = wire({ tag: 'iq', attrs: { id: '1', type: 'result' }, content: [syncAnswerNode(answers.filter((a) => !a.snapshot))] });
    const parsed = await extractSyncdPatches(noSnapshot as never, {} as never);
    for (const a of answers.filter((x) => !x.snapshot)) {
      expect(parsed[a.name as 'regular_low']!.hasMorePatches).toBe(a.hasMorePatches);
      expect(parsed[a.name as 'regular_low']!.patches.map((p) => baileys.SyncdPatch.toObject(p as never, PLAIN))).toEqual(a.patches.map((p) => proto.SyncdPatch.toObject(p, PLAIN)));
    }
  });

  it('refuses an answer whose patch does not decode', () => {
    const bad = wire({ tag: 'iq', attrs: { type: 'result' }, content: [{ tag: 'sync', attrs: {}, content: [{ tag: 'collection', attrs: { name: 'regular', version: '1' }, content: [{ tag: 'patches', attrs: {}, content: [{ tag: 'patch', attrs: {}, content: new Uint8Array([0xff, 0xff]) }] }] }] }] });
    expect(() => syncAppState([]).parse(bad)).toThrow(IqParseError);
  });

  it('server_sync names the collections that changed', () => {
    const n = wire({ tag: 'notification', attrs: { type: 'server_sync', id: '2', t: '1700000000' }, content: serverSyncNodes([{ name: 'regular_high', version: 7 }, { name: 'critical_block', version: 2 }]) });
    expect(parseServerSync(n)).toEqual([{ name: 'regular_high', version: 7 }, { name: 'critical_block', version: 2 }]);
  });
});
