/**
 * Rendering benchmark at 512 px (EEG map of test-ave.fif.gz at 0.1 s, from the render golden fixture): the stages
 * of a warm render with the topomap route's options (contours, sensors, colour bar, head outline, transparent),
 * the PNG encoders (time and size), and renderPng / renderSvg end to end. Run from the project root:
 *   npx esbuild bench/png.bench.ts --bundle --platform=node --external:sharp --outfile=bench/out/png.bench.js \
 *     && node bench/out/png.bench.js
 *
 * All figures below were taken on the shared 2-vCPU EPYC with load average 12–24 from other jobs, so medians
 * are inflated and noisy; "best" (wall) and CPU time per call are the steadier measures.
 *
 * Before (render as of e7af82b; that header, load ≈ 12, median / best ms): scene warm 17.0 / 2.5, overlay drawn
 * into RGBA 6.4 / 2.5, PNG direct sharp L3 6.6 / 6.3 (incl. overlay), renderPng warm 9.1 / 8.3, renderSvg 20.5 / 6.7.
 *
 * After (2026-11-28 03:18 UTC, load ≈ 20.4; median / p10 / best ms, 40 runs):
 *   paintMap (warm plan)                          1.74 / 1.30 / 0.70
 *   contourLines (9 levels)                       1.68 / 1.03 / 0.97
 *   buildScene warm (map, bar, contours, strokes) 4.19 / 0.99 / 0.92
 *   decor blend ops, cold (4496 ops)              — / 0.46 / 0.41   (once per cached layout)
 *   contour strokes drawn                         0.53 / 0.45 / 0.43
 *   decor ops replayed                            0.04 / 0.03 / 0.03
 *   composeDirect (contours + decor + labels)     9.55 / 1.32 / 1.20  (every stroke drawn one by one: best 1.63)
 *   own zlib writer L1 / L2 / L3, filter none     best 2.80 / 2.87 / 4.49   sizes 114.5 / 105.9 / 102.0 kB
 *   sharp L1 / L2 / L3 (incl. compose ≈ 1.2)      best 3.78 / 4.40 / 4.97   sizes 163.2 / 111.2 / 96.4 kB
 *   renderPng warm, route options                 19.9 / 9.95 / 5.54   (before: best 7.6–8.5 at load 13)
 *   renderPng warm, white + title                 20.3 / 13.9 / 5.97
 *   renderPng cold cache                          28.4 / 17.0 / 16.6
 *   renderSvg warm / cold                         best 4.84 / 13.6
 *
 * CPU ms per call, old vs new in one process (min over 5 rounds of 30, load ≈ 23, 03:13 UTC):
 *   contourLines 1.92 → 0.45; buildScene warm 4.97 → 2.33; composeDirect 4.67 → 2.72;
 *   encodePng default incl. compose 9.30 (sharp L3) → 7.46 (zlib L2); renderPng warm (route) 12.54 → 8.27;
 *   renderPng warm (white + title) 14.47 → 9.90; renderSvg warm 8.61 → 7.88.
 *   Encoders alone (CPU): zlib L1 4.8–5.0, L2 3.1–5.1, L3 5.7–5.9; sharp L1 4.1, L2 4.6–5.1, L3 5.7.
 * Whole route in process (dist/topomap handler, test-ave 60-ch EEG, 512 px, contours=6, sensors; 200 warm
 * requests with varying vmax; load 20–23): CPU per request 19.4–24.4 → 15.5–15.7 ms, best wall 14.8–17.4 →
 * 11.8–12.3 ms. Over HTTP (npm run bench:topomap, WARM=200) the warm p50 was 60–94 ms for test-ave and 10–70 ms
 * for the demo EDF at load 22–24, and 32.5 / 22.9 ms at load 17–20 (03:24 UTC): the machine is far too busy to
 * check the ≤ 8 ms goal; re-run when `uptime` shows a low load.
 *
 * Chosen: direct overlay, our zlib PNG writer at level 2 with no filter, synchronous (≈ sharp L3's CPU or less,
 * no sharp pipeline or thread-pool hop, 10 % larger file); adaptive filtering and higher levels cost 2–4× more.
 * Every cached render is byte-identical to an uncached one and pixel-identical to the previous renderer
 * (test/core/render/cache.test.ts; the old renderer was also compared directly while optimising).
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
  console.log(
    `${label.padEnd(62)} median ${mid.toFixed(2).padStart(6)}  p10 ${p10.toFixed(2).padStart(6)}  best ${(times[0] ?? NaN).toFixed(2).padStart(6)} ms`,
  );
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
  const full = plainOptions(512, {
    contours: true,
    sensors: true,
    colorbar: true,
    outlines: 'head',
    background: 'white',
    title: '0.100 s',
  });
  const layout = makeLayout(g, route);

  console.log('-- stages of a warm render (route options)');
  await median('raster plan (cold: taps + AA clip mask)', () => planRaster(layout, g, g.clip), 10);
  const plan = planRaster(layout, g, g.clip);
  const canvas = blankCanvas(512, 512, 'transparent');
  await median('paintMap (warm plan)', () =>
    paintMap(plan, { grid: m.map.grid, vmin: gold.vmin, vmax: gold.vmax, lut }, canvas),
  );
  await median('contourLines (9 levels)', () =>
    contourLines({ grid: m.map.grid, res: g.res, extent: g.extent }, gold.contour_levels),
  );
  const cache = createPlanCache();
  await median('buildScene (warm: canvas, map, colour bar, contours, strokes)', () =>
    buildScene(m, route, lut, cache),
  );
  const scene = buildScene(m, route, lut, cache);
  await median(
    'decor blend ops, cold (outlines, sensors, frame)',
    () => strokeOps(scene.layout, scene.decor.strokes, plan.coverage),
    20,
  );
  const ops = decorOps(scene);
  console.log(`decor blend ops: ${ops.length}`);
  const pixels = scene.canvas.slice();
  await median('contour strokes drawn', () =>
    drawStrokes(scene.layout, scene.below, plan.strokeCoverage, pixels, scene.scratch),
  );
  await median('decor ops replayed', () => applyOps(ops, pixels));
  await median('composeDirect (copy + contours + decor + labels)', () => composeDirect(scene));
  await median('all strokes drawn one by one (no decor cache)', () =>
    drawStrokes(scene.layout, scene.strokes, plan.strokeCoverage, scene.canvas.slice()),
  );

  console.log('-- PNG encoders on the composed image (time, size)');
  const composed = composeDirect(scene);
  const sizes: string[] = [];
  for (const level of [1, 2, 3, 6]) {
    await median(`own zlib writer, level ${level}, filter none`, () =>
      encodeRgbaPng(composed, 512, 512, level),
    );
    sizes.push(`zlib L${level} ${encodeRgbaPng(composed, 512, 512, level).length} B`);
  }
  for (const [level, adaptive] of [
    [1, false],
    [2, false],
    [3, false],
    [6, false],
    [1, true],
  ] as const) {
    const settings = { encoder: 'sharp' as const, compressionLevel: level, adaptiveFiltering: adaptive };
    await median(`sharp level ${level}, adaptive ${adaptive ? 'on' : 'off'} (incl. compose)`, () =>
      encodePng(scene, g.clip, 'direct', settings),
    );
    sizes.push(
      `sharp L${level}${adaptive ? 'A' : ''} ${(await encodePng(scene, g.clip, 'direct', settings)).length} B`,
    );
  }
  await median(
    'librsvg overlay (sharp composite, level 3)',
    () =>
      encodePng(scene, g.clip, 'librsvg', {
        encoder: 'sharp',
        compressionLevel: 3,
        adaptiveFiltering: false,
      }),
    20,
  );
  console.log(sizes.join(' | '));

  console.log('-- end to end');
  await median('renderPng warm cache, route options (defaults: direct, zlib L2)', () =>
    renderPng(m, route, { lut, cache }),
  );
  await median('renderPng warm cache, white + title', () => renderPng(m, full, { lut, cache }));
  await median('renderPng cold cache, route options', () => renderPng(m, route, { lut }), 20);
  await median(
    'renderSvg warm cache (scene + PNG data URI + paths)',
    () => renderSvg(m, full, { lut, cache }),
    20,
  );
  await median('renderSvg cold cache', () => renderSvg(m, full, { lut }), 20);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
