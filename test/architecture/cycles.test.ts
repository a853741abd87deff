/**
 * No import circles among the files of src/, type-only imports included: a
 * circle means two modules each need the other's shapes, which is a type
 * that belongs in a leaf both can import. Every relative import is resolved
 * to its file, the strongly connected components of that graph are found
 * (Tarjan), and each one larger than a single file is a circle.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceFiles, specifiersOf } from './imports.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const SRC = join(ROOT, 'src');

/**
 * Circles still standing, each as its files (relative to src/, sorted).
 * Remove one when it is broken; never add one.
 */
const KNOWN_CIRCLES: readonly (readonly string[])[] = [
  // member.ts names the index's Forwarding type; the index re-exports ClusterMember. Owned by the cluster's work.
  ['daemon/cluster/index.ts', 'daemon/cluster/member.ts'],
  // The simulator's hub builds the IQ table and its parts; each IQ handler and part names Hub's type.
  [
    'sim/app-state/snapshot-blob.ts',
    'sim/calls.ts',
    'sim/devices.ts',
    'sim/hub.ts',
    'sim/iq/app-state.ts',
    'sim/iq/blocklist.ts',
    'sim/iq/communities.ts',
    'sim/iq/dirty.ts',
    'sim/iq/encrypt.ts',
    'sim/iq/group-admin.ts',
    'sim/iq/groups.ts',
    'sim/iq/index.ts',
    'sim/iq/md.ts',
    'sim/iq/media-conn.ts',
    'sim/iq/mex.ts',
    'sim/iq/passive.ts',
    'sim/iq/ping.ts',
    'sim/iq/privacy.ts',
    'sim/iq/profile.ts',
    'sim/iq/props.ts',
    'sim/iq/usync.ts',
    'sim/pairing.ts',
    'sim/presence.ts',
    'sim/privacy-book.ts',
    'sim/profiles.ts',
  ],
];

/** The file a relative specifier names (`./x.js` is `x.ts`, a directory its index.ts); undefined for packages. */
function resolveImport(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const target = resolve(dirname(from), spec);
  for (const candidate of [target.replace(/\.js$/, '.ts'), target, `${target}.ts`, join(target, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** The import graph of src/: each file to the files it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const targets = specifiersOf(readFileSync(file, 'utf8')).flatMap(({ spec }) => resolveImport(file, spec) ?? []);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Strongly connected components with more than one file, or a file importing itself (Tarjan's algorithm, iterative). */
export function circlesOf(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  for (const root of graph.keys()) {
    if (index.has(root)) continue;
    const work: Array<{ node: string; next: number }> = [{ node: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const targets = graph.get(frame.node) ?? [];
      if (frame.next < targets.length) {
        const to = targets[frame.next++]!;
        if (!index.has(to)) {
          index.set(to, counter);
          low.set(to, counter++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, next: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) !== index.get(frame.node)) continue;
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== frame.node);
      if (component.length > 1 || (graph.get(frame.node) ?? []).includes(frame.node)) out.push(component.sort());
    }
  }
  return out;
}

describe('import circles', () => {
  it('finds a circle, and only a circle', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
      ['e', ['e']],
    ]);
    expect(circlesOf(graph)).toEqual(expect.arrayContaining([['a', 'b', 'c'], ['e']]));
    expect(circlesOf(graph)).toHaveLength(2);
  });

  it('src/ has none beyond the known ones', () => {
    const found = circlesOf(importGraph())
      .map((c) => c.map((f) => relative(SRC, f)).sort())
      .sort((x, y) => x[0]!.localeCompare(y[0]!));
    expect(found).toEqual(KNOWN_CIRCLES.map((c) => [...c].sort()));
  });
});
