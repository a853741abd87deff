/**
 * The layers' import rules, checked on the source: every relative import of
 * every file under src/ is resolved to the layer it lands in, and each layer
 * may reach only the layers listed for it. A lower layer that imports a
 * higher one's types is how a contract starts to leak; this test is what
 * keeps the graph pointing one way. Dynamic `import()` counts like a static
 * one, and the daemon may have none (a request is followed to the wire by
 * static imports alone).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceFiles, specifiersOf } from './imports.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const SRC = join(ROOT, 'src');

/** The layer (first directory under src/) a file or a resolved import lands in; '' for src/index.ts. */
function layerOf(path: string): string {
  const rel = relative(SRC, path);
  return rel.includes('/') ? rel.slice(0, rel.indexOf('/')) : '';
}

interface Edge {
  readonly file: string;
  readonly from: string;
  readonly to: string;
  readonly spec: string;
  readonly dynamic: boolean;
}

function edges(): Edge[] {
  return sourceFiles(SRC).flatMap((file) =>
    specifiersOf(readFileSync(file, 'utf8')).map(({ spec, dynamic }) => ({
      file: relative(ROOT, file),
      from: layerOf(file),
      to: spec.startsWith('.') ? layerOf(resolve(dirname(file), spec)) : `pkg:${spec}`,
      spec,
      dynamic,
    })),
  );
}

/** Which of wad's layers each layer may import (its own always; packages are another test's business). */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  protocol: [],
  contract: ['protocol'],
  sim: ['protocol'],
  config: ['contract'],
  store: ['protocol', 'contract'],
  runtime: ['protocol', 'contract'],
  account: ['protocol', 'contract', 'store', 'runtime', 'config'],
  ipc: ['protocol', 'contract', 'config'],
  http: ['protocol', 'contract', 'config', 'ipc'],
  client: ['protocol', 'contract'],
  daemon: ['protocol', 'contract', 'store', 'runtime', 'account', 'ipc', 'http', 'config'],
  cli: ['protocol', 'contract', 'client', 'daemon', 'sim', 'config', 'store', 'ipc'],
};

const ALL = edges();

function violations(layer: string): string[] {
  const allowed = new Set([layer, ...MAY_IMPORT[layer]!]);
  return ALL.filter((e) => e.from === layer && !e.to.startsWith('pkg:') && !allowed.has(e.to)).map((e) => `${e.file} imports ${e.spec} (${e.to || 'src/index.ts'})`);
}

describe('layer import rules', () => {
  it('sees the whole tree (every layer has files, the rules name every layer)', () => {
    const layers = new Set(ALL.map((e) => e.from).filter((l) => l !== ''));
    expect([...layers].sort()).toEqual(Object.keys(MAY_IMPORT).sort());
  });

  it('finds a violation when there is one (the scanner is not blind)', () => {
    const fake = specifiersOf("import type { X } from '../daemon/api.js';\nexport { y } from \"../ipc/index.js\";\nconst m = await import('../account/x.js');");
    expect(fake).toEqual([
      { spec: '../daemon/api.js', dynamic: false },
      { spec: '../ipc/index.js', dynamic: false },
      { spec: '../account/x.js', dynamic: true },
    ]);
  });

  it('src/protocol imports nothing of ours', () => expect(violations('protocol')).toEqual([]));
  it('src/contract imports only src/protocol', () => expect(violations('contract')).toEqual([]));
  it('src/sim imports only src/protocol', () => expect(violations('sim')).toEqual([]));
  it('src/store imports no account, runtime, daemon, ipc, client or cli', () => expect(violations('store')).toEqual([]));
  it('src/runtime imports no account or daemon', () => expect(violations('runtime')).toEqual([]));
  it('src/account imports no daemon, ipc, client or cli', () => expect(violations('account')).toEqual([]));
  it('src/ipc imports no daemon or account', () => expect(violations('ipc')).toEqual([]));
  it('src/http imports only src/ipc and what src/ipc may', () => expect(violations('http')).toEqual([]));
  it('src/client imports only src/contract and src/protocol', () => expect(violations('client')).toEqual([]));
  it('src/daemon imports no client or cli', () => expect(violations('daemon')).toEqual([]));
  it('src/cli imports what it drives', () => expect(violations('cli')).toEqual([]));

  it('no lower layer imports src/daemon', () => {
    const lower = new Set(['protocol', 'contract', 'sim', 'store', 'runtime', 'account', 'ipc', 'http', 'client', 'config']);
    expect(ALL.filter((e) => lower.has(e.from) && e.to === 'daemon').map((e) => `${e.file} imports ${e.spec}`)).toEqual([]);
  });

  it('src/daemon loads nothing by dynamic import()', () => {
    expect(ALL.filter((e) => e.from === 'daemon' && e.dynamic).map((e) => `${e.file}: import(${e.spec})`)).toEqual([]);
  });
});
