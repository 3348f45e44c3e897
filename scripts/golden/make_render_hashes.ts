/**
 * Pins the renderer's pixels: renders every map of test/core/render/identity-cases.ts and writes
 * test/golden/render/canvas-hashes.json (sha256 of the base canvas, of the canvas composeDirect draws, of the PNG
 * and of its decoded pixels). Made with the renderer before the render-speed work; identity.test.ts checks that
 * every later version still gives the same pixels. The PNG bytes alone were made again when the default deflate
 * settings became level 1 with memLevel 9, and when pictures of 256 rows or more became two deflated halves
 * (every pixel hash unchanged both times). Run: node scripts/run-ts.mjs scripts/golden/make_render_hashes.ts
 */
import { writeFileSync } from 'node:fs';
import { caseHashes, identityCases, type HashFile } from '../../test/core/render/identity-cases';
import { goldenPath } from '../../test/helpers/testdata';

async function main(): Promise<void> {
  const out: HashFile = { zlib: process.versions.zlib ?? '', cases: {} };
  for (const c of identityCases()) out.cases[c.name] = await caseHashes(c);
  const path = goldenPath('render', 'canvas-hashes.json');
  writeFileSync(path, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`${Object.keys(out.cases).length} cases → ${path}`);
}

void main();
