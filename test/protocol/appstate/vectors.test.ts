// Golden vectors: one mute mutation taken from the key to the patch MAC.
// Every expected value was derived by golden-vectors.py (next to this file)
// from the definitions alone: Python's hmac/hashlib, AES-CBC from
// `cryptography`, the protobuf encoded by hand. Nothing here came from wad.
import { describe, expect, it } from 'vitest';
import {
  actionMutations,
  buildPatch,
  decodePatch,
  emptyCollectionState,
  expandAppStateKeys,
  Keyring,
  ltHashSubtractThenAdd,
  valueMac,
} from '../../../src/protocol/appstate/index.js';
import { proto } from '../../../src/protocol/proto/index.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const fromHex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));

const keyData = Uint8Array.from({ length: 32 }, (_, i) => i);
const keyId = fromHex('000000000001');
const iv = Uint8Array.from({ length: 16 }, (_, i) => 16 + i);
const CHAT = '15550001111@s.whatsapp.net';

const GOLDEN = {
  keys: {
    index: '61387bcf643616a68bd611a45516b3980418323087d78bf08c615645549434b4',
    valueEncryption: '900ba2843ba5fb0cee55cf2a4de9503dce68187d3f6b95b420b008bde66f5a20',
    valueMac: 'd0879f6b61f0bcba79faad3f47a8a768fd7fc04a6cc8b3ecefedfa087413226f',
    snapshotMac: '69b2e91be6587307c43c29b027a71fdd55be25f07ca726714115430d23093071',
    patchMac: '693845bdd996652aca9ca0b96d0f081abf29943303c5eb19bdb84f38b24c32ab',
  },
  plaintext:
    '0a255b226d757465222c22313535353030303131313140732e77686174736170702e6e6574225d121608fbd095ffbc31220d080110ffffffffffffffffff011a002002',
  recordIndex: '4788b7e57939b9e9a715269eea580ef78246d1093f38e5742ef319bc658b287c',
  recordValue:
    '101112131415161718191a1b1c1d1e1fcb5e3abdecf1d129704e3e9c472481d74884177fbc6e2fd72b0638ab9005c9af67e79e8a381a269f35e4edff3c60e37009336022fc372728fe8a7eb39b6b4e03b9fca50a70ffabfe0c713ef4b23f39109c04981b27fffc44b982a0f49f691342ff9b0e29d14c639288597a7d68a7c54f',
  valueMacRemove: '489286932334b3a510b232b8c337888dbf6bee30ca22d5334addb1b4fc6adf7a',
  ltHash:
    '6d15536dc647c69fc5c388430f33406ad61b33926a20f84a28a8b3838b391b3280cbb0db9e1790d07ea97d856995a1a9685da8dfdcd9c17902e40f3c3a7429567c49b58b03e4675e8d078efd891ebfb05a417a75c2e3b929da4343148cc946bf341c1b59fa46f8440d705015b496f3b8f2837668c43f81fbd3960bf7f724a7f6',
  snapshotMac: '55fdc60a1ee57498c7ee33e27600b56fee8127719b49ebc76638186421f9f63d',
  patchMac: '6adba5afb8383c2bc7351f701acb19e8969076e77c9a5d05b7f5fd0a4d8cce94',
};

describe('app state golden vectors', () => {
  const keys = expandAppStateKeys(keyData);
  const mutations = actionMutations({ type: 'mute', chat: CHAT, until: -1 }, 1_700_000_000_123);
  const built = buildPatch('regular_high', emptyCollectionState(), { keyId, keys }, mutations, () => iv);
  const record = built.patch.mutations![0]!.record!;

  it('expands the sync key into the five mutation keys', () => {
    expect({
      index: hex(keys.index),
      valueEncryption: hex(keys.valueEncryption),
      valueMac: hex(keys.valueMac),
      snapshotMac: hex(keys.snapshotMac),
      patchMac: hex(keys.patchMac),
    }).toEqual(GOLDEN.keys);
  });

  it('encrypts the mutation and MACs its index and value', () => {
    expect(hex(record.index!.blob!)).toBe(GOLDEN.recordIndex);
    expect(hex(record.value!.blob!)).toBe(GOLDEN.recordValue);
    expect(hex(record.keyId!.id!)).toBe(hex(keyId));
    expect(built.patch.mutations![0]!.operation).toBe(proto.SyncdMutation.SyncdOperation.SET);
  });

  it('binds the value MAC to the operation', () => {
    const data = fromHex(GOLDEN.recordValue).subarray(0, -32);
    expect(hex(valueMac('remove', data, keyId, keys.valueMac))).toBe(GOLDEN.valueMacRemove);
  });

  it('signs the LT-hash and the patch', () => {
    expect(hex(built.state.hash)).toBe(GOLDEN.ltHash);
    expect(built.state.version).toBe(1);
    expect(built.baseVersion).toBe(0);
    expect(hex(built.patch.snapshotMac!)).toBe(GOLDEN.snapshotMac);
    expect(hex(built.patch.patchMac!)).toBe(GOLDEN.patchMac);
  });

  it('decodes the golden record back to the plaintext the vectors encrypted', () => {
    const served = { ...built.patch, version: { version: 1 } };
    const { mutations: [m], state } = decodePatch('regular_high', served, emptyCollectionState(), new Keyring([{ keyId, keyData }]).lookup);
    expect(hex(state.hash)).toBe(GOLDEN.ltHash);
    const reencoded = proto.SyncActionData.encode({ index: new TextEncoder().encode(JSON.stringify(m!.index)), value: m!.value, padding: new Uint8Array(0), version: m!.version }).finish();
    expect(hex(reencoded)).toBe(GOLDEN.plaintext);
  });

  it('subtracting the only value returns the LT-hash to zero', () => {
    const vMac = fromHex(GOLDEN.recordValue).subarray(-32);
    expect(hex(ltHashSubtractThenAdd(fromHex(GOLDEN.ltHash), [vMac], []))).toBe('00'.repeat(128));
  });
});
