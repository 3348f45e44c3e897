/**
 * Writes test/golden/service/map-bits.json: the digests of computeMap's answers for test/helpers/map-bits.ts's
 * queries (run on the commit whose answers are the reference; the fixture was made at 4fa6655).
 * Run: node scripts/run-ts.mjs bench/map-bits.ts
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mapBits } from '../test/helpers/map-bits';
import { goldenPath } from '../test/helpers/testdata';

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'loris-ephys-map-bits-'));
  try {
    const bits = await mapBits(dir);
    writeFileSync(goldenPath('service', 'map-bits.json'), `${JSON.stringify(bits, null, 1)}\n`);
    console.log(`${bits.length} maps, ${bits.filter((b) => b.digest.startsWith('error:')).length} refused`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
