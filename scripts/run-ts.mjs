// Runs a TypeScript script (benchmarks, generators) by bundling it with esbuild to a temporary file.
// Usage: node scripts/run-ts.mjs bench/topomap.bench.ts [args...]
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run-ts.mjs <file.ts> [args...]');
  process.exit(2);
}
const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'loris-ephys-run-'));
const outfile = join(dir, 'script.cjs');
await build({
  absWorkingDir: root,
  entryPoints: [resolve(entry)],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'inline',
  external: ['sharp', '@aws-sdk/*', 'h5wasm', 'playwright-core', 'fast-check', 'esbuild'],
  logLevel: 'warning',
});
const result = spawnSync(process.execPath, ['--expose-gc', outfile, ...args], {
  stdio: 'inherit',
  env: { ...process.env, NODE_PATH: join(root, 'node_modules'), LORIS_EPHYS_ROOT: root.replace(/\/$/, '') },
});
rmSync(dir, { recursive: true, force: true });
process.exit(result.status ?? 1);
