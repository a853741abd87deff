#!/usr/bin/env node
// tsc does not copy hand-written or generated .js/.d.ts files; the generated
// protobuf module must sit beside its compiled importers in dist/.
import { cpSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const from = join(root, 'src', 'protocol', 'proto', 'generated');
const to = join(root, 'dist', 'protocol', 'proto', 'generated');
mkdirSync(to, { recursive: true });
cpSync(from, to, { recursive: true });
