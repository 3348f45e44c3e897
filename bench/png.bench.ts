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
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { createPlanCache, renderPng, renderSvg, toLut } from '../lib/core/render';
import { contourLines } from '../lib/core/render/contours';
import { makeLayout } from '../lib/core/render/layout';
import { composeDirect, encodePng } from '../lib/core/render/png';
import { encodeRgbaPng } from '../lib/core/render/png-encode';
import { blankCanvas, paintMap, planRaster } from '../lib/core/render/raster';
import { buildScene, decorOps } from '../lib/core/render/scene';
import { applyOps, drawStrokes, strokeOps } from '../lib/core/render/strokes';
import { loadGolden, plainOptions, toMap } from '../test/core/render/fixture';

const RUNS = Number(process.env.RUNS ?? 60);

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
  const p10 = times[Math.floor(runs / 10)] ?? NaN;
  console.log(`${label.padEnd(62)} median ${mid.toFixed(2).padStart(6)}  p10 ${p10.toFixed(2).padStart(6)}  best ${(times[0] ?? NaN).toFixed(2).padStart(6)} ms`);
  return mid;
}

async function main(): Promise<void> {
  sharp.concurrency(1);
  console.log(`load average: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
  const gold = loadGolden('eeg');
  const m = toMap(gold);
  const lut = toLut(gold.lut);
  const g = m.map.geometry;
  // The route's warm case: 512 px, contours, sensors, colour bar, head outline, transparent background.
  const route = plainOptions(512, { contours: true, sensors: true, colorbar: true, outlines: 'head' });
  const full = plainOptions(512, { contours: true, sensors: true, colorbar: true, outlines: 'head', background: 'white', title: '0.100 s' });
  const layout = makeLayout(g, route);

  console.log('-- stages of a warm render (route options)');
  await median('raster plan (cold: taps + AA clip mask)', () => planRaster(layout, g, g.clip), 10);
  const plan = planRaster(layout, g, g.clip);
  const canvas = blankCanvas(512, 512, 'transparent');
  await median('paintMap (warm plan)', () => paintMap(plan, { grid: m.map.grid, vmin: gold.vmin, vmax: gold.vmax, lut }, canvas));
  await median('contourLines (9 levels)', () => contourLines({ grid: m.map.grid, res: g.res, extent: g.extent }, gold.contour_levels));
  const cache = createPlanCache();
  await median('buildScene (warm: canvas, map, colour bar, contours, strokes)', () => buildScene(m, route, lut, cache));
  const scene = buildScene(m, route, lut, cache);
  await median('decor blend ops, cold (outlines, sensors, frame)', () => strokeOps(scene.layout, scene.decor.strokes, plan.coverage), 20);
  const ops = decorOps(scene);
  console.log(`decor blend ops: ${ops.length}`);
  const pixels = scene.canvas.slice();
  await median('contour strokes drawn', () => drawStrokes(scene.layout, scene.below, plan.coverage, pixels, scene.scratch));
  await median('decor ops replayed', () => applyOps(ops, pixels));
  await median('composeDirect (copy + contours + decor + labels)', () => composeDirect(scene));
  await median('all strokes drawn one by one (no decor cache)', () => drawStrokes(scene.layout, scene.strokes, plan.coverage, scene.canvas.slice()));

  console.log('-- PNG encoders on the composed image (time, size)');
  const composed = composeDirect(scene);
  const sizes: string[] = [];
  for (const level of [1, 2, 3, 6]) {
    await median(`own zlib writer, level ${level}, filter none`, () => encodeRgbaPng(composed, 512, 512, level));
    sizes.push(`zlib L${level} ${encodeRgbaPng(composed, 512, 512, level).length} B`);
  }
  for (const [level, adaptive] of [[1, false], [2, false], [3, false], [6, false], [1, true]] as const) {
    const settings = { encoder: 'sharp' as const, compressionLevel: level, adaptiveFiltering: adaptive };
    await median(`sharp level ${level}, adaptive ${adaptive ? 'on' : 'off'} (incl. compose)`, () => encodePng(scene, g.clip, 'direct', settings));
    sizes.push(`sharp L${level}${adaptive ? 'A' : ''} ${(await encodePng(scene, g.clip, 'direct', settings)).length} B`);
  }
  await median('librsvg overlay (sharp composite, level 3)', () => encodePng(scene, g.clip, 'librsvg', { encoder: 'sharp', compressionLevel: 3, adaptiveFiltering: false }), 20);
  console.log(sizes.join(' | '));

  console.log('-- end to end');
  await median('renderPng warm cache, route options (defaults: direct, zlib L2)', () => renderPng(m, route, { lut, cache }));
  await median('renderPng warm cache, white + title', () => renderPng(m, full, { lut, cache }));
  await median('renderPng cold cache, route options', () => renderPng(m, route, { lut }), 20);
  await median('renderSvg warm cache (scene + PNG data URI + paths)', () => renderSvg(m, full, { lut, cache }), 20);
  await median('renderSvg cold cache', () => renderSvg(m, full, { lut }), 20);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
