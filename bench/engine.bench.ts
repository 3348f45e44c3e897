/**
 * Micro-benchmark of the topomap engine: geometry + Clough–Tocher for 60 EEG channels (test-ave.fif.gz, from the
 * golden fixture) at res 64 and 256. Run from the project root:
 *   npx esbuild bench/engine.bench.ts --bundle --platform=node --outfile=/tmp/b.js && node /tmp/b.js
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { computeGeometry, interpolate, prepareInterpolation } from '../lib/core/topomap/index';
import type { Interp, Vec3 } from '../lib/core/topomap/types';

interface Fixture {
  inputs: { ch_names: string[]; loc3d: Vec3[]; bads: string[]; dig: { kind: number; r: Vec3 }[] };
  data: number[];
}

const fixture = JSON.parse(
  readFileSync(join(process.cwd(), 'test', 'golden', 'topomap', 'evoked_eeg_100ms.json'), 'utf8'),
) as Fixture;
const keep = fixture.inputs.ch_names
  .map((_, i) => i)
  .filter((i) => !fixture.inputs.bads.includes(fixture.inputs.ch_names[i]!));
const locs3d = keep.map((i) => fixture.inputs.loc3d[i]!);
const dig = fixture.inputs.dig;

/** Median (and minimum, less sensitive to other load on a shared machine) of `runs` timings in ms. */
function timeMs(runs: number, fn: () => void): { median: number; min: number } {
  for (let i = 0; i < 3; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)]!, min: times[0]! };
}

function run(res: number, interp: Interp, runs: number): void {
  const full = timeMs(runs, () => {
    const geometry = computeGeometry({ locs3d, chType: 'eeg', dig, res });
    interpolate(geometry, fixture.data, interp);
  });
  const geometry = computeGeometry({ locs3d, chType: 'eeg', dig, res });
  const prepared = prepareInterpolation(geometry, interp);
  const cached = timeMs(runs, () => interpolate(geometry, fixture.data, interp, 'mean', prepared));
  console.log(
    `${locs3d.length} EEG, ${interp}, res ${res}: geometry + interpolation median ${full.median.toFixed(2)} ms ` +
      `(min ${full.min.toFixed(2)}); with cached geometry/triangulation median ${cached.median.toFixed(2)} ms ` +
      `(min ${cached.min.toFixed(2)}), ${runs} runs`,
  );
}

run(64, 'cubic', 51);
run(256, 'cubic', 21);
run(64, 'linear', 51);
run(64, 'spline', 5);
