/**
 * What the architecture tests read of the source: the files of a tree and
 * the module specifiers each one names. A scan of the text, so it sees
 * type-only imports as well as those that load code.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every module specifier a file names: static imports and re-exports, dynamic import(), require(). */
export function specifiersOf(source: string): Array<{ spec: string; dynamic: boolean }> {
  const out: Array<{ spec: string; dynamic: boolean }> = [];
  for (const m of source.matchAll(/(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]/gm)) out.push({ spec: (m[1] ?? m[2])!, dynamic: false });
  for (const m of source.matchAll(/\bimport\s*\(\s*([^)]*)\)/g)) out.push({ spec: m[1]!.trim().replace(/^['"`]|['"`]$/g, ''), dynamic: true });
  for (const m of source.matchAll(/\brequire\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push({ spec: m[1]!, dynamic: false });
  return out;
}
