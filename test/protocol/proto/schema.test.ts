// "Field numbers checked against the public schema": every message, field, enum
// and enum value we declare in package `proto` must exist in Baileys'
// WAProto.proto (extracted from WhatsApp Web) under the same name, with the same
// number, type, label (repeated / proto3 optional / implicit presence), packing,
// map key type and oneof. Our files may omit things; they may not differ.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';

const repoRoot = join(import.meta.dirname, '..', '..', '..');
const ourFiles = readdirSync(join(repoRoot, 'proto'))
  .filter((f) => f.endsWith('.proto'))
  .map((f) => join(repoRoot, 'proto', f));
const baileysProtoPath = join(repoRoot, 'node_modules', 'baileys', 'WAProto', 'WAProto.proto');

function load(files: string[]): protobuf.Root {
  const root = new protobuf.Root();
  root.loadSync(files, { keepCase: true });
  root.resolveAll();
  return root;
}

const ours = load(ourFiles);
const theirs = load([baileysProtoPath]);

/** Everything nested under `ns`, depth first. */
function walk(ns: protobuf.NamespaceBase): protobuf.ReflectionObject[] {
  return ns.nestedArray.flatMap((obj) =>
    obj instanceof protobuf.Namespace || obj instanceof protobuf.Type ? [obj, ...walk(obj)] : [obj],
  );
}

/** The comparable facts of a field: what decides its wire form and generated API. */
function describeField(field: protobuf.Field): Record<string, unknown> {
  field.resolve();
  const oneof = field.partOf && !field.options?.proto3_optional ? field.partOf.name : undefined;
  return {
    id: field.id,
    type: field.resolvedType ? field.resolvedType.fullName : field.type,
    repeated: field.repeated,
    required: field.required,
    proto3Optional: Boolean(field.options?.proto3_optional),
    hasPresence: Boolean(field.hasPresence),
    packed: field.repeated ? field.packed : undefined,
    map: field.map,
    keyType: field instanceof protobuf.MapField ? field.keyType : undefined,
    oneof,
  };
}

const ourObjects = walk(ours.lookup('proto') as protobuf.Namespace);

describe('proto/*.proto against Baileys WAProto.proto', () => {
  it('declares a substantial part of the schema', () => {
    const types = ourObjects.filter((o) => o instanceof protobuf.Type);
    expect(types.length).toBeGreaterThan(100);
  });

  it('names only messages and enums the public schema has, of the same kind', () => {
    const problems: string[] = [];
    for (const obj of ourObjects) {
      if (obj instanceof protobuf.Field || obj instanceof protobuf.OneOf) continue;
      const other = theirs.lookup(obj.fullName);
      if (!other) problems.push(`${obj.fullName}: missing in WAProto.proto`);
      else if (other.constructor !== obj.constructor || other.fullName !== obj.fullName) {
        problems.push(`${obj.fullName}: is ${obj.constructor.name} here, ${other.constructor.name} ${other.fullName} there`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('gives every kept field the same number, type and label', () => {
    const problems: string[] = [];
    let checked = 0;
    for (const type of ourObjects) {
      if (!(type instanceof protobuf.Type)) continue;
      const other = theirs.lookup(type.fullName);
      if (!(other instanceof protobuf.Type)) continue; // reported above
      for (const field of type.fieldsArray) {
        const theirField = other.fields[field.name];
        if (!theirField) {
          problems.push(`${type.fullName}.${field.name}: missing in WAProto.proto`);
          continue;
        }
        const a = describeField(field);
        const b = describeField(theirField);
        if (JSON.stringify(a) !== JSON.stringify(b)) {
          problems.push(`${type.fullName}.${field.name}: ours ${JSON.stringify(a)} theirs ${JSON.stringify(b)}`);
        }
        checked++;
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(500);
  });

  it('gives every kept enum value the same number', () => {
    const problems: string[] = [];
    for (const en of ourObjects) {
      if (!(en instanceof protobuf.Enum)) continue;
      const other = theirs.lookup(en.fullName);
      if (!(other instanceof protobuf.Enum)) continue; // reported above
      for (const [name, value] of Object.entries(en.values)) {
        if (other.values[name] !== value) {
          problems.push(`${en.fullName}.${name} = ${value}: theirs ${String(other.values[name])}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('would catch a renumbered field (the check is not vacuous)', () => {
    const broken = load(ourFiles);
    const key = broken.lookupType('proto.MessageKey');
    const id = key.fields.id!;
    key.remove(id);
    key.add(new protobuf.Field('id', 5, 'string', 'optional'));
    const theirKey = theirs.lookupType('proto.MessageKey');
    expect(describeField(key.fields.id!)).not.toEqual(describeField(theirKey.fields.id!));
  });
});
