// 64-bit fields are typed `number` in wa.d.ts; the generated code is rewritten
// (scripts/codegen/proto.mjs, longsAsNumbers) so that at run time they are
// numbers too, whatever protobufjs' global Long setting. Checked here for every
// 64-bit field we declare, through decode, fromObject and defaults, and against
// Baileys' reading of the same bytes.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { proto as baileys } from 'baileys';
import { describe, expect, it } from 'vitest';
import { proto } from '../../../src/protocol/proto/index.js';
import type { Codec } from './helpers.js';

const repoRoot = join(import.meta.dirname, '..', '..', '..');
const reflection = new protobuf.Root();
reflection.loadSync(
  readdirSync(join(repoRoot, 'proto')).filter((f) => f.endsWith('.proto')).map((f) => join(repoRoot, 'proto', f)),
  { keepCase: true },
);
reflection.resolveAll();

const LONG_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

interface LongField { type: protobuf.Type; field: protobuf.Field }

function longFields(ns: protobuf.NamespaceBase): LongField[] {
  return ns.nestedArray.flatMap((obj): LongField[] => {
    const nested = obj instanceof protobuf.Namespace || obj instanceof protobuf.Type ? longFields(obj) : [];
    if (!(obj instanceof protobuf.Type)) return nested;
    const own = obj.fieldsArray.filter((f) => LONG_TYPES.has(f.type)).map((field) => ({ type: obj, field }));
    return [...own, ...nested];
  });
}

/** The generated class for a full name such as ".proto.Message.ImageMessage". */
function generated(root: Record<string, unknown>, fullName: string): Codec & { prototype: Record<string, unknown> } {
  const path = fullName.split('.').filter(Boolean);
  let at: unknown = root;
  for (const part of path) at = (at as Record<string, unknown>)[part];
  return at as Codec & { prototype: Record<string, unknown> };
}

const fields = longFields(reflection);

describe('64-bit fields are numbers at run time', () => {
  it('finds the 64-bit fields', () => {
    expect(fields.length).toBeGreaterThan(60);
  });

  it.each(fields.map((f) => [`${f.type.fullName}.${f.field.name} (${f.field.type})`, f] as const))('%s', (_label, { type, field }) => {
    const ours = generated({ proto }, type.fullName);
    const theirs = generated({ proto: baileys }, type.fullName);
    const signed = !field.type.startsWith('u') && field.type !== 'fixed64';
    const value = signed ? -(2 ** 40 + 3) : 2 ** 52 + 5;
    const object = { [field.name]: field.repeated ? [value, 7] : value };

    const bytes = ours.encode(ours.fromObject(object)).finish();
    const decoded = ours.decode(bytes) as Record<string, unknown>;
    expect(decoded[field.name]).toEqual(field.repeated ? [value, 7] : value);
    const theirPlain = theirs.toObject(theirs.decode(bytes), { longs: Number });
    expect(theirPlain[field.name]).toEqual(field.repeated ? [value, 7] : value);

    // fromObject accepts the forms JSON and Baileys produce: Long objects and decimal strings.
    const theirLong = (theirs.decode(bytes) as Record<string, unknown>)[field.name];
    const fromLong = ours.fromObject({ [field.name]: field.repeated ? [] : theirLong }) as Record<string, unknown>;
    if (!field.repeated) expect(fromLong[field.name]).toBe(value);
    const fromString = ours.fromObject({ [field.name]: field.repeated ? [String(value)] : String(value) }) as Record<string, unknown>;
    expect(fromString[field.name]).toEqual(field.repeated ? [value] : value);

    // Implicit-presence fields default to 0, not to a Long.
    if (!field.repeated && !field.options?.proto3_optional && !field.partOf) {
      expect(ours.prototype[field.name]).toBe(0);
      expect(ours.toObject(ours.decode(new Uint8Array()), { defaults: true })[field.name]).toBe(0);
    }
  });
});
