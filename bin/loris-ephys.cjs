#!/usr/bin/env node
// The loris-ephys command: runs the bundled CLI (npm run build writes dist/cli/index.js).
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const bundle = join(__dirname, '..', 'dist', 'cli', 'index.js');
if (!existsSync(bundle)) {
  process.stderr.write('loris-ephys: dist/cli/index.js is missing; run `npm run build` first\n');
  process.exit(2);
}
require(bundle);
