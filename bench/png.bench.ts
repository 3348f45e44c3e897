/**
 * Rendering benchmark at 512 px (EEG map of test-ave.fif.gz at 0.1 s, from the render golden fixture): raster plan
 * (cold), warm raster, scene with overlay, SVG string, and PNG encoding with both overlay engines and several
 * sharp settings. Run from the project root:
 *   npx esbuild bench/png.bench.ts --bundle --platform=node --external:sharp --outfile=bench/out/png.bench.js \
 *     && node bench/out/png.bench.js
 *
 * Results on the shared 2-vCPU EPYC, 2026-11-28 02:29 UTC, load average ≈ 12 from other jobs (so medians are
 * inflated; "best" is closer to an idle core). Median / best of 40 runs, ms:
 *   raster plan, cold (taps + AA clip mask)            24.0 / 1.6
 *   raster paint, warm plan                             8.6 / 2.3
 *   scene, warm (raster + colour bar + contours + overlay list) 17.0 / 2.5
 *   renderSvg (incl. PNG data URI)                     20.5 / 6.7
 *   overlay drawn into RGBA (direct engine)             6.4 / 2.5
 *   PNG direct (overlay + sharp) L1 / L3 / L6, adaptive off   6.5 / 6.6 / 19.1  (best 5.3 / 6.3 / 10.8)
 *   PNG direct L1 / L6, adaptive on                    15.0 / 22.8
 *   PNG librsvg overlay (sharp composite) L1 / L3      18.4 / 17.7  (best 13.0 / 13.8)
 *   own zlib PNG encoder L1 (no filter)                 8.6 / 3.4
 *   renderPng end to end, defaults, warm / cold cache   9.1 / 15.4  (best 8.3 / 9.2)
 *   sizes: direct L1 168 kB, L3 100 kB, L6 85 kB, L1+adaptive 163 kB, L6+adaptive 101 kB; librsvg L3 99 kB
 * Chosen: direct overlay, compressionLevel 3, adaptiveFiltering off (L1 is ≈1 ms faster but 68 % larger; librsvg
 * compositing is ≈2× slower than drawing the strokes ourselves).
 */
import sharp from 'sharp';
import { createPlanCache, renderPng, renderSvg, toLut } from '../lib/core/render';
import { makeLayout } from '../lib/core/render/layout';
import { encodePng, composeDirect } from '../lib/core/render/png';
import { encodeRgbaPng } from '../lib/core/render/png-encode';
import { blankCanvas, paintMap, planRaster } from '../lib/core/render/raster';
import { buildScene } from '../lib/core/render/scene';
import { loadGolden, plainOptions, toMap } from '../test/core/render/fixture';

const RUNS = 40;

async function median(label: string, fn: () => unknown, runs = RUNS): Promise<number> {
  for (let k = 0; k < 5; k++) await fn();
  const times: number[] = [];
  for (let k = 0; k < runs; k++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const mid = times[Math.floor(runs / 2)] ?? NaN;
  console.log(`${label.padEnd(58)} median ${mid.toFixed(2).padStart(7)} ms   best ${(times[0] ?? NaN).toFixed(2).padStart(7)} ms`);
  return mid;
}

async function main(): Promise<void> {
  sharp.concurrency(1);
  const gold = loadGolden('eeg');
  const m = toMap(gold);
  const lut = toLut(gold.lut);
  const g = m.map.geometry;
  const plainOpts = plainOptions(512, { outlines: 'head' });
  const full = plainOptions(512, { contours: true, sensors: true, colorbar: true, outlines: 'head', background: 'white', title: '0.100 s' });
  const layout = makeLayout(g, plainOpts);

  await median('raster plan (cold: taps + AA clip mask), 512', () => planRaster(layout, g, g.clip), 10);
  const plan = planRaster(layout, g, g.clip);
  const canvas = blankCanvas(512, 512, 'transparent');
  await median('raster paint (warm plan), 512', () => paintMap(plan, { grid: m.map.grid, vmin: gold.vmin, vmax: gold.vmax, lut }, canvas));

  const cache = createPlanCache();
  await median('scene (warm plan): raster + colourbar + contours + overlay', () => buildScene(m, full, lut, cache));
  await median('renderSvg (scene + PNG data URI + paths), 512', () => renderSvg(m, full, { lut, cache }));
  const scene = buildScene(m, full, lut, cache);
  await median('overlay drawn into RGBA (direct engine)', () => composeDirect(scene));

  const sizes: string[] = [];
  for (const [level, adaptive] of [[1, false], [3, false], [6, false], [1, true], [6, true]] as const) {
    const settings = { compressionLevel: level, adaptiveFiltering: adaptive };
    await median(`PNG direct, sharp level ${level} adaptive ${adaptive ? 'on ' : 'off'}`, () => encodePng(scene, g.clip, 'direct', settings));
    sizes.push(`direct L${level}${adaptive ? 'A' : ''} ${(await encodePng(scene, g.clip, 'direct', settings)).length} B`);
  }
  for (const level of [1, 3]) {
    const settings = { compressionLevel: level, adaptiveFiltering: false };
    await median(`PNG librsvg overlay, sharp level ${level} adaptive off`, () => encodePng(scene, g.clip, 'librsvg', settings));
    sizes.push(`librsvg L${level} ${(await encodePng(scene, g.clip, 'librsvg', settings)).length} B`);
  }
  const pixels = composeDirect(scene);
  await median('PNG own zlib encoder (level 1), no filter', () => encodeRgbaPng(pixels, 512, 512, 1));
  sizes.push(`own-zlib L1 ${encodeRgbaPng(pixels, 512, 512, 1).length} B`);
  await median('renderPng end to end (warm cache, defaults: direct, L3)', () => renderPng(m, full, { lut, cache }));
  await median('renderPng end to end (cold cache, defaults: direct, L3)', () => renderPng(m, full, { lut }), 10);
  console.log(sizes.join(' | '));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
