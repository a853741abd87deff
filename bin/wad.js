#!/usr/bin/env node
// The `wad` command: runs the compiled CLI (npm ci builds dist/ through `prepare`).
import('../dist/cli/main.js').catch((err) => {
  process.stderr.write(`wad: cannot start: ${err && err.message ? err.message : String(err)}\n`);
  process.exit(1);
});
