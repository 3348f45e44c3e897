// Bundles every function (functions/<name>/index.ts → dist/<name>/index.js) and the CLI with esbuild.
// sharp is a native addon: it stays external and is packaged beside the functions that use it.
// piscina (the map worker pool) stays external: it starts its own worker script from node_modules, and it is
// loaded only when a pool is used (never on Lambda, where maps run in the request's thread).
// @aws-sdk/* stays external too and is not packaged: the Lambda Node.js 20 runtime provides AWS SDK v3 (the SSM
// client reading the database password); locally it resolves from node_modules, and only when it is used.
// Each bundle folder gets a package.json saying "type": "commonjs": serverless-offline's in-process runner looks for
// the nearest package.json on every invocation (to choose require or import), and stops there instead of reading
// the project's own, two folders up (measured under load: 0.23 ms of the front's CPU per request).
// Bundles are written without comments and whitespace (identifiers kept): each loaded bundle's source stays in
// its thread's heap, and as ASCII it is stored at one byte per character (topomap 6.3 → 2.5 MB; the front after
// a few maps and sensors: heap 77.5 → 64.7 MB, RSS 258 → 239 MB, measured 2026-12-06).
import { build } from 'esbuild';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const functions = readdirSync(join(root, 'functions')).filter((name) =>
  existsSync(join(root, 'functions', name, 'index.ts')),
);
const entries = functions.map((name) => ({ in: `functions/${name}/index.ts`, out: `dist/${name}/index.js` }));
// Worker-thread scripts a function starts at run time (functions/topomap/worker.ts → dist/topomap/worker.js).
for (const name of functions)
  if (existsSync(join(root, 'functions', name, 'worker.ts')))
    entries.push({ in: `functions/${name}/worker.ts`, out: `dist/${name}/worker.js` });
if (existsSync(join(root, 'cli', 'index.ts'))) entries.push({ in: 'cli/index.ts', out: 'dist/cli/index.js' });

const started = Date.now();
await Promise.all(
  entries.map((e) =>
    build({
      absWorkingDir: root,
      entryPoints: [e.in],
      outfile: e.out,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      sourcemap: 'linked',
      minify: process.env.LORIS_EPHYS_MINIFY === '1',
      // Without comments a bundle is pure ASCII, which V8 keeps as a one-byte string: a comment with one character
      // past Latin-1 (─, —, →) made the whole source two bytes per character. Names stay readable in stack traces.
      minifyWhitespace: true,
      external: ['sharp', '@aws-sdk/*', 'piscina'],
      logLevel: 'warning',
    }),
  ),
);
for (const e of entries) writeFileSync(join(root, e.out, '..', 'package.json'), '{ "type": "commonjs" }\n');
console.log(`built ${entries.length} bundles in ${Date.now() - started} ms`);
